"""Uploading local files as assets: multipart up to 32 MB, the direct-upload flow above.

A multipart upload is one POST /v3/assets carrying the file. A direct upload presigns
(POST /v3/assets/direct-uploads with the file's size and SHA-256), PUTs the bytes to the
presigned storage URL without credentials, and completes (POST .../complete). Both carry
one Idempotency-Key, so a retried upload never stores the file twice; once any attempt may
have reached the server, a failure carries that key (``APIError.idempotency_key``).

Progress goes to a plain ``on_progress(sent, total)`` callback, or, for a handler wrapped
in ``UploadEvents``, as ``UploadEvent`` objects that also say which field and file the
bytes belong to and which attempt is sending them (a retry restarts at 0 with attempt 2).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

import httpx

from heygen_lipsync_api.api.assets import complete_asset_direct_upload, create_asset_direct_upload, upload_asset
from heygen_lipsync_api.client import AuthenticatedClient
from heygen_lipsync_api.models import CompleteDirectUploadRequest, CreateDirectUploadRequest, UploadAssetBody
from heygen_lipsync_api.types import File

from . import files
from ._http import EXT_NO_AUTH, EXT_UPLOAD, Delivery, new_idempotency_key, tracking_delivery
from ._responses import asset_of, call_generated, data_of
from .errors import APIError, ConflictError, ValidationError, error_from_transport, raise_for_response
from .models import Asset
from .sources import SUPPORTED_MEDIA_TYPES, check_file, sniff_media_type, validate_idempotency_key

__all__ = ["UploadEvent", "UploadEvents", "UploadProgress", "upload_file"]


@dataclass(frozen=True)
class UploadEvent:
    """Progress of one file's upload.

    ``field`` is the request field the file is for (``video``, ``audio``,
    ``lipsyncs[0].video``; ``file`` for a plain upload), ``path`` the file, ``sent`` the
    bytes sent by this attempt of ``total``, and ``attempt`` counts from 1: a retried
    request sends the file again from 0 with the next number.
    """

    field: str
    path: Path
    sent: int
    total: int
    attempt: int


class UploadEvents:
    """Opt in to ``UploadEvent`` objects: pass ``UploadEvents(handler)`` as the progress callback.

    A bare callable keeps receiving ``(sent, total)`` as before.
    """

    def __init__(self, handler: Callable[[UploadEvent], Any]) -> None:
        self.handler = handler

    def __call__(self, event: UploadEvent) -> Any:
        return self.handler(event)


UploadProgress = Callable[[int, int], Any] | UploadEvents


def _byte_report(on_progress: UploadProgress | None, field: str, path: Path) -> files.ByteReport | None:
    if on_progress is None:
        return None
    if isinstance(on_progress, UploadEvents):
        events = on_progress
        return lambda sent, total, attempt: events(UploadEvent(field, path, sent, total, attempt))
    plain = on_progress
    return lambda sent, total, _attempt: plain(sent, total)


async def upload_file(
    http: httpx.AsyncClient,
    api: AuthenticatedClient,
    path: str | Path,
    *,
    idempotency_key: str | None = None,
    on_progress: UploadProgress | None = None,
    field: str = "file",
) -> Asset:
    """Upload one local file; see ``AsyncLipsyncClient.upload``.

    Raises:
        ValidationError: missing, unreadable or unsupported file (sniffed from its bytes), bad key.
        APIStatusError, APIConnectionError: as for every call; with ``idempotency_key`` set when
            an attempt may have stored the file (retry with that key to store it once).
    """
    path = check_file(Path(path).expanduser(), field="file")
    key = validate_idempotency_key(idempotency_key) if idempotency_key is not None else new_idempotency_key()
    try:
        mime = sniff_media_type(path)
        size = path.stat().st_size
    except OSError as exc:
        raise ValidationError("file", f"cannot read {path}: {exc.strerror or exc}") from None
    if mime is None or mime not in SUPPORTED_MEDIA_TYPES:
        raise ValidationError(
            "file", f"{path} is not a supported file type (mp4, mov, webm, mp3, wav, png, jpeg, pdf, srt)"
        )
    report = _byte_report(on_progress, field, path)
    with tracking_delivery() as delivery:
        try:
            # Looked up at call time: tests lower the threshold to exercise the direct flow.
            if size <= files.MULTIPART_MAX_BYTES:
                return await _upload_multipart(api, path, mime, size, key, report)
            return await _upload_direct(http, api, path, mime, size, key, report, delivery)
        except APIError as exc:
            if delivery.outcome_unknown:
                exc.idempotency_key = key
            raise


async def _upload_multipart(
    api: AuthenticatedClient, path: Path, mime: str, size: int, key: str, report: files.ByteReport | None
) -> Asset:
    with files.ProgressFile(path, size, report) as payload:
        body = UploadAssetBody(file=File(payload=cast(BinaryIO, payload), file_name=path.name, mime_type=mime))
        result = await call_generated(api, upload_asset.asyncio_detailed, body=body, idempotency_key=key)
    return asset_of(result, "upload")


async def _upload_direct(
    http: httpx.AsyncClient,
    api: AuthenticatedClient,
    path: Path,
    mime: str,
    size: int,
    key: str,
    report: files.ByteReport | None,
    delivery: Delivery,
) -> Asset:
    checksum = await asyncio.to_thread(files.sha256_file, path)
    presign = CreateDirectUploadRequest(
        filename=path.name, content_type=mime, size_bytes=size, checksum_sha256=checksum
    )
    data = data_of(
        await call_generated(api, create_asset_direct_upload.asyncio_detailed, body=presign, idempotency_key=key),
        "direct upload",
    )
    # The asset exists from here on: a failure later must still hand back the key.
    delivery.maybe_delivered = True
    asset_id, upload_url = data.get("asset_id"), data.get("upload_url")
    if not isinstance(asset_id, str) or not isinstance(upload_url, str):
        raise APIError(f"direct upload returned no asset_id/upload_url: {dict(data)}", code="unexpected_response")
    max_bytes = data.get("max_bytes")
    if isinstance(max_bytes, int) and not isinstance(max_bytes, bool) and size > max_bytes:
        raise ValidationError("file", f"{path} is {size} bytes; HeyGen accepts at most {max_bytes}")
    raw_headers = data.get("upload_headers")
    headers = {str(k): str(v) for k, v in raw_headers.items()} if isinstance(raw_headers, Mapping) else {}
    if not any(k.lower() == "content-length" for k in headers):
        headers["Content-Length"] = str(size)
    await _put_to_storage(http, upload_url, headers, path, size, report)
    done = await call_generated(
        api,
        complete_asset_direct_upload.asyncio_detailed,
        asset_id,
        body=CompleteDirectUploadRequest(checksum_sha256=checksum),
    )
    return asset_of(done, "complete upload")


async def _put_to_storage(
    http: httpx.AsyncClient,
    upload_url: str,
    headers: dict[str, str],
    path: Path,
    size: int,
    report: files.ByteReport | None,
) -> None:
    # build_request adds Host, User-Agent and timeouts; the body is then swapped for a
    # stream read from disk in chunks (re-readable for retries), never loaded into memory.
    template = http.build_request("PUT", upload_url, headers=headers, extensions={EXT_NO_AUTH: True, EXT_UPLOAD: True})
    request = httpx.Request(
        "PUT",
        template.url,
        headers=template.headers,
        stream=files.FileByteStream(path, size, report, chunk_size=files.CHUNK_SIZE),
        extensions=template.extensions,
    )
    try:
        response = await http.send(request)
    except httpx.TransportError as exc:
        raise error_from_transport(exc, what="HeyGen's upload storage") from exc
    try:
        raise_for_response(response)
    except ConflictError:
        # A replayed upload (same key) whose bytes are already stored: storage answers 409
        # "already complete". Nothing is left to send; completing again returns the asset
        # (and checks the stored bytes against the checksum).
        return
