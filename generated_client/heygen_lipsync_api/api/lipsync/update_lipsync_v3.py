from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.lipsync_detail_envelope import LipsyncDetailEnvelope
from ...models.update_lipsync_request import UpdateLipsyncRequest
from ...types import Response


def _get_kwargs(
    lipsync_id: str,
    *,
    body: UpdateLipsyncRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v3/lipsyncs/{lipsync_id}".format(
            lipsync_id=quote(str(lipsync_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | LipsyncDetailEnvelope | None:
    if response.status_code == 200:
        response_200 = LipsyncDetailEnvelope.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEnvelope | LipsyncDetailEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    lipsync_id: str,
    *,
    client: AuthenticatedClient,
    body: UpdateLipsyncRequest,
) -> Response[ErrorEnvelope | LipsyncDetailEnvelope]:
    """Update Lipsync

     Changes the title of a lipsync.

    Args:
        lipsync_id (str):
        body (UpdateLipsyncRequest): Request body for PATCH /v3/lipsyncs/{lipsync_id}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | LipsyncDetailEnvelope]
    """

    kwargs = _get_kwargs(
        lipsync_id=lipsync_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    lipsync_id: str,
    *,
    client: AuthenticatedClient,
    body: UpdateLipsyncRequest,
) -> ErrorEnvelope | LipsyncDetailEnvelope | None:
    """Update Lipsync

     Changes the title of a lipsync.

    Args:
        lipsync_id (str):
        body (UpdateLipsyncRequest): Request body for PATCH /v3/lipsyncs/{lipsync_id}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | LipsyncDetailEnvelope
    """

    return sync_detailed(
        lipsync_id=lipsync_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    lipsync_id: str,
    *,
    client: AuthenticatedClient,
    body: UpdateLipsyncRequest,
) -> Response[ErrorEnvelope | LipsyncDetailEnvelope]:
    """Update Lipsync

     Changes the title of a lipsync.

    Args:
        lipsync_id (str):
        body (UpdateLipsyncRequest): Request body for PATCH /v3/lipsyncs/{lipsync_id}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | LipsyncDetailEnvelope]
    """

    kwargs = _get_kwargs(
        lipsync_id=lipsync_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    lipsync_id: str,
    *,
    client: AuthenticatedClient,
    body: UpdateLipsyncRequest,
) -> ErrorEnvelope | LipsyncDetailEnvelope | None:
    """Update Lipsync

     Changes the title of a lipsync.

    Args:
        lipsync_id (str):
        body (UpdateLipsyncRequest): Request body for PATCH /v3/lipsyncs/{lipsync_id}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | LipsyncDetailEnvelope
    """

    return (
        await asyncio_detailed(
            lipsync_id=lipsync_id,
            client=client,
            body=body,
        )
    ).parsed
