"""The local job ledger: a small SQLite record of every create, upload and download of this install.

Where it lives: ``HEYGEN_LIPSYNC_LEDGER`` (a file path, or ``off``), else
``ledger.sqlite3`` in the platform's user data directory (e.g.
``~/.local/share/heygen-lipsync`` on Linux). The embedded sandbox keeps its own ledger
beside its data, so sandbox and real jobs never mix; every record names the base URL it
was made against.

Several processes may use one ledger at once: WAL journal, a busy timeout, and writes in
``BEGIN IMMEDIATE`` transactions, so a writer waits its turn instead of failing with
"database is locked". The schema carries a version (``PRAGMA user_version``).

The ledger never blocks work: if it cannot be opened or turns out corrupt, one warning is
logged (stderr) and every method becomes a no-op that finds nothing.

Statuses of a record: ``sending`` (written before the request: a crash leaves it, an unknown
outcome), ``unknown`` (the request failed without saying whether the job was made),
``refused`` (definitely nothing made), then the remote status (``pending``, ``completed``,
``failed``, ...) once known. Every status but ``refused`` counts towards the daily caps.

```python
ledger = Ledger.open(path)            # or open_default(); None when turned off
rec = ledger.record(kind="lipsync", base_url=url, fingerprint=fp, idempotency_key=key, inputs={...})
ledger.update(rec.id, lipsync_id="ls_1", status="pending")
ledger.find_by_fingerprint(fp, base_url=url); ledger.find_by_id("ls_1"); ledger.recent(limit=20)
```
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from heygen_lipsync.errors import ConfigurationError, DailyCapError, StoreUnavailableError

__all__ = [
    "DEFAULT_ASSET_REUSE_DAYS",
    "ENV_ASSET_REUSE_DAYS",
    "ENV_LEDGER",
    "ENV_MAX_JOBS_PER_DAY",
    "ENV_MAX_SPEND_PER_DAY",
    "FAILED_STATUSES",
    "LEDGER_FILENAME",
    "SCHEMA_VERSION",
    "DailyCapError",
    "DailyCaps",
    "JobRecord",
    "Ledger",
    "asset_reuse_days",
    "default_ledger_path",
    "open_default",
    "sandbox_ledger",
]

ENV_LEDGER = "HEYGEN_LIPSYNC_LEDGER"
ENV_ASSET_REUSE_DAYS = "HEYGEN_LIPSYNC_ASSET_REUSE_DAYS"
ENV_MAX_JOBS_PER_DAY = "HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY"
ENV_MAX_SPEND_PER_DAY = "HEYGEN_LIPSYNC_MAX_SPEND_PER_DAY"
DEFAULT_ASSET_REUSE_DAYS = 7.0
LEDGER_FILENAME = "ledger.sqlite3"
SCHEMA_VERSION = 2
ENV_STORE_WAIT = "HEYGEN_LIPSYNC_STORE_WAIT_SECONDS"
#: How long a spend waits for another process's write to the ledger before refusing (fail closed).
DEFAULT_STORE_WAIT_SECONDS = 5.0
#: How long a bookkeeping write (a status, a download) waits before it is skipped: never long on an event loop.
_BEST_EFFORT_WAIT_SECONDS = 1.0
_DAY = 24 * 3600.0
# Statuses that mean the job exists but will never produce a video: they do not block a new identical create.
FAILED_STATUSES = frozenset({"failed", "deleted", "not_found", "refused"})

logger = logging.getLogger("heygen_lipsync.ledger")
_warned: set[str] = set()
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    kind TEXT NOT NULL,
    base_url TEXT NOT NULL,
    fingerprint TEXT,
    idempotency_key TEXT,
    inputs TEXT NOT NULL DEFAULT '{}',
    hashes TEXT NOT NULL DEFAULT '{}',
    estimate_usd REAL,
    lipsync_id TEXT,
    batch_id TEXT,
    asset_id TEXT,
    status TEXT NOT NULL,
    downloads TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS jobs_fingerprint ON jobs (fingerprint);
CREATE INDEX IF NOT EXISTS jobs_key ON jobs (idempotency_key);
CREATE INDEX IF NOT EXISTS jobs_lipsync ON jobs (lipsync_id);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at);
CREATE TABLE IF NOT EXISTS probes (
    sha256 TEXT PRIMARY KEY,
    probe TEXT NOT NULL,
    updated_at REAL NOT NULL
);
"""
# Version 2: who is sending a record (so another process waits instead of sending twice),
# single-use approvals, and the install's own approval secret.
_SCHEMA_V2 = """
ALTER TABLE jobs ADD COLUMN owner TEXT;
CREATE TABLE IF NOT EXISTS approvals (
    nonce TEXT PRIMARY KEY,
    used_at REAL NOT NULL,
    fingerprint TEXT
);
CREATE TABLE IF NOT EXISTS install (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class JobRecord:
    """One row of the ledger: a create (``kind`` lipsync or batch) or an upload."""

    id: int
    created_at: float
    updated_at: float
    kind: str
    base_url: str
    fingerprint: str | None
    idempotency_key: str | None
    inputs: dict[str, Any]
    hashes: dict[str, str]
    estimate_usd: float | None
    lipsync_id: str | None
    batch_id: str | None
    asset_id: str | None
    status: str
    downloads: list[dict[str, Any]] = field(default_factory=list)
    #: The process that is sending it ("host:pid"), while its status is ``sending``.
    owner: str | None = None

    @property
    def remote_id(self) -> str | None:
        """The id HeyGen gave it (lipsync, batch or asset), once known."""
        return self.lipsync_id or self.batch_id or self.asset_id

    @property
    def outcome_unknown(self) -> bool:
        """Sent (or about to be) with no answer recorded: the job may or may not exist."""
        return self.remote_id is None and self.status in ("sending", "unknown")

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON (times as ISO 8601 UTC)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["created_at"] = _iso(self.created_at)
        out["updated_at"] = _iso(self.updated_at)
        out["title"] = self.inputs.get("title")
        out["mode"] = self.inputs.get("mode")
        out["output_path"] = self.downloads[-1]["path"] if self.downloads else None
        return out


def _iso(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def _json(raw: Any, default: T) -> T:
    """A JSON column's value; ``default`` for a missing, malformed or mistyped one (rows other versions wrote)."""
    try:
        value = json.loads(raw) if isinstance(raw, str | bytes) else raw
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def _row(row: sqlite3.Row) -> JobRecord:
    """A record from a row, tolerating missing columns and bad JSON (a bad row never breaks a command)."""
    have = set(row.keys())

    def col(name: str, default: Any = None) -> Any:
        return row[name] if name in have else default

    estimate = col("estimate_usd")
    return JobRecord(
        id=int(col("id", 0) or 0),
        created_at=float(col("created_at", 0.0) or 0.0),
        updated_at=float(col("updated_at", 0.0) or 0.0),
        kind=str(col("kind", "lipsync") or "lipsync"),
        base_url=str(col("base_url", "") or ""),
        fingerprint=col("fingerprint"),
        idempotency_key=col("idempotency_key"),
        inputs=_json(col("inputs", "{}"), {}),
        hashes=_json(col("hashes", "{}"), {}),
        estimate_usd=float(estimate) if isinstance(estimate, int | float) else None,
        lipsync_id=col("lipsync_id"),
        batch_id=col("batch_id"),
        asset_id=col("asset_id"),
        status=str(col("status", "unknown") or "unknown"),
        downloads=_json(col("downloads", "[]"), []),
        owner=col("owner"),
    )


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema to ``SCHEMA_VERSION`` in one write transaction (safe when processes start together).

    Raises:
        sqlite3.DatabaseError: the file is newer than this version knows, or not a ledger.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {version} is newer than this heygen-lipsync knows")
        if version < 1:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
        if version < 2:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
            for statement in _SCHEMA_V2.split(";"):
                if statement.strip() and not ("ADD COLUMN owner" in statement and "owner" in columns):
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def store_wait_seconds(env: Mapping[str, str] | None = None) -> float:
    """How long a spend waits for the ledger's write lock (``HEYGEN_LIPSYNC_STORE_WAIT_SECONDS``, default 5).

    Raises:
        ConfigurationError: not a number of 0 or more.
    """
    value = _number(os.environ if env is None else env, ENV_STORE_WAIT, float)
    return DEFAULT_STORE_WAIT_SECONDS if value is None else value


