"""The spend authority: dedupe, daily caps, the approval consumed and the record, in ONE store transaction.

Every paid create passes ``SpendAuthority.authorize`` exactly once per job (batch: once for
the batch, counting its items). Inside one write transaction of the job store it:

1. looks up the fingerprint (or the caller's key): an earlier job that has not failed is
   reused (nothing is paid); an earlier send with no recorded answer is sent again under its
   key (HeyGen replays the first answer); a send still in flight in another process is waited
   for instead of sent twice;
2. checks the daily caps, counting jobs of unknown length by ``UNKNOWN_JOB_SECONDS``;
3. consumes the approval's nonce (a token pays once, on any process sharing the store);
4. records the job as ``sending``, owned by this process.

The transaction runs off the event loop and waits for another process's lock at most
``HEYGEN_LIPSYNC_STORE_WAIT_SECONDS``. When caps or a token need the store and it cannot be
trusted (locked past that wait, corrupt, read-only, full), nothing is spent and the error names
the setting (fail closed). With neither, the create goes ahead on the fingerprint-derived key,
which still makes it exactly-once at HeyGen.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from heygen_lipsync.errors import ApprovalError, DailyCapError, StoreUnavailableError, ValidationError
from heygen_lipsync.jobs.approval import Approval
from heygen_lipsync.jobs.fingerprint import derived_key
from heygen_lipsync.store import (
    ENV_LEDGER,
    ENV_MAX_JOBS_PER_DAY,
    ENV_MAX_SPEND_PER_DAY,
    ENV_STORE_WAIT,
    FAILED_STATUSES,
    DailyCaps,
    JobRecord,
    Ledger,
    record_of,
)
from heygen_lipsync.store.dialect import Conn

__all__ = ["OWNER", "Decision", "SpendAuthority", "ago"]

logger = logging.getLogger("heygen_lipsync")
_DAY = 24 * 3600.0
#: Who is sending: this host and process. A record another live process is sending is waited for.
OWNER = f"{socket.gethostname()}:{os.getpid()}"
#: A send owned by another machine counts as in flight this long after its last update.
_LEASE_SECONDS = 15 * 60.0
#: The ledger rows this process is sending now (every client of the process: a row is one job).
_SENDING: set[int] = set()


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


@dataclass(frozen=True)
class Decision:
    """What the authority decided: ``new`` (send under ``key``, recorded as ``row``), ``resend`` (an unknown
    outcome, under its key), ``reuse`` (an earlier job: nothing to send), ``wait`` (in flight elsewhere),
    or ``unrecorded`` (no store: send under ``key``, nothing recorded)."""

    action: str
    key: str
    row: int | None = None
    record: JobRecord | None = None


def _alive(owner: str | None, mine: set[int], row: int) -> bool:
    """Whether the process named by ``owner`` may still be sending ``row``."""
    if not owner:
        return False
    host, _, pid = owner.rpartition(":")
    if owner == OWNER:
        return row in mine
    if host != socket.gethostname():
        return True  # judged by the lease
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


class SpendAuthority:
    """The one place a paid job is authorized; see the module docstring."""

    def __init__(self, ledger: Ledger | None, caps: DailyCaps, *, origin: str) -> None:
        self.ledger = ledger
        self.caps = caps
        self.origin = origin
        self._sending = _SENDING

    @property
    def caps_configured(self) -> bool:
        """Whether a daily cap is set (then an untrusted store refuses spends)."""
        return self.caps.max_jobs is not None or self.caps.max_spend_usd is not None

    # -- reading ---------------------------------------------------------------------------

    async def earlier(self, fingerprint: str) -> JobRecord | None:
        """The newest earlier job with this fingerprint that covers a new one (for a quote), or None.

        One that exists and has not failed, or one sent with no answer recorded (sending it
        again under its key completes the spend that was approved then; it is not a new one).
        """
        if self.ledger is None:
            return None
        found = await asyncio.to_thread(self.ledger.find_by_fingerprint, fingerprint, base_url=self.origin)
        covering = (r for r in found if r.status not in FAILED_STATUSES and (r.remote_id or r.outcome_unknown))
        return next(covering, None)

    async def consume(self, approval: Approval, fingerprint: str) -> None:
        """Use up a token's approval on its own (a campaign, whose rows then pass ``authorize`` one by one).

        Raises:
            ApprovalError: the token was already used.
            StoreUnavailableError: the store cannot be trusted now (a token must pay once).
        """
        if approval.nonce is None:
            return
        ledger = self.ledger
        if ledger is None or not ledger.usable:
            self._without_store(fingerprint, None, False, approval)
            return
        assert ledger is not None

        def work() -> None:
            with ledger.transaction() as conn:
                _insert_nonce(conn, approval.nonce or "", fingerprint)

        await asyncio.to_thread(work)

    # -- the transaction -------------------------------------------------------------------

    async def authorize(
        self,
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
    ) -> Decision:
        """Decide and record, in one store transaction (off the event loop, bounded wait).

        Raises:
            DailyCapError: a daily cap would be passed.
            ApprovalError: the approval's token was already used.
            StoreUnavailableError: a cap or a token needs the store, which cannot be trusted now.
            ValidationError: ``idempotency_key`` belongs to a different request.
        """
        ledger = self.ledger
        usable = ledger is not None and ledger.failure is None
        if not usable:
            return self._without_store(fingerprint, idempotency_key, new_job, approval)
        assert ledger is not None
        args = (kind, fingerprint, idempotency_key, new_job, jobs, estimate_usd, counted_usd, inputs, hashes, approval)
        try:
            decision = await asyncio.to_thread(self._decide, ledger, *args)
        except StoreUnavailableError as exc:
            return self._without_store(fingerprint, idempotency_key, new_job, approval, why=str(exc))
        if decision.action in ("new", "resend") and decision.row is not None:
            self._sending.add(decision.row)
        return decision

    def finished(self, row: int | None) -> None:
        """This process no longer sends ``row`` (it has an answer, or failed)."""
        self._sending.discard(row or -1)

    def _without_store(
        self, fingerprint: str, key: str | None, new_job: bool, approval: Approval, *, why: str | None = None
    ) -> Decision:
        ledger = self.ledger
        if ledger is None:
            why = why or "the job ledger is off (HEYGEN_LIPSYNC_LEDGER=off), so the cap cannot be counted"
            if not self.caps_configured:
                why = None
        else:
            why = why or f"the job ledger at {ledger.dialect.where} cannot be used ({ledger.failure})"
        if why is not None and (self.caps_configured or approval.nonce is not None):
            setting = ENV_MAX_JOBS_PER_DAY if self.caps.max_jobs is not None else ENV_MAX_SPEND_PER_DAY
            needs = f"{setting} is set" if self.caps_configured else "an approval token must be used once"
            fix = "fix or move the ledger file (HEYGEN_LIPSYNC_LEDGER)"
            if ledger is not None and ledger.dialect.setting != ENV_LEDGER:
                fix = f"check the database {ledger.dialect.setting} names"
            raise StoreUnavailableError(
                f"{needs}, but {why}; nothing was sent. Try again in a moment, or {fix}, or raise {ENV_STORE_WAIT}"
            )
        if approval.nonce is not None and not _consume_in_memory(approval.nonce):
            raise ApprovalError("that approval_token was already used; nothing was sent", code="approval_used")
        if why is not None:
            logger.warning("%s; sending on the request's derived key (still exactly-once at HeyGen)", why)
        return Decision("unrecorded", key or (_random_key() if new_job else derived_key(fingerprint)))

    def _decide(
        self,
        ledger: Ledger,
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
    ) -> Decision:
        origin = self.origin
        with ledger.transaction() as conn:
            earlier: list[JobRecord] = []
            if idempotency_key is not None:
                rows = conn.execute(
                    "SELECT * FROM jobs WHERE idempotency_key = ? AND base_url = ? AND kind != 'upload'"
                    " ORDER BY id DESC LIMIT 1",
                    (idempotency_key, origin),
                ).fetchall()
                prior = record_of(rows[0]) if rows else None
                if prior is not None and prior.fingerprint != fingerprint:
                    what = f"{prior.kind} {prior.remote_id}" if prior.remote_id else f"an earlier {prior.kind} create"
                    raise ValidationError(
                        "idempotency_key",
                        f"{idempotency_key!r} was already used for a different request ({what}, made "
                        f"{ago(prior.created_at)}); nothing was sent: give a new key, or omit it",
                    )
                earlier = [prior] if prior is not None else []
            by_content = not earlier and not new_job
            if by_content:  # the same content, fields and options is the same job, whatever key is given
                rows = conn.execute(
                    "SELECT * FROM jobs WHERE fingerprint = ? AND base_url = ? AND kind != 'upload' ORDER BY id DESC",
                    (fingerprint, origin),
                ).fetchall()
                earlier = [record_of(r) for r in rows]
            if idempotency_key is not None:
                key = idempotency_key
            elif new_job:
                key = _random_key()
            else:  # an item of an earlier batch is the same job, but only a create of this kind moves the key
                key = derived_key(fingerprint, sum(1 for r in earlier if r.kind == kind))
            for record in earlier:
                if record.status in FAILED_STATUSES and by_content:
                    continue
                if record.remote_id:
                    return Decision("reuse", record.idempotency_key or key, record.id, record)
                if record.outcome_unknown and record.idempotency_key:
                    stale = record.updated_at < time.time() - _LEASE_SECONDS
                    if record.status == "sending" and not stale and _alive(record.owner, self._sending, record.id):
                        return Decision("wait", record.idempotency_key, record.id, record)
                    conn.execute(
                        "UPDATE jobs SET status = 'sending', owner = ?, updated_at = ? WHERE id = ?",
                        (OWNER, time.time(), record.id),
                    )
                    return Decision("resend", record.idempotency_key, record.id, record)
            self._check_caps(conn, jobs, counted_usd, estimate_usd)
            if approval.nonce is not None:
                _insert_nonce(conn, approval.nonce, fingerprint)
            now = time.time()
            rows = conn.execute(
                "INSERT INTO jobs (created_at, updated_at, kind, base_url, fingerprint, idempotency_key, inputs,"
                " hashes, estimate_usd, status, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sending', ?) RETURNING id",
                (now, now, kind, origin, fingerprint, key,
                 json.dumps({**inputs, "counted_usd": counted_usd}, default=str), json.dumps(hashes),
                 estimate_usd, OWNER),
            ).fetchall()  # fmt: skip
            return Decision("new", key, int(rows[0]["id"]))

    def _check_caps(self, conn: Conn, jobs: int, counted_usd: float, estimate_usd: float | None) -> None:
        caps = self.caps
        if caps.max_jobs is None and caps.max_spend_usd is None:
            return
        rows = conn.execute(
            "SELECT kind, inputs, estimate_usd FROM jobs WHERE created_at >= ? AND kind IN ('lipsync', 'batch')"
            " AND status != 'refused'",
            (time.time() - _DAY,),
        ).fetchall()
        done, spent = 0, 0.0
        for row in rows:
            record = record_of(row)
            done += int(record.inputs.get("items", 1) or 1) if record.kind == "batch" else 1
            known = record.estimate_usd if record.estimate_usd is not None else record.counted_usd
            spent += float(known or 0.0)
        if caps.max_jobs is not None and done + jobs > caps.max_jobs:
            raise DailyCapError(
                f"{ENV_MAX_JOBS_PER_DAY}={caps.max_jobs}: {done} job(s) created in the last 24 hours on this install "
                f"(unknown outcomes included), {jobs} more asked for; nothing was sent. Wait, or raise the cap."
            )
        if caps.max_spend_usd is not None and spent + counted_usd > caps.max_spend_usd:
            unknown = "" if estimate_usd is not None else " (its length is unknown, counted by the unknown-length rule)"
            raise DailyCapError(
                f"{ENV_MAX_SPEND_PER_DAY}={caps.max_spend_usd:g}: ${spent:.2f} estimated in the last 24 hours on "
                f"this install, this create adds ${counted_usd:.2f}{unknown}; nothing was sent. Wait, or raise the cap."
            )


def _random_key() -> str:
    from heygen_lipsync._transport.http import (
        new_idempotency_key,
    )  # the HTTP stack loads when a request is made, not with the MCP server

    return new_idempotency_key()


def _insert_nonce(conn: Conn, nonce: str, fingerprint: str) -> None:
    inserted = conn.execute(
        "INSERT INTO approvals (nonce, used_at, fingerprint) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING nonce",
        (nonce, time.time(), fingerprint),
    ).fetchall()
    if not inserted:  # another process (or replica sharing the store) used it first
        raise ApprovalError(
            "that approval_token was already used (each pays for its jobs once); nothing was sent. "
            "Call again without it for a new preview, and ask the user again",
            code="approval_used",
        )


_USED_NONCES: set[str] = set()


def _consume_in_memory(nonce: str) -> bool:
    """Single use within this process when the install runs without a ledger (``HEYGEN_LIPSYNC_LEDGER=off``)."""
    if nonce in _USED_NONCES:
        return False
    _USED_NONCES.add(nonce)
    return True
