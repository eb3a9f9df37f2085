"""Many direct uploads in one upload batch: one presign, a PUT per file, one complete, then the batch's items.

HeyGen's asset batch endpoints presign up to 100 direct uploads in one call
(``POST /v3/assets/direct-uploads/batches``) and complete them in one call
(``POST /v3/assets/complete/batches``, answered 202); each file is then checked on its
own, and ``GET /v3/assets/batches/{id}`` says when each is ready (or why it failed). For N
files that take the direct-upload flow (over ``MULTIPART_MAX_BYTES``) that is N PUTs and
about three API requests, where single uploads make 3N plus a readiness poll per file.
Files up to 32 MB stay a single multipart POST each: a batch would not cut their requests.

Each file is sent from its checked descriptor (``OpenedInput``) by the same streamed,
hashed PUT as a single direct upload (``uploads._put_to_storage``). The file's SHA-256,
when already known, goes with the presign, so storage refuses bytes that changed since.
A server without the batch endpoints answers 404 to the presign: ``BatchUploadsUnsupported``
says so, before anything was stored, and the caller uploads the files one by one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from heygen_lipsync import polling as waiting
from heygen_lipsync._transport.http import tracking_delivery
from heygen_lipsync._transport.responses import call_generated, data_of
from heygen_lipsync.errors import APIError, ConflictError, HeyGenError, NotFoundError, ValidationError
from heygen_lipsync.media import files
from heygen_lipsync.media.opened import OpenedInput
from heygen_lipsync.models import Asset
from heygen_lipsync.resources import assets
from heygen_lipsync.resources.uploads import _put_to_storage
from heygen_lipsync.sources import SNIFF_BYTES, SUPPORTED_MEDIA_TYPES, sniff_bytes
from heygen_lipsync_api.client import AuthenticatedClient

__all__ = [
    "MAX_BATCH_FILES",
    "PUT_CONCURRENCY",
    "BatchFile",
    "BatchFileResult",
    "BatchUploadsUnsupported",
    "takes_direct_upload",
    "upload_batch",
]

#: The most files one upload batch takes (HeyGen's limit).
MAX_BATCH_FILES = 100
#: PUTs of one batch in flight at once.
PUT_CONCURRENCY = 4
_FINISHED = frozenset({"completed", "failed"})


class BatchUploadsUnsupported(Exception):
    """The server has no upload batches (404 to the presign): nothing was stored; upload one by one."""


@dataclass
class BatchFile:
    """One file of an upload batch: its checked descriptor, the field it fills, its SHA-256 when known."""

    opened: OpenedInput
    field: str = "file"
    sha256: str | None = None
    report: files.ByteReport | None = None


@dataclass
class BatchFileResult:
    """What became of one file: its asset and the SHA-256 of the bytes sent, or the error that stopped it."""

    asset: Asset | None = None
    sha256: str | None = None
    error: HeyGenError | None = None


def takes_direct_upload(size: int) -> bool:
    """Whether a file of ``size`` bytes goes through the direct-upload flow (and so gains from a batch)."""
    return size > files.MULTIPART_MAX_BYTES  # looked up at call time: tests and benchmarks lower it


def _described(file: BatchFile) -> tuple[str, int]:
    """The file's sniffed media type and size.

    Raises:
        ValidationError: unreadable or unsupported, naming the file's field.
    """
    try:
        mime = sniff_bytes(file.opened.read_at(0, SNIFF_BYTES))
        size = file.opened.fstat().st_size
    except OSError as exc:
        raise ValidationError(file.field, f"cannot read {file.opened}: {exc.strerror or exc}") from None
    if mime is None or mime not in SUPPORTED_MEDIA_TYPES:
        raise ValidationError(
            file.field, f"{file.opened} is not a supported file type (mp4, mov, webm, mp3, wav, png, jpeg, pdf, srt)"
        )
    return mime, size


async def upload_batch(
    http: httpx.AsyncClient,
    api: AuthenticatedClient,
    batch: Sequence[BatchFile],
    *,
    idempotency_key: str,
    title: str | None = None,
    timeout: float = assets.ASSET_READY_TIMEOUT,
) -> list[BatchFileResult]:
    """Upload 1..100 files as one upload batch; one result per file, in order.

    A file that fails (its PUT refused, its bytes refused by HeyGen) fails alone, in its
    result; the others become assets.

    Raises:
        ValidationError: a file is unreadable or unsupported (before any request), or too many files.
        BatchUploadsUnsupported: the server has no upload batches (nothing stored).
        APIStatusError, APIConnectionError: the presign, complete or batch reads failed; once
            the presign may have reached the server the error carries ``idempotency_key``.
    """
    if not 1 <= len(batch) <= MAX_BATCH_FILES:
        raise ValidationError("files", f"an upload batch holds 1 to {MAX_BATCH_FILES} files, got {len(batch)}")
    described = [_described(file) for file in batch]
    with tracking_delivery() as delivery:
        try:
            return await _send(http, api, batch, described, idempotency_key, title, timeout, delivery)
        except APIError as exc:
            if delivery.outcome_unknown:
                exc.idempotency_key = idempotency_key
            raise


async def _send(
    http: httpx.AsyncClient,
    api: AuthenticatedClient,
    batch: Sequence[BatchFile],
    described: list[tuple[str, int]],
    key: str,
    title: str | None,
    timeout: float,
    delivery: Any,
) -> list[BatchFileResult]:
    from heygen_lipsync_api.api.assets import create_asset_upload_batch_v3
    from heygen_lipsync_api.models import CreateAssetUploadBatchRequest

    body: dict[str, Any] = {
        "files": [
            {
                "filename": file.opened.name,
                "content_type": mime,
                "size_bytes": size,
                **({"checksum_sha256": file.sha256} if file.sha256 else {}),
            }
            for file, (mime, size) in zip(batch, described, strict=True)
        ]
    }
    if title is not None:
        body["title"] = title
    try:
        answer = await call_generated(
            api,
            create_asset_upload_batch_v3.asyncio_detailed,
            body=CreateAssetUploadBatchRequest.from_dict(body),
            idempotency_key=key,
        )
    except NotFoundError as exc:
        raise BatchUploadsUnsupported(str(exc)) from exc
    delivery.maybe_delivered = True  # the batch's assets exist from here on
    data = data_of(answer, "upload batch")
    batch_id, slots = data.get("batch_id"), data.get("items")
    if not isinstance(batch_id, str) or not isinstance(slots, list) or len(slots) != len(batch):
        raise APIError(
            f"upload batch returned no batch_id or not one slot per file: {dict(data)}", code="unexpected_response"
        )
    results = [BatchFileResult() for _ in batch]
    gate = asyncio.Semaphore(PUT_CONCURRENCY)

    async def put(index: int) -> None:
        async with gate:
            results[index] = await _put_one(http, batch[index], described[index][1], slots[index])

    await asyncio.gather(*(put(i) for i in range(len(batch))))
    await _complete(api, batch_id)
    items = await _until_finished(api, batch_id, timeout)
    for index, result in enumerate(results):
        if result.error is not None or result.asset is None:
            continue
        item = items.get(index)
        status = item.get("status") if item else None
        if status == "completed":
            continue
        error = item.get("error") if item else None
        reason = error.get("message") or error.get("code") if isinstance(error, Mapping) else None
        result.error = APIError(
            f"HeyGen could not process {batch[index].opened} ({batch[index].field}) uploaded as asset "
            f"{result.asset.asset_id}: {reason or status or 'no status'}",
            code="asset_failed",
        )
        result.asset = None
    return results


async def _put_one(http: httpx.AsyncClient, file: BatchFile, size: int, slot: Any) -> BatchFileResult:
    """PUT one file to its slot: the single direct upload's streamed, hashed PUT."""
    if not isinstance(slot, Mapping) or not isinstance(slot.get("asset_id"), str):
        return BatchFileResult(
            error=APIError(f"upload batch slot without an asset_id: {slot!r}", code="unexpected_response")
        )
    asset_id, upload_url = slot["asset_id"], slot.get("upload_url")
    if not isinstance(upload_url, str):
        return BatchFileResult(
            error=APIError(f"upload batch slot {asset_id} has no upload_url", code="unexpected_response")
        )
    max_bytes = slot.get("max_bytes")
    if isinstance(max_bytes, int) and not isinstance(max_bytes, bool) and size > max_bytes:
        return BatchFileResult(
            error=ValidationError(file.field, f"{file.opened} is {size} bytes; HeyGen accepts at most {max_bytes}")
        )
    raw = slot.get("upload_headers")
    headers = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}
    if not any(k.lower() == "content-length" for k in headers):
        headers["Content-Length"] = str(size)
    try:
        sent = await _put_to_storage(http, upload_url, headers, file.opened, size, file.report)
    except APIError as exc:
        return BatchFileResult(error=exc)
    if sent is None:  # a replayed PUT whose bytes are already stored: nothing was hashed
        sent = file.sha256 or await asyncio.to_thread(files.sha256_file, file.opened)
    return BatchFileResult(asset=Asset(asset_id=asset_id), sha256=sent)


