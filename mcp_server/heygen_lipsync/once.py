"""Creates and uploads through the ledger: an identical create never pays twice, a file is uploaded once.

``AsyncLipsyncClient`` calls ``create_once`` for every create (single or batch) and
``upload_once`` for every local file; with no ledger both just send, as before.

A create without a key gets the key derived from its fingerprint (``fingerprint.py``).
When the ledger holds an earlier identical create, the newest one decides:

* it has an id and the job has not failed (checked with one GET): that job is returned,
  ``reused=True``, and nothing is sent;
* its outcome is unknown (sent, no answer recorded): it is sent again with the same key,
  so HeyGen replays the first answer instead of making a second job;
* it failed, was deleted or was refused: a new job, under the next derived key.

A key given by the caller that the ledger holds for a different request is refused
before anything is sent (uploads included), naming the job it belongs to.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._http import new_idempotency_key
from .errors import (
    APIError,
    APIStatusError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    RateLimitError,
    ValidationError,
)
from .files import sha256_file
from .fingerprint import derived_key
from .ledger import FAILED_STATUSES, DailyCaps, JobRecord, Ledger, asset_reuse_days
from .models import Asset

__all__ = ["CreateOutcome", "ago", "create_once", "definitely_not_created", "origin_of", "upload_once"]

# The remembered assets one create used instead of uploading: if HeyGen no longer has one,
# the create is refused, and is sent again once with the files uploaded afresh.
_reused_assets: ContextVar[list[str] | None] = ContextVar("heygen_lipsync_reused_assets", default=None)


@dataclass(frozen=True)
class CreateOutcome:
    """What a create returned: the new (or earlier, when ``reused``) id, the key it went under, when it was made."""

    id: str
    reused: bool
    idempotency_key: str
    created_at: float


def ago(when: float) -> str:
    """'3 min ago', '2 h ago', ...: how long before now ``when`` was."""
    seconds = max(0.0, time.time() - when)
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def origin_of(ledger: Ledger | None, base_url: str) -> str:
    """The base URL records name: the ledger's own origin (the embedded sandbox's), else the client's."""
    return (ledger.origin if ledger is not None else None) or base_url


def definitely_not_created(exc: BaseException) -> bool:
    """Whether a create that raised ``exc`` certainly made nothing (a local refusal or a plain 4xx)."""
    if isinstance(exc, ValidationError | ConfigurationError):
        return True
    if isinstance(exc, APIError) and exc.idempotency_key:
        return False
    if isinstance(exc, APIStatusError):
        in_progress = isinstance(exc, ConflictError) and exc.code == "request_in_progress"
        return 400 <= exc.status_code < 500 and exc.status_code != 408 and not in_progress
    return False


async def create_once(
    ledger: Ledger | None,
    caps: DailyCaps,
    *,
    kind: str,
    base_url: str,
    fingerprint: str | None,
    idempotency_key: str | None,
    new_job: bool,
    jobs: int,
    estimate_usd: float | None,
    inputs: Mapping[str, Any],
    hashes: Mapping[str, str],
    send: Callable[[str], Awaitable[str]],
    still_good: Callable[[str], Awaitable[str | None]],
) -> CreateOutcome:
    """Create through the ledger; see the module docstring.

    ``send(key)`` uploads and creates, returning the new id; ``still_good(id)`` returns the
    job's current status, or None when it no longer exists.

    Raises:
        ValidationError: ``idempotency_key`` belongs to a different request in the ledger.
        DailyCapError: a daily cap would be passed.
        HeyGenError: as raised by ``send``.
    """
    if ledger is None or fingerprint is None:
        key = idempotency_key or new_idempotency_key()
        try:
            return CreateOutcome(await send(key), False, key, time.time())
        except RateLimitError as exc:
            if idempotency_key is not None:
                _still_unknown(exc, key)
            raise
    origin = origin_of(ledger, base_url)
    resend: JobRecord | None = None
    if idempotency_key is not None:
        key = idempotency_key
        prior = ledger.find_by_key(key, base_url=origin)
        if prior is not None and prior.fingerprint != fingerprint:
            what = f"{prior.kind} {prior.remote_id}" if prior.remote_id else f"an earlier {prior.kind} create"
            raise ValidationError(
                "idempotency_key",
                f"{key!r} was already used for a different request ({what}, made {ago(prior.created_at)}); "
                "nothing was sent: give a new key, or omit it",
            )
        if prior is not None and prior.remote_id:
            ledger.update(prior.id, status=await still_good(prior.remote_id) or "not_found")
            return CreateOutcome(prior.remote_id, True, key, prior.created_at)
        resend = prior
    elif new_job:
        key = new_idempotency_key()
    else:
        earlier = ledger.find_by_fingerprint(fingerprint, base_url=origin)
        for record in earlier:
            if record.status in FAILED_STATUSES:
                continue
            if record.remote_id:
                status = await still_good(record.remote_id)
                ledger.update(record.id, status=status or "not_found")
                if status is not None and status not in FAILED_STATUSES:
                    return CreateOutcome(record.remote_id, True, record.idempotency_key or "", record.created_at)
                continue
            if record.outcome_unknown and record.idempotency_key:
                resend = record
                break
        key = resend.idempotency_key if resend and resend.idempotency_key else derived_key(fingerprint, len(earlier))
    if resend is None:
        caps.check(ledger, jobs=jobs, estimate_usd=estimate_usd)
        row = ledger.record(
            kind=kind,
            base_url=origin,
            fingerprint=fingerprint,
            idempotency_key=key,
            inputs=inputs,
            hashes=hashes,
            estimate_usd=estimate_usd,
        )
    else:  # an unknown outcome sent again under its key: already counted
        row = resend.id
        ledger.update(row, status="sending")
    try:
        new_id = await _send_with_live_assets(ledger, key, send)
    except BaseException as exc:
        if isinstance(exc, RateLimitError) and (idempotency_key is not None or resend is not None):
            _still_unknown(exc, key)  # before the status: this refusal does not make the outcome known
        ledger.update(row, status="refused" if definitely_not_created(exc) else "unknown")
        raise
    if kind == "batch":
        ledger.update(row, status="pending", batch_id=new_id)
    else:
        ledger.update(row, status="pending", lipsync_id=new_id)
    return CreateOutcome(new_id, False, key, time.time())


