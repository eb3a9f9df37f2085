from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.asset_upload_batch_response_envelope import AssetUploadBatchResponseEnvelope
from ...models.create_asset_upload_batch_request import CreateAssetUploadBatchRequest
from ...models.error_envelope import ErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: CreateAssetUploadBatchRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v3/assets/direct-uploads/batches",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AssetUploadBatchResponseEnvelope | ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = AssetUploadBatchResponseEnvelope.from_dict(response.json())

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

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AssetUploadBatchResponseEnvelope | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateAssetUploadBatchRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[AssetUploadBatchResponseEnvelope | ErrorEnvelope]:
    """Create Direct Upload Batch

     Starts up to 100 direct uploads in one call: one upload slot per file, in the order given, each as
    the single direct upload returns it. PUT each file's bytes to its upload_url with exactly its
    upload_headers and no authentication header, then finish them all with POST
    /v3/assets/complete/batches. No bytes go through the API. An Idempotency-Key makes a retry return
    the same batch.

    Args:
        idempotency_key (str | Unset):
        body (CreateAssetUploadBatchRequest): The body of POST /v3/assets/direct-uploads/batches.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AssetUploadBatchResponseEnvelope | ErrorEnvelope]
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
    body: CreateAssetUploadBatchRequest,
    idempotency_key: str | Unset = UNSET,
) -> AssetUploadBatchResponseEnvelope | ErrorEnvelope | None:
    """Create Direct Upload Batch

     Starts up to 100 direct uploads in one call: one upload slot per file, in the order given, each as
    the single direct upload returns it. PUT each file's bytes to its upload_url with exactly its
    upload_headers and no authentication header, then finish them all with POST
    /v3/assets/complete/batches. No bytes go through the API. An Idempotency-Key makes a retry return
    the same batch.

    Args:
        idempotency_key (str | Unset):
        body (CreateAssetUploadBatchRequest): The body of POST /v3/assets/direct-uploads/batches.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AssetUploadBatchResponseEnvelope | ErrorEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateAssetUploadBatchRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[AssetUploadBatchResponseEnvelope | ErrorEnvelope]:
    """Create Direct Upload Batch

     Starts up to 100 direct uploads in one call: one upload slot per file, in the order given, each as
    the single direct upload returns it. PUT each file's bytes to its upload_url with exactly its
    upload_headers and no authentication header, then finish them all with POST
    /v3/assets/complete/batches. No bytes go through the API. An Idempotency-Key makes a retry return
    the same batch.

    Args:
        idempotency_key (str | Unset):
        body (CreateAssetUploadBatchRequest): The body of POST /v3/assets/direct-uploads/batches.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AssetUploadBatchResponseEnvelope | ErrorEnvelope]
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
    body: CreateAssetUploadBatchRequest,
    idempotency_key: str | Unset = UNSET,
) -> AssetUploadBatchResponseEnvelope | ErrorEnvelope | None:
    """Create Direct Upload Batch

     Starts up to 100 direct uploads in one call: one upload slot per file, in the order given, each as
    the single direct upload returns it. PUT each file's bytes to its upload_url with exactly its
    upload_headers and no authentication header, then finish them all with POST
    /v3/assets/complete/batches. No bytes go through the API. An Idempotency-Key makes a retry return
    the same batch.

    Args:
        idempotency_key (str | Unset):
        body (CreateAssetUploadBatchRequest): The body of POST /v3/assets/direct-uploads/batches.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AssetUploadBatchResponseEnvelope | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
