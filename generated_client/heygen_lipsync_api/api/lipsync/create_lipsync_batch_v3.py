from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_lipsync_batch_request import CreateLipsyncBatchRequest
from ...models.error_envelope import ErrorEnvelope
from ...models.lipsync_batch_create_response_envelope import LipsyncBatchCreateResponseEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: CreateLipsyncBatchRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v3/lipsyncs/batches",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | LipsyncBatchCreateResponseEnvelope | None:
    if response.status_code == 202:
        response_202 = LipsyncBatchCreateResponseEnvelope.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 409:
        response_409 = ErrorEnvelope.from_dict(response.json())

        return response_409

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEnvelope | LipsyncBatchCreateResponseEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateLipsyncBatchRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorEnvelope | LipsyncBatchCreateResponseEnvelope]:
    """Create Lipsync Batch

     Submits between 1 and 100 lipsync jobs in one request. Each item is a full create-lipsync request
    body. Track progress with GET /v3/lipsyncs/batches/{batch_id} or GET /v3/lipsyncs/statuses.

    Args:
        idempotency_key (str | Unset):
        body (CreateLipsyncBatchRequest): Request body for POST /v3/lipsyncs/batches.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | LipsyncBatchCreateResponseEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: CreateLipsyncBatchRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorEnvelope | LipsyncBatchCreateResponseEnvelope | None:
    """Create Lipsync Batch

     Submits between 1 and 100 lipsync jobs in one request. Each item is a full create-lipsync request
    body. Track progress with GET /v3/lipsyncs/batches/{batch_id} or GET /v3/lipsyncs/statuses.

    Args:
        idempotency_key (str | Unset):
        body (CreateLipsyncBatchRequest): Request body for POST /v3/lipsyncs/batches.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | LipsyncBatchCreateResponseEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateLipsyncBatchRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorEnvelope | LipsyncBatchCreateResponseEnvelope]:
    """Create Lipsync Batch

     Submits between 1 and 100 lipsync jobs in one request. Each item is a full create-lipsync request
    body. Track progress with GET /v3/lipsyncs/batches/{batch_id} or GET /v3/lipsyncs/statuses.

    Args:
        idempotency_key (str | Unset):
        body (CreateLipsyncBatchRequest): Request body for POST /v3/lipsyncs/batches.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | LipsyncBatchCreateResponseEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreateLipsyncBatchRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorEnvelope | LipsyncBatchCreateResponseEnvelope | None:
    """Create Lipsync Batch

     Submits between 1 and 100 lipsync jobs in one request. Each item is a full create-lipsync request
    body. Track progress with GET /v3/lipsyncs/batches/{batch_id} or GET /v3/lipsyncs/statuses.

    Args:
        idempotency_key (str | Unset):
        body (CreateLipsyncBatchRequest): Request body for POST /v3/lipsyncs/batches.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | LipsyncBatchCreateResponseEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
