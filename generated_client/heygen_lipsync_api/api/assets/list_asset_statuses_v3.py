from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.list_asset_statuses_v3_response_200 import ListAssetStatusesV3Response200
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    asset_ids: str | Unset = UNSET,
    batch_ids: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["asset_ids"] = asset_ids

    params["batch_ids"] = batch_ids

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v3/assets/statuses",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | ListAssetStatusesV3Response200 | None:
    if response.status_code == 200:
        response_200 = ListAssetStatusesV3Response200.from_dict(response.json())

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
) -> Response[ErrorEnvelope | ListAssetStatusesV3Response200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    asset_ids: str | Unset = UNSET,
    batch_ids: str | Unset = UNSET,
) -> Response[ErrorEnvelope | ListAssetStatusesV3Response200]:
    """Get Asset Statuses

     Returns the status of many assets in one request, addressed by comma-separated `asset_ids` and/or
    `batch_ids` (of upload batches), up to 100 ids in all. Each entry carries the asset id as
    `video_id`. Ids that do not exist are reported with status `not_found`.

    Args:
        asset_ids (str | Unset):
        batch_ids (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | ListAssetStatusesV3Response200]
    """

    kwargs = _get_kwargs(
        asset_ids=asset_ids,
        batch_ids=batch_ids,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    asset_ids: str | Unset = UNSET,
    batch_ids: str | Unset = UNSET,
) -> ErrorEnvelope | ListAssetStatusesV3Response200 | None:
    """Get Asset Statuses

     Returns the status of many assets in one request, addressed by comma-separated `asset_ids` and/or
    `batch_ids` (of upload batches), up to 100 ids in all. Each entry carries the asset id as
    `video_id`. Ids that do not exist are reported with status `not_found`.

    Args:
        asset_ids (str | Unset):
        batch_ids (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | ListAssetStatusesV3Response200
    """

    return sync_detailed(
        client=client,
        asset_ids=asset_ids,
        batch_ids=batch_ids,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    asset_ids: str | Unset = UNSET,
    batch_ids: str | Unset = UNSET,
) -> Response[ErrorEnvelope | ListAssetStatusesV3Response200]:
    """Get Asset Statuses

     Returns the status of many assets in one request, addressed by comma-separated `asset_ids` and/or
    `batch_ids` (of upload batches), up to 100 ids in all. Each entry carries the asset id as
    `video_id`. Ids that do not exist are reported with status `not_found`.

    Args:
        asset_ids (str | Unset):
        batch_ids (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | ListAssetStatusesV3Response200]
    """

    kwargs = _get_kwargs(
        asset_ids=asset_ids,
        batch_ids=batch_ids,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    asset_ids: str | Unset = UNSET,
    batch_ids: str | Unset = UNSET,
) -> ErrorEnvelope | ListAssetStatusesV3Response200 | None:
    """Get Asset Statuses

     Returns the status of many assets in one request, addressed by comma-separated `asset_ids` and/or
    `batch_ids` (of upload batches), up to 100 ids in all. Each entry carries the asset id as
    `video_id`. Ids that do not exist are reported with status `not_found`.

    Args:
        asset_ids (str | Unset):
        batch_ids (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | ListAssetStatusesV3Response200
    """

    return (
        await asyncio_detailed(
            client=client,
            asset_ids=asset_ids,
            batch_ids=batch_ids,
        )
    ).parsed