def _warn_once(where: str, exc: BaseException) -> None:
    if where not in _warned:
        _warned.add(where)
        logger.warning(
            "the job ledger at %s cannot be used (%s); carrying on without it (no deduplication, resume or "
            "daily caps). Move the file aside, or set %s=off.",
            where,
            exc,
            ENV_LEDGER,
        )


class Ledger:
    """The ledger file; open with ``Ledger.open`` (or ``open_default``). Safe to share across threads.

    Every method swallows database errors (after one warning) and then acts as an empty
    ledger: losing the ledger only removes its conveniences.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection | None, *, origin: str | None = None) -> None:
        self.path = path
        #: Why this ledger cannot be used (it could not be opened, or a write failed), or None.
        #: Spends that need the ledger (caps, approvals) refuse while it is set.
        self.failure: str | None = None
        #: The base URL every record of this ledger names instead of the client's (the embedded
        #: sandbox listens on a new port each run; its ledger names it "sandbox").
        self.origin = origin
        self._conn: sqlite3.Connection | None = conn
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, origin: str | None = None) -> Ledger:
        """Open (creating or migrating if needed) the ledger at ``path``.

        A ledger that cannot be used is still returned, after one warning, with ``failure``
        saying why: its bookkeeping finds nothing, and spends that need it (caps, approvals)
        refuse instead of carrying on blind.

        Several processes starting at once migrate safely: the version is read again inside
        the write transaction that migrates.
        """
        where = Path(path).expanduser()
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(where, timeout=store_wait_seconds(), isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(store_wait_seconds() * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                _migrate(conn)
            conn.execute("SELECT count(*) FROM jobs").fetchone()
            conn.execute(f"PRAGMA busy_timeout = {int(_BEST_EFFORT_WAIT_SECONDS * 1000)}")
        except (sqlite3.Error, OSError) as exc:
            _warn_once(str(where), exc)
            failed = cls(where, None, origin=origin)
            failed.failure = f"{exc}"
            return failed
        return cls(where, conn, origin=origin)

    def close(self) -> None:
        """Close the database connection (further calls find nothing)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- plumbing -------------------------------------------------------------------------

    def _guard(self, fallback: T, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            conn = self._conn
            if conn is None:
                return fallback
            try:
                return work(conn)
            except sqlite3.OperationalError as exc:
                if _is_busy(exc):  # another process holds the write lock: skip this once, keep the ledger
                    logger.debug("ledger busy, skipped a bookkeeping step: %s", exc)
                    return fallback
                self._broken(exc)
                return fallback
            except sqlite3.Error as exc:
                self._broken(exc)
                return fallback

    def _broken(self, exc: BaseException) -> None:
        _warn_once(str(self.path), exc)
        self.failure = str(exc)
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None

    @contextmanager
    def transaction(self, *, wait_seconds: float | None = None) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``) that waits at most ``wait_seconds`` for the write lock.

        For the spend authority: unlike the bookkeeping methods it raises instead of carrying on.

        Raises:
            StoreUnavailableError: the ledger is unusable, or stayed locked past the wait.
        """
        wait = store_wait_seconds() if wait_seconds is None else wait_seconds
        with self._lock:
            conn = self._conn
            if conn is None:
                raise StoreUnavailableError(
                    f"the job ledger at {self.path} cannot be used ({self.failure or 'closed'})"
                )
            try:
                conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                if not (isinstance(exc, sqlite3.OperationalError) and _is_busy(exc)):
                    self._broken(exc)
                    raise StoreUnavailableError(f"the job ledger at {self.path} cannot be used ({exc})") from None
                raise StoreUnavailableError(
                    f"the job ledger at {self.path} stayed locked by another process for {wait:g} s ({ENV_STORE_WAIT})"
                ) from None
            finally:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute(f"PRAGMA busy_timeout = {int(_BEST_EFFORT_WAIT_SECONDS * 1000)}")
            try:
                yield conn
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                if not (isinstance(exc, sqlite3.OperationalError) and _is_busy(exc)):
                    self._broken(exc)
                raise StoreUnavailableError(
                    f"the job ledger at {self.path} could not record the spend ({exc})"
                ) from None

    @contextmanager
    def _write(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock at once: a deferred transaction that upgrades later
        # fails with "database is locked" instead of waiting out the busy timeout.
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _select(self, sql: str, args: tuple[Any, ...] = ()) -> list[JobRecord]:
        return self._guard([], lambda conn: [_row(r) for r in conn.execute(sql, args).fetchall()])

    # -- writing --------------------------------------------------------------------------

    def record(
        self,
        *,
        kind: str,
        base_url: str,
        fingerprint: str | None = None,
        idempotency_key: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        hashes: Mapping[str, str] | None = None,
        estimate_usd: float | None = None,
        status: str = "sending",
        asset_id: str | None = None,
    ) -> int | None:
        """Add a record (before the request is sent: status ``sending``); its row id, or None without a ledger."""
        now = time.time()

        def work(conn: sqlite3.Connection) -> int | None:
            with self._write(conn):
                cur = conn.execute(
                    "INSERT INTO jobs (created_at, updated_at, kind, base_url, fingerprint, idempotency_key, inputs,"
                    " hashes, estimate_usd, status, asset_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (now, now, kind, base_url, fingerprint, idempotency_key, json.dumps(dict(inputs or {}),
                     default=str), json.dumps(dict(hashes or {})), estimate_usd, status, asset_id),
                )  # fmt: skip
            return cur.lastrowid

        return self._guard(None, work)

    def update(
        self,
        row_id: int | None,
        *,
        status: str | None = None,
        lipsync_id: str | None = None,
        batch_id: str | None = None,
        asset_id: str | None = None,
        estimate_usd: float | None = None,
        hashes: Mapping[str, str] | None = None,
    ) -> None:
        """Change a record's status, ids and/or content hashes (unset arguments are left as they are)."""
        if row_id is None:
            return
        changes = {
            k: v
            for k, v in (
                ("status", status),
                ("lipsync_id", lipsync_id),
                ("batch_id", batch_id),
                ("asset_id", asset_id),
                ("estimate_usd", estimate_usd),
                ("hashes", None if hashes is None else json.dumps(dict(hashes))),
            )
            if v is not None
        }
        if not changes:
            return
        sets = ", ".join(f"{k} = ?" for k in changes)

        def work(conn: sqlite3.Connection) -> None:
            with self._write(conn):
                # Column names from the fixed tuple above; the values are bound parameters.
                sql = f"UPDATE jobs SET {sets}, updated_at = ? WHERE id = ?"  # noqa: S608
                conn.execute(sql, (*changes.values(), time.time(), row_id))

        self._guard(None, work)

    def record_batch_items(self, batch_id: str, *, base_url: str, fingerprints: Sequence[str]) -> None:
        """Remember each item of a batch by its own fingerprint, so a later single create or campaign row of
        the same content finds it (``kind`` ``batch_item``; not counted again against the caps)."""
        now = time.time()

        def work(conn: sqlite3.Connection) -> None:
            with self._write(conn):
                conn.executemany(
                    "INSERT INTO jobs (created_at, updated_at, kind, base_url, fingerprint, inputs, batch_id, status)"
                    " VALUES (?, ?, 'batch_item', ?, ?, ?, ?, 'pending')",
                    [(now, now, base_url, fp, json.dumps({"index": i}), batch_id) for i, fp in enumerate(fingerprints)],
                )

        self._guard(None, work)

    def set_status(self, remote_id: str, status: str) -> None:
        """Record the last status seen of a lipsync (or batch) by its id."""

        def work(conn: sqlite3.Connection) -> None:
            with self._write(conn):
                conn.execute(
                    "UPDATE jobs SET status = ?, updated_at = ? WHERE lipsync_id = ? OR batch_id = ?",
                    (status, time.time(), remote_id, remote_id),
                )

        self._guard(None, work)

    def add_download(self, lipsync_id: str, path: str | os.PathLike[str], *, bytes_written: int | None = None) -> None:
        """Record that a lipsync's video was saved at ``path``."""
        entry = {"path": str(Path(path).resolve()), "bytes": bytes_written, "at": _iso(time.time())}

        def work(conn: sqlite3.Connection) -> None:
            with self._write(conn):
                row = conn.execute(
                    "SELECT id, downloads FROM jobs WHERE lipsync_id = ? AND kind = 'lipsync' ORDER BY id DESC LIMIT 1",
                    (lipsync_id,),
                ).fetchone()
                if row is not None:
                    downloads = [*json.loads(row["downloads"]), entry]
                    conn.execute(
                        "UPDATE jobs SET downloads = ?, status = 'completed', updated_at = ? WHERE id = ?",
                        (json.dumps(downloads), time.time(), row["id"]),
                    )

        self._guard(None, work)

    # -- reading --------------------------------------------------------------------------

    def get(self, row_id: int) -> JobRecord | None:
        """One record by its row id."""
        found = self._select("SELECT * FROM jobs WHERE id = ?", (row_id,))
        return found[0] if found else None

    def find_by_fingerprint(self, fingerprint: str, *, base_url: str) -> list[JobRecord]:
        """Every record of creates with this fingerprint against ``base_url``, newest first."""
        return self._select(
            "SELECT * FROM jobs WHERE fingerprint = ? AND base_url = ? ORDER BY id DESC", (fingerprint, base_url)
        )

    def find_by_key(self, idempotency_key: str, *, base_url: str) -> JobRecord | None:
        """The newest create record made with this Idempotency-Key against ``base_url``."""
        found = self._select(
            "SELECT * FROM jobs WHERE idempotency_key = ? AND base_url = ? AND kind != 'upload' ORDER BY id DESC"
            " LIMIT 1",
            (idempotency_key, base_url),
        )
        return found[0] if found else None

    def find_by_id(self, remote_id: str) -> JobRecord | None:
        """The newest record of a lipsync, batch or asset id (or a row id given as digits)."""
        if remote_id.isdigit():
            return self.get(int(remote_id))
        found = self._select(
            "SELECT * FROM jobs WHERE lipsync_id = ? OR batch_id = ? OR asset_id = ? ORDER BY id DESC LIMIT 1",
            (remote_id, remote_id, remote_id),
        )
        return found[0] if found else None

    def find_download(self, path: str | os.PathLike[str]) -> JobRecord | None:
        """The newest lipsync record whose video was saved at ``path``."""
        target = str(Path(path).resolve())
        for record in self._select("SELECT * FROM jobs WHERE kind = 'lipsync' AND downloads != '[]' ORDER BY id DESC"):
            if any(d.get("path") == target for d in record.downloads):
                return record
        return None

    def recent(self, *, limit: int | None = 20, kinds: tuple[str, ...] = ("lipsync", "batch")) -> list[JobRecord]:
        """Records newest first (creates only by default); ``limit=None`` for all."""
        marks = ", ".join("?" for _ in kinds)
        sql = f"SELECT * FROM jobs WHERE kind IN ({marks}) ORDER BY id DESC"  # noqa: S608 - placeholders only
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._select(sql, kinds)

    def asset_for(self, sha256: str, *, base_url: str, max_age_days: float) -> str | None:
        """The asset id of a file with this content uploaded within ``max_age_days``, or None."""
        since = time.time() - max_age_days * _DAY
        found = self._select(
            "SELECT * FROM jobs WHERE kind = 'upload' AND base_url = ? AND asset_id IS NOT NULL AND created_at >= ?"
            " AND json_extract(hashes, '$.file') = ? AND status != 'gone' ORDER BY id DESC LIMIT 1",
            (base_url, since, sha256),
        )
        return found[0].asset_id if found else None

    def may_have_asset_of_size(self, size_bytes: int, *, base_url: str, max_age_days: float) -> bool:
        """Whether a reusable upload within ``max_age_days`` could have this size.

        A file's content can match a remembered asset only if its size does: when none has
        it, the upload need not hash the file before sending it. Uploads recorded before the
        size was kept count as a possible match.
        """
        since = time.time() - max_age_days * _DAY

        def work(conn: sqlite3.Connection) -> bool:
            row = conn.execute(
                "SELECT 1 FROM jobs WHERE kind = 'upload' AND base_url = ? AND asset_id IS NOT NULL"
                " AND created_at >= ? AND status != 'gone' AND (json_extract(inputs, '$.size_bytes') = ?"
                " OR json_extract(inputs, '$.size_bytes') IS NULL) LIMIT 1",
                (base_url, since, size_bytes),
            ).fetchone()
            return row is not None

        return self._guard(True, work)

    def jobs_using_asset(self, asset_id: str) -> list[JobRecord]:
        """The create records (lipsync, batch) whose local files had the content uploaded as ``asset_id``."""
        digest = self._uploaded_digest(asset_id)
        if not digest:
            return []
        found = self._select(
            "SELECT * FROM jobs WHERE kind IN ('lipsync', 'batch') AND hashes LIKE ? ORDER BY id DESC",
            (f"%{digest}%",),
        )
        return [r for r in found if digest in r.hashes.values()]

    def forget_asset(self, asset_id: str) -> None:
        """HeyGen no longer has this asset: never reuse it again."""

        def work(conn: sqlite3.Connection) -> None:
            with self._write(conn):
                conn.execute("UPDATE jobs SET status = 'gone' WHERE kind = 'upload' AND asset_id = ?", (asset_id,))

        self._guard(None, work)

    def spent_since(self, since: float) -> tuple[int, float]:
        """Jobs created (or of unknown outcome) since ``since`` (epoch seconds), and their estimated USD."""

        def work(conn: sqlite3.Connection) -> tuple[int, float]:
            rows = conn.execute(
                "SELECT inputs, estimate_usd, kind FROM jobs WHERE created_at >= ? AND kind != 'upload'"
                " AND status != 'refused'",
                (since,),
            ).fetchall()
            jobs = sum(int(json.loads(r["inputs"]).get("items", 1)) if r["kind"] == "batch" else 1 for r in rows)
            return jobs, float(sum(r["estimate_usd"] or 0.0 for r in rows))

        return self._guard((0, 0.0), work)

    @property
    def usable(self) -> bool:
        """Whether the ledger is open and has not failed."""
        return self._conn is not None and self.failure is None

    def install_value(self, name: str, make: Callable[[], str]) -> str | None:
        """A value this install keeps (e.g. its approval secret), made by ``make`` the first time; None if unusable."""

        def work(conn: sqlite3.Connection) -> str | None:
            with self._write(conn):
                conn.execute("INSERT OR IGNORE INTO install (name, value) VALUES (?, ?)", (name, make()))
                row = conn.execute("SELECT value FROM install WHERE name = ?", (name,)).fetchone()
            return str(row["value"]) if row else None

        return self._guard(None, work)

    # -- media probes (preflight) ---------------------------------------------------------

    def remember_probe(self, sha256: str, probe: Mapping[str, Any]) -> None:
        """Keep the media probe of a file's content (by its SHA-256) for later creates."""

        def work(conn: sqlite3.Connection) -> None:
            with self._write(conn):
                conn.execute(
                    "INSERT INTO probes (sha256, probe, updated_at) VALUES (?, ?, ?) ON CONFLICT(sha256) DO UPDATE"
                    " SET probe = excluded.probe, updated_at = excluded.updated_at",
                    (sha256, json.dumps(dict(probe), default=str), time.time()),
                )

        self._guard(None, work)

    def probe_for(self, sha256: str) -> dict[str, Any] | None:
        """The remembered probe of a file's content, or None."""

        def work(conn: sqlite3.Connection) -> dict[str, Any] | None:
            row = conn.execute("SELECT probe FROM probes WHERE sha256 = ?", (sha256,)).fetchone()
            return dict(json.loads(row["probe"])) if row else None

        return self._guard(None, work)

    def probe_for_asset(self, asset_id: str) -> dict[str, Any] | None:
        """The remembered probe of the file uploaded as ``asset_id``, or None."""
        digest = self._uploaded_digest(asset_id)
        return self.probe_for(digest) if digest else None

    def remember_asset_probe(self, asset_id: str, probe: Mapping[str, Any]) -> bool:
        """Keep the probe of the file this install uploaded as ``asset_id``; False when no upload of it is recorded."""
        digest = self._uploaded_digest(asset_id)
        if digest:
            self.remember_probe(digest, probe)
        return bool(digest)

    def upload_stamp(self, asset_id: str) -> tuple[Path, int, int] | None:
        """The file this install uploaded as ``asset_id``: its path, size and modification time (ns), if recorded."""
        record = self.find_by_id(asset_id)
        if record is None or record.kind != "upload":
            return None
        # abs_path: the file wherever this process runs (a relative "file" names it from the uploader's folder).
        path, size, mtime_ns = (record.inputs.get(k) for k in ("abs_path", "size_bytes", "mtime_ns"))
        if not isinstance(path, str) or not isinstance(size, int) or not isinstance(mtime_ns, int):
            return None
        return Path(path), size, mtime_ns

    def _uploaded_digest(self, asset_id: str) -> str | None:
        """The SHA-256 of the file uploaded as ``asset_id``, from its upload record."""
        record = self.find_by_id(asset_id)
        return record.hashes.get("file") if record is not None and record.kind == "upload" else None


