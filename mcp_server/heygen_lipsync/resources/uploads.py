"""Uploading local files as assets: multipart up to 32 MB, the direct-upload flow above.

A multipart upload is one POST /v3/assets carrying the file. A direct upload presigns
(POST /v3/assets/direct-uploads with the file's size), PUTs the bytes to the presigned
storage URL without credentials while hashing them, and completes (POST .../complete,
retried on a 409 while the PUT becomes visible) with the SHA-256 of the bytes it sent: the
file is read once, not once to hash and once to send (HeyGen takes the checksum at complete
as well as at presign). It then waits while HeyGen says the asset is still ``processing``
(see ``assets``), so a create that follows can use it. Both carry
one Idempotency-Key, so a retried upload never stores the file twice; once any attempt may
have reached the server, a failure carries that key (``APIError.idempotency_key``).

Progress goes to a plain ``on_progress(sent, total)`` callback, or, for a handler wrapped
in ``UploadEvents``, as ``UploadEvent`` objects that also say which field and file the
bytes belong to and which attempt is sending them (a retry restarts at 0 with attempt 2).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, cast

import httpx

from heygen_lipsync._transport.http import EXT_NO_AUTH, EXT_UPLOAD, Delivery, new_idempotency_key, tracking_delivery
from heygen_lipsync._transport.mapping import error_from_transport, raise_for_response
from heygen_lipsync._transport.responses import asset_of, call_generated, data_of
from heygen_lipsync.errors import APIError, BadRequestError, ConflictError, ValidationError
from heygen_lipsync.media import files
from heygen_lipsync.media.opened import OpenedInput
from heygen_lipsync.media.paths import expand_user
from heygen_lipsync.models import ASSET_WAITING_STATUSES, Asset
from heygen_lipsync.resources import assets
from heygen_lipsync.resources.put_body import HashingPutBody
from heygen_lipsync.sources import (
    SNIFF_BYTES,
    SUPPORTED_MEDIA_TYPES,
    open_checked,
    sniff_bytes,
    validate_idempotency_key,
)
from heygen_lipsync.upload_events import UploadEvent, UploadEvents, UploadProgress
from heygen_lipsync_api.client import AuthenticatedClient

__all__ = ["HEYGEN_ASSET_TYPES", "HEYGEN_LISTS_NOT", "UploadEvent", "UploadEvents", "UploadProgress", "upload_file"]

#: The asset types HeyGen's documentation lists, for the message when it refuses another.
HEYGEN_ASSET_TYPES = "png, jpeg, mp4, webm, mp3, wav, pdf, srt"
#: Types accepted locally that HeyGen does not list (.mov, .m4a): tried, but HeyGen may refuse them.
HEYGEN_LISTS_NOT = frozenset({"video/quicktime", "audio/mp4"})


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
    on_hashed: Callable[[str], Any] | None = None,
) -> Asset:
    """Upload one local file; see ``AsyncLipsyncClient.upload``.

    ``on_hashed(sha256)`` receives the hex SHA-256 of the bytes the accepted attempt sent
    (hashed as they went out), so a caller that keeps content hashes need not read the file
    a second time.

    Raises:
        ValidationError: missing, unreadable or unsupported file (sniffed from its bytes), bad key.
        APIStatusError, APIConnectionError: as for every call; with ``idempotency_key`` set when
            an attempt may have stored the file (retry with that key to store it once).
    """
    # Opened once, then checked and read from that descriptor: nothing swapped in after the
    # check can be sent, and a FIFO cannot block the open.
    given = path if isinstance(path, OpenedInput) and path.is_open else None
    opened = given if given is not None else open_checked(expand_user(path), field="file")
    try:
        key = validate_idempotency_key(idempotency_key) if idempotency_key is not None else new_idempotency_key()
        asset, sha256 = await _upload_opened(http, api, opened, key, on_progress, field)
    finally:
        if given is None:
            opened.close()
    if on_hashed is not None and sha256 is not None:
        on_hashed(sha256)
    return asset


async def _upload_opened(
    http: httpx.AsyncClient,
    api: AuthenticatedClient,
    path: OpenedInput,
    key: str,
    on_progress: UploadProgress | None,
    field: str,
) -> tuple[Asset, str | None]:
    try:
        mime = sniff_bytes(path.read_at(0, SNIFF_BYTES))
        size = path.fstat().st_size
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
                try:
                    return await _upload_multipart(api, path, mime, size, key, report)
                except BadRequestError as exc:
                    if exc.status_code != 413:
                        raise
                    # HeyGen's "32 MB" may be counted in decimal megabytes or with the form's
                    # overhead: a file it finds too large still fits the direct upload.
            asset_wait = on_progress.on_asset_wait if isinstance(on_progress, UploadEvents) else None
            return await _upload_direct(http, api, path, mime, size, key, report, delivery, asset_wait)
        except BadRequestError as exc:
            if delivery.outcome_unknown:
                exc.idempotency_key = key
            if mime in HEYGEN_LISTS_NOT and exc.status_code in (400, 415, 422):
                raise ValidationError(
                    "file",
                    f"HeyGen refused {path.name} ({mime}): {exc.message}. "
                    f"HeyGen lists only {HEYGEN_ASSET_TYPES}: convert the file to one of those (e.g. mp4 or mp3)",
                ) from exc
            raise
        except APIError as exc:
            if delivery.outcome_unknown:
                exc.idempotency_key = key
            raise


async def _upload_multipart(
    api: AuthenticatedClient, path: Path, mime: str, size: int, key: str, report: files.ByteReport | None
) -> tuple[Asset, str | None]:
    from heygen_lipsync_api.api.assets import upload_asset  # the generated operations load on first use
    from heygen_lipsync_api.models import UploadAssetBody
    from heygen_lipsync_api.types import File

    with files.ProgressFile(path, size, report) as payload:
        body = UploadAssetBody(file=File(payload=cast(BinaryIO, payload), file_name=path.name, mime_type=mime))
        result = await call_generated(api, upload_asset.asyncio_detailed, body=body, idempotency_key=key)
        sha256 = payload.hexdigest
    return asset_of(result, "upload"), sha256


async def _upload_direct(
    http: httpx.AsyncClient,
    api: AuthenticatedClient,
    path: OpenedInput,
    mime: str,
    size: int,
    key: str,
    report: files.ByteReport | None,
    delivery: Delivery,
    asset_wait: assets.AssetWaitProgress | None = None,
) -> tuple[Asset, str]:
    asset_id, upload_url, headers = await _presign(api, path, mime, size, key, delivery)
    # The complete call's code loads once the PUT's last bytes are on their way, while
    # storage still receives and stores them, not after its answer.
    checksum = await _put_to_storage(
        http, upload_url, headers, path, size, report, on_sent=lambda: _load_modules(_COMPLETE_MODULES)
    )
    if checksum is None:
        # Storage refused a replayed PUT (bytes already stored), so nothing was hashed:
        # the one case that reads the file a second time.
        checksum = await asyncio.to_thread(files.sha256_file, path)
    done = await assets.complete_with_retry(api, asset_id, checksum)
    asset = asset_of(done, "complete upload")
    status = data_of(done, "complete upload").get("status")
    if isinstance(status, str) and status in ASSET_WAITING_STATUSES:
        # HeyGen may still be preparing a large file: a create sent now would be refused.
        await assets.wait_until_ready(api, asset.asset_id, on_wait=asset_wait)
    return asset, checksum


async def _presign(
    api: AuthenticatedClient, path: Path, mime: str, size: int, key: str, delivery: Delivery
) -> tuple[str, str, dict[str, str]]:
    """Reserve the asset: its id, the URL to PUT the bytes to, and the headers the PUT must carry."""
    from heygen_lipsync_api.api.assets import create_asset_direct_upload
    from heygen_lipsync_api.models import CreateDirectUploadRequest

    presign = CreateDirectUploadRequest(filename=path.name, content_type=mime, size_bytes=size)
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
    return asset_id, upload_url, headers


#: What ``complete`` (and reading its answer) imports on first use.
_COMPLETE_MODULES = (
    "heygen_lipsync_api.api.assets.complete_asset_direct_upload",
    "heygen_lipsync_api.models.complete_direct_upload_request",
    "heygen_lipsync_api.models.complete_direct_upload_response",
)


def _load_modules(names: tuple[str, ...]) -> None:
    """Import ``names`` now; one that fails is left to fail where it is used."""
    for name in names:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


async def _put_to_storage(
    http: httpx.AsyncClient,
    upload_url: str,
    headers: dict[str, str],
    path: OpenedInput,
    size: int,
    report: files.ByteReport | None,
    *,
    on_sent: Callable[[], Any] | None = None,
) -> str | None:
    """PUT the file to storage; return the SHA-256 of the bytes the accepted attempt sent.

    None when storage answered 409 (a replay whose bytes are already stored).

    Raises:
        APIStatusError: storage refused the bytes.
        APIConnectionError: storage could not be reached after retries.
    """
    body = HashingPutBody(path, size, report, on_sent=on_sent)
    # build_request adds Host, User-Agent and timeouts; the body is then swapped for the
    # stream read from the descriptor in pieces (re-readable for retries), never loaded into memory.
    template = http.build_request("PUT", upload_url, headers=headers, extensions={EXT_NO_AUTH: True, EXT_UPLOAD: True})
    request = httpx.Request("PUT", template.url, headers=template.headers, stream=body, extensions=template.extensions)
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
        return None
    return body.hexdigest