async def _complete(api: AuthenticatedClient, batch_id: str) -> None:
    """Complete the batch, retried on a 409 while a PUT becomes visible (as the single complete)."""
    from heygen_lipsync_api.api.assets import complete_asset_upload_batch_v3
    from heygen_lipsync_api.models import CompleteAssetUploadBatchRequest

    delays = iter(waiting.poll_delays(1.0, 8.0))
    for attempt in range(assets.COMPLETE_CONFLICT_RETRIES + 1):
        try:
            await call_generated(
                api,
                complete_asset_upload_batch_v3.asyncio_detailed,
                body=CompleteAssetUploadBatchRequest(batch_id=batch_id),
            )
            return
        except ConflictError as exc:
            if exc.code == "request_in_progress" or attempt == assets.COMPLETE_CONFLICT_RETRIES:
                raise
            await waiting._sleep(next(delays))


async def _until_finished(api: AuthenticatedClient, batch_id: str, timeout: float) -> dict[int, Mapping[str, Any]]:
    """Read the batch (on the asset readiness schedule) until no item is queued or processing; items by index.

    Raises:
        APIError: ``asset_not_ready`` when items are still processing after ``timeout`` seconds.
    """
    from heygen_lipsync_api.api.assets import get_asset_batch_v3

    start = waiting._monotonic()
    # The complete has just been accepted: the first read comes soon, not at once (as a single upload's).
    await waiting._sleep(waiting.age_delay(0.0, assets.ASSET_FIRST_POLL, assets.ASSET_MAX_POLL_INTERVAL))
    while True:
        items: dict[int, Mapping[str, Any]] = {}
        token: str | None = None
        while True:  # every page (one for up to 100 files)
            kwargs: dict[str, Any] = {"limit": MAX_BATCH_FILES}
            if token is not None:
                kwargs["token"] = token
            data = data_of(
                await call_generated(api, get_asset_batch_v3.asyncio_detailed, batch_id, **kwargs), "upload batch"
            )
            for item in data.get("items") or []:
                if isinstance(item, Mapping) and isinstance(item.get("item_index"), int):
                    items[item["item_index"]] = item
            next_token = data.get("next_token")
            if not data.get("has_more") or not isinstance(next_token, str) or next_token == token:
                break
            token = next_token
        if all(item.get("status") in _FINISHED for item in items.values()):
            return items
        elapsed = waiting._monotonic() - start
        if elapsed >= timeout:
            raise APIError(
                f"upload batch {batch_id} is still processing after {elapsed:.0f} s; its uploads are kept",
                code="asset_not_ready",
            )
        delay = waiting.age_delay(elapsed, assets.ASSET_FIRST_POLL, assets.ASSET_MAX_POLL_INTERVAL)
        await waiting._sleep(min(delay, timeout - elapsed))
