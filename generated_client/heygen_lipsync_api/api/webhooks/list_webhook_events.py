from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.list_webhook_events_event_type import ListWebhookEventsEventType
from ...models.list_webhook_events_response_200 import ListWebhookEventsResponse200
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    event_type: ListWebhookEventsEventType | Unset = UNSET,
    entity_id: str | Unset = UNSET,
    limit: int | Unset = 10,
    token: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_event_type: str | Unset = UNSET
    if not isinstance(event_type, Unset):
        json_event_type = event_type.value

    params["event_type"] = json_event_type

    params["entity_id"] = entity_id

    params["limit"] = limit

    params["token"] = token

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v3/webhooks/events",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | ListWebhookEventsResponse200 | None:
    if response.status_code == 200:
        response_200 = ListWebhookEventsResponse200.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEnvelope | ListWebhookEventsResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    event_type: ListWebhookEventsEventType | Unset = UNSET,
    entity_id: str | Unset = UNSET,
    limit: int | Unset = 10,
    token: str | Unset = UNSET,
) -> Response[ErrorEnvelope | ListWebhookEventsResponse200]:
    """List webhook events

     List delivered webhook events with cursor-based pagination. Filter by event type or entity ID.

    Args:
        event_type (ListWebhookEventsEventType | Unset):
        entity_id (str | Unset):
        limit (int | Unset):  Default: 10.
        token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | ListWebhookEventsResponse200]
    """

    kwargs = _get_kwargs(
        event_type=event_type,
        entity_id=entity_id,
        limit=limit,
        token=token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    event_type: ListWebhookEventsEventType | Unset = UNSET,
    entity_id: str | Unset = UNSET,
    limit: int | Unset = 10,
    token: str | Unset = UNSET,
) -> ErrorEnvelope | ListWebhookEventsResponse200 | None:
    """List webhook events

     List delivered webhook events with cursor-based pagination. Filter by event type or entity ID.

    Args:
        event_type (ListWebhookEventsEventType | Unset):
        entity_id (str | Unset):
        limit (int | Unset):  Default: 10.
        token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | ListWebhookEventsResponse200
    """

    return sync_detailed(
        client=client,
        event_type=event_type,
        entity_id=entity_id,
        limit=limit,
        token=token,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    event_type: ListWebhookEventsEventType | Unset = UNSET,
    entity_id: str | Unset = UNSET,
    limit: int | Unset = 10,
    token: str | Unset = UNSET,
) -> Response[ErrorEnvelope | ListWebhookEventsResponse200]:
    """List webhook events

     List delivered webhook events with cursor-based pagination. Filter by event type or entity ID.

    Args:
        event_type (ListWebhookEventsEventType | Unset):
        entity_id (str | Unset):
        limit (int | Unset):  Default: 10.
        token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | ListWebhookEventsResponse200]
    """

    kwargs = _get_kwargs(
        event_type=event_type,
        entity_id=entity_id,
        limit=limit,
        token=token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    event_type: ListWebhookEventsEventType | Unset = UNSET,
    entity_id: str | Unset = UNSET,
    limit: int | Unset = 10,
    token: str | Unset = UNSET,
) -> ErrorEnvelope | ListWebhookEventsResponse200 | None:
    """List webhook events

     List delivered webhook events with cursor-based pagination. Filter by event type or entity ID.

    Args:
        event_type (ListWebhookEventsEventType | Unset):
        entity_id (str | Unset):
        limit (int | Unset):  Default: 10.
        token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | ListWebhookEventsResponse200
    """

    return (
        await asyncio_detailed(
            client=client,
            event_type=event_type,
            entity_id=entity_id,
            limit=limit,
            token=token,
        )
    ).parsed