@dataclass(frozen=True)
class DailyCaps:
    """Per-install caps over the last 24 hours, from the ledger (None: no cap)."""

    max_jobs: int | None = None
    max_spend_usd: float | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DailyCaps:
        """``HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY`` and ``HEYGEN_LIPSYNC_MAX_SPEND_PER_DAY`` (USD).

        Raises:
            ConfigurationError: a value is not a number of 0 or more.
        """
        environ = os.environ if env is None else env
        jobs = _number(environ, ENV_MAX_JOBS_PER_DAY, int)
        spend = _number(environ, ENV_MAX_SPEND_PER_DAY, float)
        return cls(int(jobs) if jobs is not None else None, spend)

    def check(self, ledger: Ledger | None, *, jobs: int, estimate_usd: float | None) -> None:
        """Refuse a create of ``jobs`` job(s) costing ``estimate_usd`` that would pass a cap.

        Raises:
            DailyCapError: a cap would be passed (nothing was sent).
        """
        if ledger is None or (self.max_jobs is None and self.max_spend_usd is None):
            return
        done, spent = ledger.spent_since(time.time() - _DAY)
        if self.max_jobs is not None and done + jobs > self.max_jobs:
            raise DailyCapError(
                f"{ENV_MAX_JOBS_PER_DAY}={self.max_jobs}: {done} job(s) created in the last 24 hours on this install "
                f"(unknown outcomes included), {jobs} more asked for; nothing was sent. Wait, or raise the cap."
            )
        if self.max_spend_usd is not None and spent + (estimate_usd or 0.0) > self.max_spend_usd:
            raise DailyCapError(
                f"{ENV_MAX_SPEND_PER_DAY}={self.max_spend_usd:g}: ${spent:.2f} estimated in the last 24 hours on "
                f"this install, this create adds ${estimate_usd or 0:.2f}; nothing was sent. Wait, or raise the cap."
            )


