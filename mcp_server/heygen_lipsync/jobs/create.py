"""Submit exactly once: authorize (``authority.py``), send under the decided key, record what happened.

The one rule for "did the create happen?" is ``definitely_not_created``: only a local
refusal or a plain 4xx proves nothing was made. Anything else leaves the record ``unknown``
and hands the caller the key, the only safe way to retry.

When the authority finds an earlier identical job, one GET confirms it is still good before it
is returned (``reused``); a failed or vanished one is marked so and the decision is made again.
A send another process is making is waited for, then reused, instead of paid for twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from heygen_lipsync.errors import (
    APIError,
    APIStatusError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    RateLimitError,
    SpendError,
    ValidationError,
)
from heygen_lipsync.store import FAILED_STATUSES, Ledger

if TYPE_CHECKING:
    from heygen_lipsync.jobs.approval import Approval
    from heygen_lipsync.jobs.authority import SpendAuthority

__all__ = ["CreateOutcome", "definitely_not_created", "reused_assets", "submit_once"]

#: How long a create waits for an identical one another process is sending, before giving up.
WAIT_FOR_OTHER_SECONDS = 15 * 60.0
_WAIT_POLL_SECONDS = 0.5

# The remembered assets one create used instead of uploading: if HeyGen no longer has one,
# the create is refused, and is sent again once with the files uploaded afresh.
reused_assets: ContextVar[list[str] | None] = ContextVar("heygen_lipsync_reused_assets", default=None)


@dataclass(frozen=True)
class CreateOutcome:
    """What a create returned: the new (or earlier, when ``reused``) id, the key it went under, when it was made."""

    id: str
    reused: bool
    idempotency_key: str
    created_at: float


def definitely_not_created(exc: BaseException) -> bool:
    """Whether a create that raised ``exc`` certainly made nothing (a local refusal or a plain 4xx)."""
    if isinstance(exc, ValidationError | ConfigurationError | SpendError):
        return True
    if isinstance(exc, APIError) and exc.idempotency_key:
        return False
    if isinstance(exc, APIStatusError):
        in_progress = isinstance(exc, ConflictError) and exc.code == "request_in_progress"
        return 400 <= exc.status_code < 500 and exc.status_code != 408 and not in_progress
    return False


async def _bookkeep(ledger: Ledger | None, row: int | None, **changes: Any) -> None:
    if ledger is not None and row is not None:
        await asyncio.to_thread(ledger.update, row, **changes)


async def submit_once(
    authority: SpendAuthority,
    *,
    kind: str,
    fingerprint: str,
    idempotency_key: str | None,
    new_job: bool,
    jobs: int,
    estimate_usd: float | None,
    counted_usd: float,
    inputs: dict[str, Any],
    hashes: dict[str, str],
    approval: Approval,
    send: Callable[[str], Awaitable[str]],
    still_good: Callable[[str], Awaitable[str | None]],
    batch_item: Callable[[str, int], Awaitable[str | None]] | None = None,
) -> CreateOutcome:
    """Authorize, then send once (or return the earlier job); see the module docstring.

    ``batch_item(batch_id, index)`` gives the lipsync id of an earlier batch's item, when the
    earlier identical job is one (None when the batch no longer has it).

    ``send(key)`` uploads and creates, returning the new id; ``still_good(id)`` returns the
    job's current status, or None when it no longer exists.

    Raises:
        SpendError: a cap, an approval or the store refused (nothing sent).
        ValidationError: ``idempotency_key`` belongs to a different request.
        HeyGenError: as raised by ``send`` (carrying the key when the outcome is unknown).
    """
    ledger = authority.ledger
    waited = 0.0
    for _ in range(1000):
        decision = await authority.authorize(
            kind=kind,
            fingerprint=fingerprint,
            idempotency_key=idempotency_key,
            new_job=new_job,
            jobs=jobs,
            estimate_usd=estimate_usd,
            counted_usd=counted_usd,
            inputs=inputs,
            hashes=hashes,
            approval=approval,
        )
        record = decision.record
        if decision.action == "reuse" and record is not None and record.kind == "batch_item":
            found = await batch_item(record.batch_id or "", int(record.inputs.get("index", 0))) if batch_item else None
            if found is None:
                await _bookkeep(ledger, record.id, status="not_found")
                continue
            await _bookkeep(ledger, record.id, lipsync_id=found)
            record = dataclasses.replace(record, lipsync_id=found)
        if decision.action == "reuse" and record is not None and record.remote_id:
            status = await still_good(record.remote_id)
            await _bookkeep(ledger, record.id, status=status or "not_found")
            if idempotency_key is not None or (status is not None and status not in FAILED_STATUSES):
                return CreateOutcome(record.remote_id, True, decision.key, record.created_at)
            continue  # that job failed or is gone: decide again (a new job, under the next key)
        if decision.action == "wait":
            if waited >= WAIT_FOR_OTHER_SECONDS:
                raise APIError(
                    "an identical create is still being sent by another process; nothing was sent here. Try again "
                    "once it finishes (heygen-lipsync jobs shows it)",
                    code="create_in_progress",
                )
            await asyncio.sleep(_WAIT_POLL_SECONDS)
            waited += _WAIT_POLL_SECONDS
            continue
        return await _send(authority, decision.key, decision.row, kind, send, resend=decision.action == "resend",
                           given_key=idempotency_key is not None)  # fmt: skip
    raise APIError("the job ledger kept changing under this create; nothing was sent", code="create_in_progress")


async def _send(
    authority: SpendAuthority,
    key: str,
    row: int | None,
    kind: str,
    send: Callable[[str], Awaitable[str]],
    *,
    resend: bool,
    given_key: bool,
) -> CreateOutcome:
    ledger = authority.ledger
    try:
        new_id = await _send_with_live_assets(ledger, key, send)
    except BaseException as exc:
        if isinstance(exc, RateLimitError) and (given_key or resend):
            _still_unknown(exc, key)  # before the status: this refusal does not make the outcome known
        await asyncio.shield(_bookkeep(ledger, row, status="refused" if definitely_not_created(exc) else "unknown"))
        authority.finished(row)
        raise
    ids = {"batch_id": new_id} if kind == "batch" else {"lipsync_id": new_id}
    await _bookkeep(ledger, row, status="pending", **ids)
    authority.finished(row)
    return CreateOutcome(new_id, False, key, time.time())


def _still_unknown(exc: RateLimitError, key: str) -> None:
    """A 429 for a key that was used before: the earlier call's outcome stays unknown, and so does this one's.

    Retrying with the same key is safe whatever happened, so the key is always handed back.
    """
    if not exc.idempotency_key:
        exc.idempotency_key = key


async def _send_with_live_assets(ledger: Ledger | None, key: str, send: Callable[[str], Awaitable[str]]) -> str:
    reused: list[str] = []
    token = reused_assets.set(reused)
    try:
        try:
            return await send(key)
        except (BadRequestError, NotFoundError) as exc:
            if not reused or "asset" not in f"{exc.param or ''} {exc.message}".lower():
                raise
        for asset_id in reused:
            if ledger is not None:
                await asyncio.to_thread(ledger.forget_asset, asset_id)
        reused.clear()
        # HeyGen replays the refusal for the first key: the second try needs its own (stable) key.
        return await send("hl-" + hashlib.sha256(f"{key}\nreupload".encode()).hexdigest()[:48])
    finally:
        reused_assets.reset(token)