def _still_unknown(exc: RateLimitError, key: str) -> None:
    """A 429 for a key that was used before: the earlier call's outcome stays unknown, and so does this one's.

    A resend under a given key (the one an unknown outcome handed out, or the ledger's) that
    meets only 429s says nothing about what the earlier call with that key made. Without the
    key on this error the caller would read "not created" and create again: a second, paid
    job. Retrying with the same key is safe whatever happened, so the key is always handed back.
    """
    if not exc.idempotency_key:
        exc.idempotency_key = key


async def _send_with_live_assets(ledger: Ledger, key: str, send: Callable[[str], Awaitable[str]]) -> str:
    reused: list[str] = []
    token = _reused_assets.set(reused)
    try:
        try:
            return await send(key)
        except (BadRequestError, NotFoundError) as exc:
            if not reused or "asset" not in f"{exc.param or ''} {exc.message}".lower():
                raise
        for asset_id in reused:
            ledger.forget_asset(asset_id)
        reused.clear()
        # HeyGen replays the refusal for the first key: the second try needs its own (stable) key.
        return await send("hl-" + hashlib.sha256(f"{key}\nreupload".encode()).hexdigest()[:48])
    finally:
        _reused_assets.reset(token)


async def upload_once(
    ledger: Ledger | None,
    *,
    base_url: str,
    path: Path,
    digest: str | None,
    upload: Callable[[Callable[[str], Any]], Awaitable[Asset]],
    still_there: Callable[[str], Awaitable[Asset | None]] | None = None,
) -> Asset:
    """Upload ``path``, or reuse the asset of a file with the same content uploaded lately.

    ``upload(on_hashed)`` sends the file and passes ``on_hashed`` the SHA-256 of the bytes it
    sent. The file is hashed before sending only when a remembered upload has its size (no
    other could hold the same content); otherwise it is read once, and the hash taken while
    sending is what the ledger keeps for the next upload of the same content.

    Inside a create, a reused asset HeyGen no longer has makes the create fail;
    ``create_once`` then forgets it and sends the create again with the file uploaded
    afresh. A plain upload has no such second chance, so it asks first: ``still_there(id)``
    returns the asset when HeyGen still has it, None when it is gone (forgotten, then
    uploaded again). Without ``still_there`` a plain upload always uploads.

    Raises:
        HeyGenError: as raised by ``upload``; ``ConfigurationError`` for a malformed
            ``HEYGEN_LIPSYNC_ASSET_REUSE_DAYS``.
    """
    sent: list[str] = []
    if ledger is None:
        return await upload(sent.append)
    origin = origin_of(ledger, base_url)
    max_age = asset_reuse_days()
    try:
        stat = path.stat()
        size = stat.st_size
        if digest is None and ledger.may_have_asset_of_size(size, base_url=origin, max_age_days=max_age):
            digest = await asyncio.to_thread(sha256_file, path)
    except OSError:
        return await upload(sent.append)  # the upload reports the unreadable file properly
    known = None if digest is None else ledger.asset_for(digest, base_url=origin, max_age_days=max_age)
    collector = _reused_assets.get()
    if known is not None and collector is not None:  # inside a create, which can recover
        collector.append(known)
        return Asset(asset_id=known)
    if known is not None and still_there is not None:
        alive = await still_there(known)
        if alive is not None:
            return alive
        ledger.forget_asset(known)
    # The size and modification time let a later process probe the file for a price (if unchanged).
    inputs = {"file": str(path), "abs_path": str(path.absolute()), "size_bytes": size, "mtime_ns": stat.st_mtime_ns}
    row = ledger.record(kind="upload", base_url=origin, inputs=inputs, hashes={"file": digest} if digest else {})
    try:
        asset = await upload(sent.append)
    except BaseException as exc:
        ledger.update(row, status="refused" if definitely_not_created(exc) else "unknown")
        raise
    # The bytes sent are what HeyGen holds: their hash, not one taken before, names the asset.
    ledger.update(row, status="uploaded", asset_id=asset.asset_id, hashes={"file": sent[-1]} if sent else None)
    return asset
