from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_webhook_endpoint_request import CreateWebhookEndpointRequest
from ...models.error_envelope import ErrorEnvelope
from ...models.webhook_endpoint_response_envelope import WebhookEndpointResponseEnvelope
from ...types import Response


def _get_kwargs(
    *,
    body: CreateWebhookEndpointRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v3/webhooks/endpoints",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | WebhookEndpointResponseEnvelope | None:
    if response.status_code == 200:
        response_200 = WebhookEndpointResponseEnvelope.from_dict(response.json())

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
) -> Response[ErrorEnvelope | WebhookEndpointResponseEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateWebhookEndpointRequest,
) -> Response[ErrorEnvelope | WebhookEndpointResponseEnvelope]:
    """Create a webhook endpoint

     Register a new webhook endpoint to receive event notifications. Returns the endpoint details
    including the signing secret — store it securely, it will not be shown again except via rotate-
    secret.

    Args:
        body (CreateWebhookEndpointRequest): Request body for POST /v3/webhooks/endpoints.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | WebhookEndpointResponseEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: CreateWebhookEndpointRequest,
) -> ErrorEnvelope | WebhookEndpointResponseEnvelope | None:
    """Create a webhook endpoint

     Register a new webhook endpoint to receive event notifications. Returns the endpoint details
    including the signing secret — store it securely, it will not be shown again except via rotate-
    secret.

    Args:
        body (CreateWebhookEndpointRequest): Request body for POST /v3/webhooks/endpoints.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | WebhookEndpointResponseEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateWebhookEndpointRequest,
) -> Response[ErrorEnvelope | WebhookEndpointResponseEnvelope]:
    """Create a webhook endpoint

     Register a new webhook endpoint to receive event notifications. Returns the endpoint details
    including the signing secret — store it securely, it will not be shown again except via rotate-
    secret.

    Args:
        body (CreateWebhookEndpointRequest): Request body for POST /v3/webhooks/endpoints.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | WebhookEndpointResponseEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreateWebhookEndpointRequest,
) -> ErrorEnvelope | WebhookEndpointResponseEnvelope | None:
    """Create a webhook endpoint

     Register a new webhook endpoint to receive event notifications. Returns the endpoint details
    including the signing secret — store it securely, it will not be shown again except via rotate-
    secret.

    Args:
        body (CreateWebhookEndpointRequest): Request body for POST /v3/webhooks/endpoints.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | WebhookEndpointResponseEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
