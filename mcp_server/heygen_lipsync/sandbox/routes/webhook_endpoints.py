"""`/v3/webhooks/*`: registered endpoints (create, list, update, delete, rotate the secret), event types, events.

The sandbox's own data: endpoints registered here receive the workspace's events the
sandbox makes (`batch.finished`, once a batch's last job is finished), at loopback URLs
only; `GET /v3/webhooks/events` lists what was sent, newest first.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from heygen_lipsync.sandbox import clock, cursors, jobs
from heygen_lipsync.sandbox.context import Services
from heygen_lipsync.sandbox.errors import ApiError, invalid
from heygen_lipsync.sandbox.validation import check_object, parse_limit
from heygen_lipsync.sandbox.web import read_json, resource
from heygen_lipsync.sandbox.webhooks import iso_time
from heygen_lipsync.sandbox.workspace import EndpointRow

__all__ = ["EVENT_TYPES", "WebhookRoutes"]

# HeyGen's event types (its published schemas of July 2026); the sandbox sends only batch.finished.
EVENT_TYPES = (
    *(
        f"{kind}.{end}"
        for kind in ("avatar_video", "avatar_video_gif", "video_translate")
        for end in ("success", "fail")
    ),
    "video_translate.preflight.validation_failed",
    "video_translate.preflight.download_failed",
    "personalized_video",
    *(
        f"{kind}.{end}"
        for kind in (
            "instant_avatar",
            "photo_avatar_generation",
            "photo_avatar_train",
            "photo_avatar_add_motion",
            "proofread_creation",
            "live_avatar",
            "avatar_video_caption",
            "video_agent",
            "hyperframes_video",
            "ai_clipping",
        )
        for end in ("success", "fail")
    ),
    "batch.finished",
)


def _describe(event_type: str) -> str:
    if event_type == "batch.finished":
        return "A batch has finished: every item completed or failed."
    subject, _, outcome = event_type.partition(".")
    what = subject.replace("_", " ")
    article = "An" if what[0] in "aeiou" else "A"
    if outcome == "success":
        return f"{article} {what} job completed."
    if outcome == "fail":
        return f"{article} {what} job failed."
    return f"{article} {what} event ({outcome.replace('.', ' ').replace('_', ' ') or 'update'})."


def _endpoint_data(endpoint: EndpointRow, *, secret: bool = False) -> dict[str, Any]:
    return {
        "endpoint_id": endpoint.id,
        "url": endpoint.url,
        "events": endpoint.events,
        "status": endpoint.status,
        "created_at": iso_time(endpoint.created_at),
        "secret": endpoint.secret if secret else None,
    }


def _url(value: Any) -> str:
    if not isinstance(value, str):
        raise invalid("url", "'url' is required and must be a string.")
    parts = urlsplit(value)
    loopback_http = parts.scheme == "http" and jobs.is_loopback(parts.hostname)
    if not parts.hostname or not (parts.scheme == "https" or loopback_http):
        raise invalid("url", "'url' must be an https URL (the sandbox also takes http://127.0.0.1 and localhost).")
    return value


def _events(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid("events", "'events' must be a list of event types, or null for every event.")
    for index, item in enumerate(value):
        if item not in EVENT_TYPES:
            raise invalid(
                f"events[{index}]", f"'events[{index}]' is not an event type: see GET /v3/webhooks/event-types."
            )
    return list(dict.fromkeys(value))


class WebhookRoutes:
    """Handlers of the registered webhooks."""

    def __init__(self, sb: Services) -> None:
        self.sb = sb

    def routes(self) -> list[Route]:
        """The webhook routes."""
        return [
            resource("/v3/webhooks/event-types", GET=self.event_types),
            resource("/v3/webhooks/events", GET=self.events),
            resource("/v3/webhooks/endpoints", GET=self.list, POST=self.create),
            resource("/v3/webhooks/endpoints/{endpoint_id}", PATCH=self.update, DELETE=self.delete),
            resource("/v3/webhooks/endpoints/{endpoint_id}/rotate-secret", POST=self.rotate),
        ]

    def _found(self, request: Request) -> EndpointRow:
        endpoint = self.sb.workspace.endpoint(request.path_params["endpoint_id"])
        if endpoint is None:
            raise ApiError(404, "not_found", "Webhook endpoint not found.")
        return endpoint

    async def event_types(self, request: Request) -> Response:
        self.sb.authenticate(request)
        data = [{"event_type": name, "description": _describe(name)} for name in EVENT_TYPES]
        return JSONResponse({"data": data, "has_more": False, "next_token": None})

    async def events(self, request: Request) -> Response:
        self.sb.authenticate(request)
        query = request.query_params
        limit = parse_limit(query.get("limit"), 10)
        event_type = query.get("event_type")
        if event_type is not None and event_type not in EVENT_TYPES:
            raise invalid("event_type", "'event_type' is not an event type: see GET /v3/webhooks/event-types.")
        before = cursors.decode_position("webhook-events", query.get("token"))
        rows = self.sb.workspace.events(limit + 1, before, event_type, query.get("entity_id"))
        has_more = len(rows) > limit
        rows = rows[:limit]
        data = [
            {"event_id": e.id, "event_type": e.event_type, "event_data": e.data, "created_at": iso_time(e.created_at)}
            for e in rows
        ]
        token = cursors.encode("webhook-events", rows[-1].seq) if has_more else None
        return JSONResponse({"data": data, "has_more": has_more, "next_token": token})

    async def list(self, request: Request) -> Response:
        self.sb.authenticate(request)
        limit = parse_limit(request.query_params.get("limit"), 10)
        after = cursors.decode_position("webhook-endpoints", request.query_params.get("token"))
        rows = self.sb.workspace.endpoints(limit + 1, after)
        has_more = len(rows) > limit
        rows = rows[:limit]
        token = cursors.encode("webhook-endpoints", rows[-1].seq) if has_more else None
        return JSONResponse({"data": [_endpoint_data(e) for e in rows], "has_more": has_more, "next_token": token})

    async def create(self, request: Request) -> Response:
        self.sb.authenticate(request)
        body = check_object(await read_json(request), {"url", "events", "entity_id"})
        entity_id = body.get("entity_id")
        if entity_id is not None and not isinstance(entity_id, str):
            raise invalid("entity_id", "'entity_id' must be a string or null.")
        endpoint = self.sb.workspace.add_endpoint(
            _url(body.get("url")), _events(body.get("events")), entity_id, clock.now()
        )
        return JSONResponse({"data": _endpoint_data(endpoint, secret=True)})

    async def update(self, request: Request) -> Response:
        self.sb.authenticate(request)
        endpoint = self._found(request)
        body = check_object(await read_json(request), {"url", "events"})
        changes: dict[str, Any] = {}
        if body.get("url") is not None:
            changes["url"] = _url(body["url"])
        if "events" in body:
            changes["events"] = _events(body["events"])  # replaced whole; null: every event
        updated = self.sb.workspace.update_endpoint(endpoint.id, **changes)
        assert updated is not None
        return JSONResponse({"data": _endpoint_data(updated)})

    async def delete(self, request: Request) -> Response:
        self.sb.authenticate(request)
        if not self.sb.workspace.delete_endpoint(self._found(request).id):
            raise ApiError(404, "not_found", "Webhook endpoint not found.")
        return JSONResponse({"data": {}})

    async def rotate(self, request: Request) -> Response:
        self.sb.authenticate(request)
        from heygen_lipsync.sandbox.workspace import new_secret

        endpoint = self._found(request)
        secret = new_secret()
        self.sb.workspace.update_endpoint(endpoint.id, secret=secret)
        return JSONResponse({"data": {"endpoint_id": endpoint.id, "secret": secret}})
