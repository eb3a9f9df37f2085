"""Deleting the assets a create uploaded from local files, once its job is done with them.

Sources hold the user's face and voice; ``--delete-uploads`` (CLI), ``delete_uploads``
(library, MCP) remove them from HeyGen once the job has finished. Only assets made from
the user's local files are ever deleted, never an asset the user passed by id: within one
process the client remembers the ids each create uploaded (``UploadMemory``); across
processes the ledger does (the job's record holds its local files' content hashes, and
each upload's record the asset made from that content).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from heygen_lipsync.errors import NotFoundError

if TYPE_CHECKING:
    from heygen_lipsync.models import Lipsync
    from heygen_lipsync.store import Ledger

__all__ = ["UploadMemory", "delete_uploads", "uploads_of"]

logger = logging.getLogger("heygen_lipsync")


class _Client(Protocol):
    """What deleting uploads needs of ``AsyncLipsyncClient`` (so this module does not import the client)."""

    ledger: Ledger | None
    uploads: UploadMemory

    async def get(self, lipsync_id: str) -> Lipsync: ...

    async def delete_asset(self, asset_id: str) -> str: ...


# Far enough back that any upload a recorded job used is found, however old the job.
_ANY_AGE_DAYS = 36500.0


class UploadMemory:
    """The asset ids each create of this client uploaded from local files, by lipsync id."""

    def __init__(self) -> None:
        self._by_job: dict[str, tuple[str, ...]] = {}

    def note(self, lipsync_id: str, asset_ids: list[str]) -> None:
        """Remember what the create of ``lipsync_id`` uploaded (nothing when it used ids or URLs)."""
        if asset_ids:
            self._by_job[lipsync_id] = tuple(dict.fromkeys(asset_ids))

    def others_using(self, asset_id: str, lipsync_id: str) -> list[str]:
        """The other jobs of this client whose create used ``asset_id``."""
        return [job for job, assets in self._by_job.items() if job != lipsync_id and asset_id in assets]

    def pop(self, lipsync_id: str) -> tuple[str, ...] | None:
        """The remembered uploads of that job (forgotten now), or None when this client made none for it."""
        return self._by_job.pop(lipsync_id, None)


_UNFINISHED = frozenset({"sending", "unknown", "pending", "queued", "processing", "running", "waiting"})


async def _still_used(client: _Client, asset_id: str, lipsync_id: str) -> str | None:
    """Another job, not finished yet, whose create used this asset (ledger or this client's memory), or None."""
    ledger = client.ledger
    if ledger is not None:
        for record in ledger.jobs_using_asset(asset_id):
            if record.lipsync_id != lipsync_id and record.status in _UNFINISHED:
                return record.lipsync_id or record.batch_id or f"record {record.id}"
    for other in client.uploads.others_using(asset_id, lipsync_id):
        try:
            job = await client.get(other)
        except NotFoundError:
            continue
        if not job.is_finished:
            return other
    return None


def uploads_of(ledger: Ledger | None, lipsync_id: str) -> list[str]:
    """The assets the ledger says the create of ``lipsync_id`` uploaded from local files."""
    if ledger is None:
        return []
    record = ledger.find_by_id(lipsync_id)
    if record is None or record.kind != "lipsync":
        return []
    found = (
        ledger.asset_for(sha, base_url=record.base_url, max_age_days=_ANY_AGE_DAYS) for sha in record.hashes.values()
    )
    return list(dict.fromkeys(asset for asset in found if asset))


async def delete_uploads(client: _Client, lipsync_id: str) -> list[str]:
    """Delete the assets the create of ``lipsync_id`` uploaded; return their ids (already gone ones too).

    Raises:
        APIStatusError, APIConnectionError: a delete failed (the rest are still attempted first).
    """
    remembered = client.uploads.pop(lipsync_id)
    asset_ids = list(remembered) if remembered is not None else uploads_of(client.ledger, lipsync_id)
    deleted: list[str] = []
    failure: Exception | None = None
    for asset_id in asset_ids:
        user = await _still_used(client, asset_id, lipsync_id)
        if user is not None:
            # One upload can serve several jobs (the same file reused): never pull it from under one.
            logger.info("kept asset %s: job %s still uses it (it goes once that one is done with it)", asset_id, user)
            continue
        try:
            await client.delete_asset(asset_id)
        except NotFoundError:
            pass  # already gone: what was asked
        except Exception as exc:  # noqa: BLE001 - try every asset, then report the first failure
            failure = failure or exc
            continue
        if client.ledger is not None:
            client.ledger.forget_asset(asset_id)  # never offered for reuse again
        deleted.append(asset_id)
    if failure is not None:
        raise failure
    return deleted
