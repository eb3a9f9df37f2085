"""The asset lifecycle after an upload: readiness, get, statuses, delete.

HeyGen's ``complete`` of a direct upload answers with an open ``status``: a large file may
still be ``processing``, and a create sent from it then would be refused. So a direct
upload is followed by ``wait_until_ready``: bounded polling of ``GET /v3/assets/statuses``
on the jobs' rule (``waiting.age_delay``): the next poll after about 8% of the asset's age,
soon at first (``ASSET_FIRST_POLL``, a quarter second: most assets are ready within a
second, and noticing that costs one cheap request) and at most ``ASSET_MAX_POLL_INTERVAL``
apart, reporting each status seen. A 409 from ``complete`` means
the PUT is not visible yet; HeyGen's own code retries it a few times, and so does
``complete_with_retry``.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from heygen_lipsync import polling as waiting
from heygen_lipsync._transport.responses import call_generated
from heygen_lipsync.errors import APIError, ConflictError
from heygen_lipsync.models import AssetStatus
from heygen_lipsync_api.client import AuthenticatedClient

__all__ = [
    "ASSET_FIRST_POLL",
    "ASSET_MAX_POLL_INTERVAL",
    "ASSET_READY_TIMEOUT",
    "COMPLETE_CONFLICT_RETRIES",
    "AssetWaitProgress",
    "asset_statuses",
    "complete_with_retry",
    "wait_until_ready",
]

logger = logging.getLogger("heygen_lipsync")

#: How long a create waits for an uploaded asset to leave ``processing``.
ASSET_READY_TIMEOUT = 600.0
#: The shortest wait between readiness polls (the first ones); later ones follow the asset's age.
ASSET_FIRST_POLL = 0.25
#: The longest wait between readiness polls.
ASSET_MAX_POLL_INTERVAL = 10.0
#: Retries of a ``complete`` answered 409 (the PUT not visible yet), 1 s apart doubling.
COMPLETE_CONFLICT_RETRIES = 3

#: ``on_wait(asset_id, status, elapsed_seconds)``, called after each readiness poll (may be async).
AssetWaitProgress = Callable[[str, str, float], Any]


async def asset_statuses(api: AuthenticatedClient, asset_ids: Sequence[str]) -> list[AssetStatus]:
    """Statuses of many assets, one request per 100 ids (HeyGen's limit, no paging).

    Raises:
        APIStatusError, APIConnectionError: as for every call.
    """
    size = waiting.STATUS_QUERY_MAX_IDS
    ids = list(dict.fromkeys(asset_ids))
    entries: list[AssetStatus] = []
    for start in range(0, len(ids), size):
        chunk = ",".join(ids[start : start + size])
        from heygen_lipsync_api.api.assets import list_asset_statuses_v3  # loaded on first use

        body = await call_generated(api, list_asset_statuses_v3.asyncio_detailed, asset_ids=chunk)
        raw = body.get("data")
        if isinstance(raw, list):
            entries.extend(AssetStatus.from_api(e) for e in raw if isinstance(e, Mapping))
    return entries


async def complete_with_retry(api: AuthenticatedClient, asset_id: str, checksum: str) -> dict[str, Any]:
    """``POST /v3/assets/{id}/complete``, retried on a 409 while the PUT becomes visible.

    Raises:
        ConflictError: still 409 after ``COMPLETE_CONFLICT_RETRIES`` retries.
        APIStatusError, APIConnectionError: as for every call.
    """
    from heygen_lipsync_api.api.assets import complete_asset_direct_upload  # loaded on first use
    from heygen_lipsync_api.models import CompleteDirectUploadRequest

    delays = iter(waiting.poll_delays(1.0, 8.0))
    for attempt in range(COMPLETE_CONFLICT_RETRIES + 1):
        try:
            return await call_generated(
                api,
                complete_asset_direct_upload.asyncio_detailed,
                asset_id,
                body=CompleteDirectUploadRequest(checksum_sha256=checksum),
            )
        except ConflictError as exc:
            if exc.code == "request_in_progress" or attempt == COMPLETE_CONFLICT_RETRIES:
                raise
            logger.info("complete of asset %s answered 409 (upload not visible yet); retrying", asset_id)
            await waiting._sleep(next(delays))
    raise AssertionError("unreachable")  # pragma: no cover


async def wait_until_ready(
    api: AuthenticatedClient,
    asset_id: str,
    *,
    timeout: float = ASSET_READY_TIMEOUT,
    on_wait: AssetWaitProgress | None = None,
) -> None:
    """Poll until the asset may be used in a create (its status no longer processing).

    Raises:
        APIError: the asset failed (``asset_failed``, with HeyGen's reason) or is still not
            ready after ``timeout`` seconds (``asset_not_ready``: create again later with
            ``AssetSource(asset_id)``, the upload is kept).
        APIStatusError, APIConnectionError: as for every call.
    """
    start = waiting._monotonic()
    # ``complete`` has just said the asset is not ready: the first poll comes soon, not at once.
    await _pause(waiting.age_delay(0.0, ASSET_FIRST_POLL, ASSET_MAX_POLL_INTERVAL))
    while True:
        entries = await asset_statuses(api, [asset_id])
        entry = next((e for e in entries if e.asset_id in (asset_id, None)), None)
        status = entry.status if entry else "unknown"
        elapsed = waiting._monotonic() - start
        if on_wait is not None:
            result = on_wait(asset_id, status, elapsed)
            if inspect.isawaitable(result):
                await result
        if entry is not None and entry.status == "failed":
            reason = str(entry.error) if entry.error else "no reason given"
            raise APIError(f"HeyGen could not process uploaded asset {asset_id}: {reason}", code="asset_failed")
        if entry is None or not entry.is_waiting:
            return
        remaining = timeout - elapsed
        if remaining <= 0:
            raise APIError(
                f"uploaded asset {asset_id} is still {status} after {elapsed:.0f} s; the upload is kept: "
                f"create again later with it as an asset id ({asset_id})",
                code="asset_not_ready",
            )
        logger.info("asset %s is %s; waiting before the create", asset_id, status)
        age = waiting._monotonic() - start
        await _pause(min(waiting.age_delay(age, ASSET_FIRST_POLL, ASSET_MAX_POLL_INTERVAL), remaining))


def _pause(seconds: float) -> Awaitable[None]:
    # Looked up at call time: tests replace waiting's clock.
    return waiting._sleep(seconds)
