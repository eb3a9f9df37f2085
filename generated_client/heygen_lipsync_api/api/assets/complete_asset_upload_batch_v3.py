from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.asset_upload_batch_accepted_envelope import AssetUploadBatchAcceptedEnvelope
from ...models.complete_asset_upload_batch_request import CompleteAssetUploadBatchRequest
from ...models.error_envelope import ErrorEnvelope
from ...types import Response


def _get_kwargs(
    *,
    body: CompleteAssetUploadBatchRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v3/assets/complete/batches",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AssetUploadBatchAcceptedEnvelope | ErrorEnvelope | None:
    if response.status_code == 202:
        response_202 = AssetUploadBatchAcceptedEnvelope.from_dict(response.json())

        return response_202

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
) -> Response[AssetUploadBatchAcceptedEnvelope | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CompleteAssetUploadBatchRequest,
) -> Response[AssetUploadBatchAcceptedEnvelope | ErrorEnvelope]:
    """Complete Direct Upload Batch

     Finishes every upload of a batch once their PUTs have returned. Each file is checked and processed
    on its own, asynchronously, so one bad file does not fail the others: follow GET
    /v3/assets/batches/{batch_id} until no item is queued or processing. Calling it again is harmless.

    Args:
        body (CompleteAssetUploadBatchRequest): The body of POST /v3/assets/complete/batches.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AssetUploadBatchAcceptedEnvelope | ErrorEnvelope]
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
    body: CompleteAssetUploadBatchRequest,
) -> AssetUploadBatchAcceptedEnvelope | ErrorEnvelope | None:
    """Complete Direct Upload Batch

     Finishes every upload of a batch once their PUTs have returned. Each file is checked and processed
    on its own, asynchronously, so one bad file does not fail the others: follow GET
    /v3/assets/batches/{batch_id} until no item is queued or processing. Calling it again is harmless.

    Args:
        body (CompleteAssetUploadBatchRequest): The body of POST /v3/assets/complete/batches.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AssetUploadBatchAcceptedEnvelope | ErrorEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CompleteAssetUploadBatchRequest,
) -> Response[AssetUploadBatchAcceptedEnvelope | ErrorEnvelope]:
    """Complete Direct Upload Batch

     Finishes every upload of a batch once their PUTs have returned. Each file is checked and processed
    on its own, asynchronously, so one bad file does not fail the others: follow GET
    /v3/assets/batches/{batch_id} until no item is queued or processing. Calling it again is harmless.

    Args:
        body (CompleteAssetUploadBatchRequest): The body of POST /v3/assets/complete/batches.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AssetUploadBatchAcceptedEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CompleteAssetUploadBatchRequest,
) -> AssetUploadBatchAcceptedEnvelope | ErrorEnvelope | None:
    """Complete Direct Upload Batch

     Finishes every upload of a batch once their PUTs have returned. Each file is checked and processed
    on its own, asynchronously, so one bad file does not fail the others: follow GET
    /v3/assets/batches/{batch_id} until no item is queued or processing. Calling it again is harmless.

    Args:
        body (CompleteAssetUploadBatchRequest): The body of POST /v3/assets/complete/batches.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AssetUploadBatchAcceptedEnvelope | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
