from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.upload_asset_body import UploadAssetBody
from ...models.upload_asset_v3_response_envelope import UploadAssetV3ResponseEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: UploadAssetBody,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v3/assets",
    }

    _kwargs["files"] = body.to_multipart()

    headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | UploadAssetV3ResponseEnvelope | None:
    if response.status_code == 200:
        response_200 = UploadAssetV3ResponseEnvelope.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 409:
        response_409 = ErrorEnvelope.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorEnvelope.from_dict(response.json())

        return response_413

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorEnvelope | UploadAssetV3ResponseEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: UploadAssetBody,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorEnvelope | UploadAssetV3ResponseEnvelope]:
    """Upload Asset

     Uploads a file as multipart form data; HeyGen's limit is 32 MB. The file type is detected from its
    content; the types HeyGen lists are png, jpeg, mp4, webm, mp3, wav, pdf and srt. Use the returned
    asset_id as an input of type asset_id. For larger files, use a direct upload.

    Args:
        idempotency_key (str | Unset):
        body (UploadAssetBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | UploadAssetV3ResponseEnvelope]
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
    body: UploadAssetBody,
    idempotency_key: str | Unset = UNSET,
) -> ErrorEnvelope | UploadAssetV3ResponseEnvelope | None:
    """Upload Asset

     Uploads a file as multipart form data; HeyGen's limit is 32 MB. The file type is detected from its
    content; the types HeyGen lists are png, jpeg, mp4, webm, mp3, wav, pdf and srt. Use the returned
    asset_id as an input of type asset_id. For larger files, use a direct upload.

    Args:
        idempotency_key (str | Unset):
        body (UploadAssetBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | UploadAssetV3ResponseEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: UploadAssetBody,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorEnvelope | UploadAssetV3ResponseEnvelope]:
    """Upload Asset

     Uploads a file as multipart form data; HeyGen's limit is 32 MB. The file type is detected from its
    content; the types HeyGen lists are png, jpeg, mp4, webm, mp3, wav, pdf and srt. Use the returned
    asset_id as an input of type asset_id. For larger files, use a direct upload.

    Args:
        idempotency_key (str | Unset):
        body (UploadAssetBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | UploadAssetV3ResponseEnvelope]
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
    body: UploadAssetBody,
    idempotency_key: str | Unset = UNSET,
) -> ErrorEnvelope | UploadAssetV3ResponseEnvelope | None:
    """Upload Asset

     Uploads a file as multipart form data; HeyGen's limit is 32 MB. The file type is detected from its
    content; the types HeyGen lists are png, jpeg, mp4, webm, mp3, wav, pdf and srt. Use the returned
    asset_id as an input of type asset_id. For larger files, use a direct upload.

    Args:
        idempotency_key (str | Unset):
        body (UploadAssetBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | UploadAssetV3ResponseEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
