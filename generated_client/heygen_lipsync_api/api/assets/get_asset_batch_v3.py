from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.asset_batch_detail_envelope import AssetBatchDetailEnvelope
from ...models.error_envelope import ErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    batch_id: str,
    *,
    limit: int | Unset = 100,
    token: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["token"] = token

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v3/assets/batches/{batch_id}".format(
            batch_id=quote(str(batch_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AssetBatchDetailEnvelope | ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = AssetBatchDetailEnvelope.from_dict(response.json())

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
) -> Response[AssetBatchDetailEnvelope | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    batch_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    token: str | Unset = UNSET,
) -> Response[AssetBatchDetailEnvelope | ErrorEnvelope]:
    """Get Asset Batch

     Returns an upload batch's overall status, counts of its items by status, and one page of its items.
    The read model is the lipsync batches' one: each item's asset id is given as `video_id`.

    Args:
        batch_id (str):
        limit (int | Unset):  Default: 100.
        token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AssetBatchDetailEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        batch_id=batch_id,
        limit=limit,
        token=token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    batch_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    token: str | Unset = UNSET,
) -> AssetBatchDetailEnvelope | ErrorEnvelope | None:
    """Get Asset Batch

     Returns an upload batch's overall status, counts of its items by status, and one page of its items.
    The read model is the lipsync batches' one: each item's asset id is given as `video_id`.

    Args:
        batch_id (str):
        limit (int | Unset):  Default: 100.
        token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AssetBatchDetailEnvelope | ErrorEnvelope
    """

    return sync_detailed(
        batch_id=batch_id,
        client=client,
        limit=limit,
        token=token,
    ).parsed


async def asyncio_detailed(
    batch_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    token: str | Unset = UNSET,
) -> Response[AssetBatchDetailEnvelope | ErrorEnvelope]:
    """Get Asset Batch

     Returns an upload batch's overall status, counts of its items by status, and one page of its items.
    The read model is the lipsync batches' one: each item's asset id is given as `video_id`.

    Args:
        batch_id (str):
        limit (int | Unset):  Default: 100.
        token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AssetBatchDetailEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        batch_id=batch_id,
        limit=limit,
        token=token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    batch_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    token: str | Unset = UNSET,
) -> AssetBatchDetailEnvelope | ErrorEnvelope | None:
    """Get Asset Batch

     Returns an upload batch's overall status, counts of its items by status, and one page of its items.
    The read model is the lipsync batches' one: each item's asset id is given as `video_id`.

    Args:
        batch_id (str):
        limit (int | Unset):  Default: 100.
        token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AssetBatchDetailEnvelope | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            batch_id=batch_id,
            client=client,
            limit=limit,
            token=token,
        )
    ).parsed