def _number(env: Mapping[str, str], name: str, kind: type[int] | type[float]) -> float | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(kind(raw))
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfigurationError(f"{name} must be 0 or more, got {raw!r}")
    return value


def asset_reuse_days(env: Mapping[str, str] | None = None) -> float:
    """How long an uploaded asset is reused for the same content (``HEYGEN_LIPSYNC_ASSET_REUSE_DAYS``, default 7).

    Raises:
        ConfigurationError: not a number of 0 or more.
    """
    value = _number(os.environ if env is None else env, ENV_ASSET_REUSE_DAYS, float)
    return DEFAULT_ASSET_REUSE_DAYS if value is None else value


def default_ledger_path(env: Mapping[str, str] | None = None) -> Path | None:
    """Where the ledger lives: ``HEYGEN_LIPSYNC_LEDGER`` (None when ``off``), else the user data directory."""
    environ = os.environ if env is None else env
    configured = (environ.get(ENV_LEDGER) or "").strip()
    if configured.lower() in ("off", "0", "false", "no", "none"):
        return None
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("heygen-lipsync", appauthor=False)) / LEDGER_FILENAME


def open_default(env: Mapping[str, str] | None = None) -> Ledger | None:
    """The install's ledger (see ``default_ledger_path``), or None when turned off or unusable."""
    path = default_ledger_path(env)
    return Ledger.open(path) if path is not None else None


def sandbox_ledger(data_dir: Path | None, env: Mapping[str, str] | None = None) -> Ledger | None:
    """The embedded sandbox's own ledger, beside its data (None for an in-memory sandbox or when turned off)."""
    if data_dir is None or default_ledger_path(env) is None:
        return None
    return Ledger.open(Path(data_dir) / LEDGER_FILENAME, origin="sandbox")
