from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_folder_request import CreateFolderRequest
from ...models.error_envelope import ErrorEnvelope
from ...models.folder_envelope import FolderEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: CreateFolderRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v3/folders",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | FolderEnvelope | None:
    if response.status_code == 200:
        response_200 = FolderEnvelope.from_dict(response.json())

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
) -> Response[ErrorEnvelope | FolderEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateFolderRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorEnvelope | FolderEnvelope]:
    """Create Folder

     Creates a folder in the caller's workspace (at its root, or inside the folder given as parent_id)
    and returns it. Its folder_id is what a create's folder_id takes. Folders may share a name: keep the
    ids you get.

    Args:
        idempotency_key (str | Unset):
        body (CreateFolderRequest): The body of POST /v3/folders.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | FolderEnvelope]
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
    body: CreateFolderRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorEnvelope | FolderEnvelope | None:
    """Create Folder

     Creates a folder in the caller's workspace (at its root, or inside the folder given as parent_id)
    and returns it. Its folder_id is what a create's folder_id takes. Folders may share a name: keep the
    ids you get.

    Args:
        idempotency_key (str | Unset):
        body (CreateFolderRequest): The body of POST /v3/folders.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | FolderEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateFolderRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorEnvelope | FolderEnvelope]:
    """Create Folder

     Creates a folder in the caller's workspace (at its root, or inside the folder given as parent_id)
    and returns it. Its folder_id is what a create's folder_id takes. Folders may share a name: keep the
    ids you get.

    Args:
        idempotency_key (str | Unset):
        body (CreateFolderRequest): The body of POST /v3/folders.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | FolderEnvelope]
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
    body: CreateFolderRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorEnvelope | FolderEnvelope | None:
    """Create Folder

     Creates a folder in the caller's workspace (at its root, or inside the folder given as parent_id)
    and returns it. Its folder_id is what a create's folder_id takes. Folders may share a name: keep the
    ids you get.

    Args:
        idempotency_key (str | Unset):
        body (CreateFolderRequest): The body of POST /v3/folders.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | FolderEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
