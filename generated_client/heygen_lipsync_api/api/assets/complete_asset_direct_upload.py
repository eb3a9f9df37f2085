from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.complete_direct_upload_request import CompleteDirectUploadRequest
from ...models.complete_direct_upload_response_envelope import CompleteDirectUploadResponseEnvelope
from ...models.error_envelope import ErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    asset_id: str,
    *,
    body: CompleteDirectUploadRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v3/assets/{asset_id}/complete".format(
            asset_id=quote(str(asset_id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CompleteDirectUploadResponseEnvelope | ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = CompleteDirectUploadResponseEnvelope.from_dict(response.json())

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
) -> Response[CompleteDirectUploadResponseEnvelope | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    asset_id: str,
    *,
    client: AuthenticatedClient,
    body: CompleteDirectUploadRequest | Unset = UNSET,
) -> Response[CompleteDirectUploadResponseEnvelope | ErrorEnvelope]:
    """Complete Direct Upload

     Finishes a direct upload once its bytes have been PUT. When a SHA-256 checksum is given (here or
    when the upload was created) the stored bytes are verified against it. Calling it again is harmless.
    The returned status may say the asset is still being processed (for example `processing`): poll GET
    /v3/assets/{asset_id} or GET /v3/assets/statuses until it is ready before using it. A 409 means the
    uploaded bytes are not visible yet; retrying shortly is safe.

    Args:
        asset_id (str):
        body (CompleteDirectUploadRequest | Unset): Request body for POST
            /v3/assets/{asset_id}/complete.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CompleteDirectUploadResponseEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        asset_id=asset_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    asset_id: str,
    *,
    client: AuthenticatedClient,
    body: CompleteDirectUploadRequest | Unset = UNSET,
) -> CompleteDirectUploadResponseEnvelope | ErrorEnvelope | None:
    """Complete Direct Upload

     Finishes a direct upload once its bytes have been PUT. When a SHA-256 checksum is given (here or
    when the upload was created) the stored bytes are verified against it. Calling it again is harmless.
    The returned status may say the asset is still being processed (for example `processing`): poll GET
    /v3/assets/{asset_id} or GET /v3/assets/statuses until it is ready before using it. A 409 means the
    uploaded bytes are not visible yet; retrying shortly is safe.

    Args:
        asset_id (str):
        body (CompleteDirectUploadRequest | Unset): Request body for POST
            /v3/assets/{asset_id}/complete.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CompleteDirectUploadResponseEnvelope | ErrorEnvelope
    """

    return sync_detailed(
        asset_id=asset_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    asset_id: str,
    *,
    client: AuthenticatedClient,
    body: CompleteDirectUploadRequest | Unset = UNSET,
) -> Response[CompleteDirectUploadResponseEnvelope | ErrorEnvelope]:
    """Complete Direct Upload

     Finishes a direct upload once its bytes have been PUT. When a SHA-256 checksum is given (here or
    when the upload was created) the stored bytes are verified against it. Calling it again is harmless.
    The returned status may say the asset is still being processed (for example `processing`): poll GET
    /v3/assets/{asset_id} or GET /v3/assets/statuses until it is ready before using it. A 409 means the
    uploaded bytes are not visible yet; retrying shortly is safe.

    Args:
        asset_id (str):
        body (CompleteDirectUploadRequest | Unset): Request body for POST
            /v3/assets/{asset_id}/complete.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CompleteDirectUploadResponseEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        asset_id=asset_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    asset_id: str,
    *,
    client: AuthenticatedClient,
    body: CompleteDirectUploadRequest | Unset = UNSET,
) -> CompleteDirectUploadResponseEnvelope | ErrorEnvelope | None:
    """Complete Direct Upload

     Finishes a direct upload once its bytes have been PUT. When a SHA-256 checksum is given (here or
    when the upload was created) the stored bytes are verified against it. Calling it again is harmless.
    The returned status may say the asset is still being processed (for example `processing`): poll GET
    /v3/assets/{asset_id} or GET /v3/assets/statuses until it is ready before using it. A 409 means the
    uploaded bytes are not visible yet; retrying shortly is safe.

    Args:
        asset_id (str):
        body (CompleteDirectUploadRequest | Unset): Request body for POST
            /v3/assets/{asset_id}/complete.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CompleteDirectUploadResponseEnvelope | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            asset_id=asset_id,
            client=client,
            body=body,
        )
    ).parsed
