"""HeyGen's registered webhooks (``/v3/webhooks/*``): endpoints, the event types, the events delivered.

An endpoint's signing ``secret`` is returned only by ``create_endpoint`` and
``rotate_secret``: store it then. HeyGen documents no signature scheme in the material this
library follows, so nothing here verifies one; a delivery is a hint, confirmed with a GET.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from heygen_lipsync._transport.responses import call_generated, data_of
from heygen_lipsync.checks import check_id, check_limit
from heygen_lipsync.errors import ValidationError
from heygen_lipsync.models._read import _mapping, _str
from heygen_lipsync.sources import validate_url
from heygen_lipsync_api.client import AuthenticatedClient

__all__ = [
    "BATCH_FINISHED",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookEventType",
    "create_endpoint",
    "delete_endpoint",
    "list_endpoints",
    "list_event_types",
    "list_events",
    "rotate_secret",
    "update_endpoint",
]

#: The event HeyGen sends when a batch's last item is finished (it lists no lipsync event type).
BATCH_FINISHED = "batch.finished"


@dataclass(frozen=True)
class WebhookEndpoint:
    """A registered endpoint; ``secret`` only right after create or rotate (None otherwise)."""

    endpoint_id: str
    url: str | None = None
    events: tuple[str, ...] | None = None
    status: str | None = None
    created_at: str | None = None
    secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> WebhookEndpoint:
        """Build from the API's JSON object."""
        data = _mapping(data)
        events = data.get("events")
        return cls(
            endpoint_id=_str(data.get("endpoint_id")) or "",
            url=_str(data.get("url")),
            events=tuple(str(e) for e in events) if isinstance(events, list) else None,
            status=_str(data.get("status")),
            created_at=_str(data.get("created_at")),
            secret=_str(data.get("secret")),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the API's field names (``events`` null: every event)."""
        return {
            "endpoint_id": self.endpoint_id,
            "url": self.url,
            "events": None if self.events is None else list(self.events),
            "status": self.status,
            "created_at": self.created_at,
            "secret": self.secret,
        }


@dataclass(frozen=True)
class WebhookEvent:
    """One delivered event: ``event_data`` as HeyGen sent it (``batch_id`` for ``batch.finished``)."""

    event_id: str
    event_type: str
    event_data: dict[str, Any]
    created_at: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> WebhookEvent:
        """Build from the API's JSON object."""
        data = _mapping(data)
        return cls(
            event_id=_str(data.get("event_id")) or "",
            event_type=_str(data.get("event_type")) or "",
            event_data=dict(_mapping(data.get("event_data"))),
            created_at=_str(data.get("created_at")),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the API's field names."""
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "event_data": self.event_data,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class WebhookEventType:
    """An event type HeyGen can send, with its description."""

    event_type: str
    description: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the API's field names."""
        return {"event_type": self.event_type, "description": self.description}


def _page(body: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], str | None]:
    items = body.get("data")
    token = body.get("next_token")
    rows = [i for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []
    return rows, token if body.get("has_more") is True and isinstance(token, str) and token else None


def _event_types(events: Sequence[str] | None, field_name: str = "events") -> Any:
    """The generated enum values for ``events``; a name HeyGen does not list is refused here."""
    from heygen_lipsync_api.models import WebhookEventType as Generated

    if events is None:
        return None
    if isinstance(events, str):
        raise ValidationError(field_name, "give a list of event types, not one string")
    known = {e.value for e in Generated}
    for index, name in enumerate(events):
        if name not in known:
            raise ValidationError(f"{field_name}[{index}]", f"{name!r} is not an event type HeyGen lists")
    return [Generated(name) for name in dict.fromkeys(events)]


async def list_endpoints(
    api: AuthenticatedClient, *, limit: int | None = None, token: str | None = None
) -> tuple[list[WebhookEndpoint], str | None]:
    """One page of the registered endpoints and the token of the next (None on the last).

    Raises:
        ValidationError: limit outside 1..100.
        APIStatusError, APIConnectionError: as for every call.
    """
    from heygen_lipsync_api.api.webhooks import list_webhook_endpoints

    kwargs: dict[str, Any] = {"limit": check_limit(limit) or 100}
    if token:
        kwargs["token"] = token
    rows, next_token = _page(await call_generated(api, list_webhook_endpoints.asyncio_detailed, **kwargs))
    return [WebhookEndpoint.from_api(r) for r in rows], next_token


async def create_endpoint(
    api: AuthenticatedClient, url: str, *, events: Sequence[str] | None = None, entity_id: str | None = None
) -> WebhookEndpoint:
    """Register ``url`` (https) for ``events`` (None: every event); the answer holds the signing secret.

    Raises:
        ValidationError: not an https URL, or an event type HeyGen does not list.
        APIStatusError, APIConnectionError: as for every call.
    """
    from heygen_lipsync_api.api.webhooks import create_webhook_endpoint
    from heygen_lipsync_api.models import CreateWebhookEndpointRequest

    body = CreateWebhookEndpointRequest(url=validate_url(url, field="url"), events=_event_types(events))
    if entity_id is not None:
        body.entity_id = entity_id
    answer = await call_generated(api, create_webhook_endpoint.asyncio_detailed, body=body)
    return WebhookEndpoint.from_api(data_of(answer, "create_webhook_endpoint"))


async def update_endpoint(
    api: AuthenticatedClient, endpoint_id: str, *, url: str | None = None, events: Sequence[str] | None = None
) -> WebhookEndpoint:
    """Change an endpoint's URL and/or its events (``events`` replaces the whole list).

    Raises:
        ValidationError: a malformed id or URL, an unknown event type, or nothing to change.
        NotFoundError: no such endpoint.
        APIStatusError, APIConnectionError: as for every call.
    """
    from heygen_lipsync_api.api.webhooks import update_webhook_endpoint
    from heygen_lipsync_api.models import UpdateWebhookEndpointRequest

    endpoint_id = check_id(endpoint_id, "endpoint_id")
    if url is None and events is None:
        raise ValidationError("url", "give a new url, new events, or both")
    body = UpdateWebhookEndpointRequest()
    if url is not None:
        body.url = validate_url(url, field="url")
    if events is not None:
        body.events = _event_types(events)
    answer = await call_generated(api, update_webhook_endpoint.asyncio_detailed, endpoint_id, body=body)
    return WebhookEndpoint.from_api(data_of(answer, "update_webhook_endpoint"))


async def delete_endpoint(api: AuthenticatedClient, endpoint_id: str) -> str:
    """Remove an endpoint for good; returns its id.

    Raises:
        ValidationError: a malformed id.
        NotFoundError: no such endpoint.
        APIStatusError, APIConnectionError: as for every call.
    """
    from heygen_lipsync_api.api.webhooks import delete_webhook_endpoint

    endpoint_id = check_id(endpoint_id, "endpoint_id")
    await call_generated(api, delete_webhook_endpoint.asyncio_detailed, endpoint_id)
    return endpoint_id


async def rotate_secret(api: AuthenticatedClient, endpoint_id: str) -> WebhookEndpoint:
    """A new signing secret for the endpoint (the old one stops at once); only ``endpoint_id`` and ``secret`` are set.

    Raises:
        ValidationError: a malformed id.
        NotFoundError: no such endpoint.
        APIStatusError, APIConnectionError: as for every call.
    """
    from heygen_lipsync_api.api.webhooks import rotate_webhook_endpoint_secret

    endpoint_id = check_id(endpoint_id, "endpoint_id")
    answer = await call_generated(api, rotate_webhook_endpoint_secret.asyncio_detailed, endpoint_id)
    return WebhookEndpoint.from_api(data_of(answer, "rotate_webhook_secret"))


async def list_event_types(api: AuthenticatedClient) -> list[WebhookEventType]:
    """Every event type HeyGen can send (no lipsync type: a batch's is ``batch.finished``).

    Raises:
        APIStatusError, APIConnectionError: as for every call.
    """
    from heygen_lipsync_api.api.webhooks import list_webhook_event_types

    rows, _ = _page(await call_generated(api, list_webhook_event_types.asyncio_detailed))
    return [
        WebhookEventType(event_type=_str(r.get("event_type")) or "", description=_str(r.get("description")))
        for r in rows
    ]


async def list_events(
    api: AuthenticatedClient,
    *,
    event_type: str | None = None,
    entity_id: str | None = None,
    limit: int | None = None,
    token: str | None = None,
) -> tuple[list[WebhookEvent], str | None]:
    """One page of delivered events, newest first, and the token of the next (None on the last).

    Raises:
        ValidationError: an unknown event type, or limit outside 1..100.
        APIStatusError, APIConnectionError: as for every call.
    """
    from heygen_lipsync_api.api.webhooks import list_webhook_events
    from heygen_lipsync_api.models import ListWebhookEventsEventType

    kwargs: dict[str, Any] = {"limit": check_limit(limit) or 100}
    if event_type is not None:
        if event_type not in {e.value for e in ListWebhookEventsEventType}:
            raise ValidationError("event_type", f"{event_type!r} is not an event type HeyGen lists")
        kwargs["event_type"] = ListWebhookEventsEventType(event_type)
    if entity_id:
        kwargs["entity_id"] = check_id(entity_id, "entity_id")
    if token:
        kwargs["token"] = token
    rows, next_token = _page(await call_generated(api, list_webhook_events.asyncio_detailed, **kwargs))
    return [WebhookEvent.from_api(r) for r in rows], next_token
