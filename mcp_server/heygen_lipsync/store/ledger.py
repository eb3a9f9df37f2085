"""The job ledger: every create, upload and download of this install, in SQLite or a shared PostgreSQL.

One class over either backend (``dialect.py``): the same queries, the same guarantees.

Several processes (and, with PostgreSQL, machines) may use one store at once: writes in short
transactions that wait for another's lock at most a bounded time. The ledger never blocks
work: if it cannot be opened or turns out corrupt, one warning is logged (stderr) and every
bookkeeping method becomes a no-op that finds nothing, while ``failure`` says why (spends that
need the store, for a cap or an approval, then refuse). A shared store that lost its server is
tried again now and then.

Statuses of a record: ``sending`` (written before the request: a crash leaves it, an unknown
outcome), ``unknown`` (the request failed without saying whether the job was made),
``refused`` (definitely nothing made), then the remote status (``pending``, ``completed``,
``failed``, ...) once known. Every status but ``refused`` counts towards the daily caps.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from heygen_lipsync.errors import StoreUnavailableError
from heygen_lipsync.store.dialect import BEST_EFFORT_WAIT_SECONDS, Conn, Dialect, SQLiteDialect
from heygen_lipsync.store.migrate import SCHEMA_VERSION, SchemaTooNewError, migrate
from heygen_lipsync.store.queries import Queries
from heygen_lipsync.store.records import JobRecord, iso, record_of
from heygen_lipsync.store.settings import ENV_DATABASE_URL, ENV_LEDGER, ENV_STORE_WAIT, is_postgres, store_wait_seconds

__all__ = ["Ledger"]

logger = logging.getLogger("heygen_lipsync.store")
_warned: set[str] = set()
T = TypeVar("T")
#: How often a shared store whose server went away is tried again.
_RECONNECT_SECONDS = 5.0


def _warn_once(dialect: Dialect, exc: BaseException) -> None:
    if dialect.where not in _warned:
        _warned.add(dialect.where)
        aside = "Move the file aside, or set" if isinstance(dialect, SQLiteDialect) else "Check the server, or unset"
        logger.warning(
            "the job ledger at %s cannot be used (%s); carrying on without it (no deduplication, resume or "
            "daily caps). %s %s.",
            dialect.where,
            exc,
            aside,
            dialect.setting if not isinstance(dialect, SQLiteDialect) else f"{ENV_LEDGER}=off",
        )


class Ledger(Queries):
    """The store; open with ``Ledger.open`` (or ``open_default``). Safe to share across threads.

    Every bookkeeping method swallows database errors (after one warning) and then acts as an
    empty ledger: losing the ledger only removes its conveniences.
    """

    def __init__(self, dialect: Dialect, conn: Conn | None, *, origin: str | None = None) -> None:
        self.dialect = dialect
        #: The SQLite file (for a shared store, its URL without the password).
        self.path = Path(dialect.where) if isinstance(dialect, SQLiteDialect) else dialect.where
        #: Why this ledger cannot be used (it could not be opened, or a write failed), or None.
        #: Spends that need the ledger (caps, approvals) refuse while it is set.
        self.failure: str | None = None
        #: The base URL every record of this ledger names instead of the client's (the embedded
        #: sandbox listens on a new port each run; its ledger names it "sandbox").
        self.origin = origin
        self._conn: Conn | None = conn
        self._lock = threading.Lock()
        self._retry_at = 0.0

    @classmethod
    def open(cls, target: str | os.PathLike[str], *, origin: str | None = None) -> Ledger:
        """Open (creating or migrating if needed) the ledger at ``target``: a SQLite file's path, or a
        ``postgresql://`` URL.

        A ledger that cannot be used is still returned, after one warning, with ``failure``
        saying why: its bookkeeping finds nothing, and spends that need it (caps, approvals)
        refuse instead of carrying on blind.

        Several processes starting at once migrate safely: the version is read again inside
        the exclusive transaction that migrates.

        Raises:
            ConfigurationError: a PostgreSQL URL without psycopg installed.
        """
        text = os.fspath(target)
        dialect: Dialect
        if is_postgres(text):
            from heygen_lipsync.store.postgres import PostgresDialect

            dialect = PostgresDialect(text, setting=ENV_DATABASE_URL)
        else:
            dialect = SQLiteDialect(Path(text).expanduser(), setting=ENV_LEDGER)
        ledger = cls(dialect, None, origin=origin)
        ledger._connect(store_wait_seconds())
        return ledger

    def _connect(self, wait: float) -> None:
        dialect = self.dialect
        conn: Conn | None = None
        unusable: tuple[type[BaseException], ...] = (OSError, SchemaTooNewError, *dialect.errors)
        try:
            conn = dialect.connect(wait)
            if dialect.schema_version(conn) != SCHEMA_VERSION:
                migrate(conn, dialect)
            conn.execute("SELECT count(*) FROM jobs").fetchone()
            dialect.settle(conn)
        except unusable as exc:
            _warn_once(dialect, exc)
            self.failure = f"{exc}".strip()
            self._retry_at = time.monotonic() + _RECONNECT_SECONDS
            if conn is not None:
                with contextlib.suppress(*dialect.errors):
                    conn.close()
            return
        self._conn, self.failure = conn, None

    def close(self) -> None:
        """Close the database connection (further calls find nothing)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._retry_at = float("inf")

    @property
    def usable(self) -> bool:
        """Whether the ledger is open and has not failed."""
        with self._lock:
            return self._live() is not None and self.failure is None

    # -- plumbing -------------------------------------------------------------------------

    def _live(self) -> Conn | None:
        """The connection; a shared store whose server went away is tried again now and then."""
        if self._conn is None and self.dialect.reconnects and time.monotonic() >= self._retry_at:
            self._connect(BEST_EFFORT_WAIT_SECONDS)  # briefly: this may be a bookkeeping step on an event loop
        return self._conn

    def _guard(self, fallback: T, work: Callable[[Conn], T]) -> T:
        with self._lock:
            conn = self._live()
            if conn is None:
                return fallback
            try:
                return work(conn)
            except self.dialect.errors as exc:
                if self.dialect.is_busy(exc):  # another process holds the lock: skip this once, keep the ledger
                    logger.debug("ledger busy, skipped a bookkeeping step: %s", exc)
                    self._rollback(conn)
                    return fallback
                self._broken(exc)
                return fallback

    def _rollback(self, conn: Conn) -> None:
        with contextlib.suppress(*self.dialect.errors):
            conn.execute("ROLLBACK")

    def _broken(self, exc: BaseException) -> None:
        _warn_once(self.dialect, exc)
        self.failure = str(exc).strip()
        if self._conn is not None:
            with contextlib.suppress(*self.dialect.errors):
                self._conn.close()
        self._conn = None
        self._retry_at = time.monotonic() + _RECONNECT_SECONDS

    @contextmanager
    def transaction(self, *, wait_seconds: float | None = None) -> Iterator[Conn]:
        """The spend transaction: exclusive among spends, waiting at most ``wait_seconds`` for another's lock.

        SQLite: ``BEGIN IMMEDIATE`` (the file's write lock); PostgreSQL: a transaction-scoped
        advisory lock under ``lock_timeout``. Statements take ``?`` placeholders on both. For the
        spend authority: unlike the bookkeeping methods it raises instead of carrying on.

        Raises:
            StoreUnavailableError: the ledger is unusable, or stayed locked past the wait.
        """
        wait = store_wait_seconds() if wait_seconds is None else wait_seconds
        dialect, where = self.dialect, self.dialect.where
        with self._lock:
            conn = self._live()
            if conn is None:
                raise StoreUnavailableError(f"the job ledger at {where} cannot be used ({self.failure or 'closed'})")
            try:
                dialect.begin_spend(conn, wait)
            except dialect.errors as exc:
                busy = dialect.is_busy(exc)
                self._rollback(conn)
                if not busy:
                    self._broken(exc)
                    raise StoreUnavailableError(f"the job ledger at {where} cannot be used ({exc})") from None
                raise StoreUnavailableError(
                    f"the job ledger at {where} stayed locked by another process for {wait:g} s ({ENV_STORE_WAIT})"
                ) from None
            finally:
                with contextlib.suppress(*dialect.errors):
                    if self._conn is not None:
                        dialect.end_spend(conn)
            try:
                yield conn
            except BaseException:
                self._rollback(conn)
                raise
            try:
                conn.execute("COMMIT")
            except dialect.errors as exc:
                self._rollback(conn)
                if not dialect.is_busy(exc):
                    self._broken(exc)
                raise StoreUnavailableError(f"the job ledger at {where} could not record the spend ({exc})") from None

    @contextmanager
    def _write(self, conn: Conn) -> Iterator[Conn]:
        self.dialect.begin_write(conn)
        try:
            yield conn
        except BaseException:
            self._rollback(conn)
            raise
        conn.execute("COMMIT")

    def _select(self, sql: str, args: tuple[Any, ...] = ()) -> list[JobRecord]:
        return self._guard([], lambda conn: [record_of(r) for r in conn.execute(sql, args).fetchall()])

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

        def work(conn: Conn) -> int | None:
            with self._write(conn):
                rows = conn.execute(
                    "INSERT INTO jobs (created_at, updated_at, kind, base_url, fingerprint, idempotency_key, inputs,"
                    " hashes, estimate_usd, status, asset_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (now, now, kind, base_url, fingerprint, idempotency_key, json.dumps(dict(inputs or {}),
                     default=str), json.dumps(dict(hashes or {})), estimate_usd, status, asset_id),
                ).fetchall()  # fmt: skip
            return int(rows[0]["id"])

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
        # Column names from the fixed tuple above; the values are bound parameters.
        self._execute(f"UPDATE jobs SET {sets}, updated_at = ? WHERE id = ?", (*changes.values(), time.time(), row_id))  # noqa: S608

    def record_batch_items(self, batch_id: str, *, base_url: str, fingerprints: Sequence[str]) -> None:
        """Remember each item of a batch by its own fingerprint, so a later single create or campaign row of
        the same content finds it (``kind`` ``batch_item``; not counted again against the caps)."""
        now = time.time()

        def work(conn: Conn) -> None:
            with self._write(conn):
                conn.executemany(
                    "INSERT INTO jobs (created_at, updated_at, kind, base_url, fingerprint, inputs, batch_id, status)"
                    " VALUES (?, ?, 'batch_item', ?, ?, ?, ?, 'pending')",
                    [(now, now, base_url, fp, json.dumps({"index": i}), batch_id) for i, fp in enumerate(fingerprints)],
                )

        self._guard(None, work)

    def set_status(self, remote_id: str, status: str) -> None:
        """Record the last status seen of a lipsync (or batch) by its id."""
        self._execute(
            "UPDATE jobs SET status = ?, updated_at = ? WHERE lipsync_id = ? OR batch_id = ?",
            (status, time.time(), remote_id, remote_id),
        )

    def add_download(self, lipsync_id: str, path: str | os.PathLike[str], *, bytes_written: int | None = None) -> None:
        """Record that a lipsync's video was saved at ``path``."""
        entry = {"path": str(Path(path).resolve()), "bytes": bytes_written, "at": iso(time.time())}

        def work(conn: Conn) -> None:
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

    def forget_asset(self, asset_id: str) -> None:
        """HeyGen no longer has this asset: never reuse it again."""
        self._execute("UPDATE jobs SET status = 'gone' WHERE kind = 'upload' AND asset_id = ?", (asset_id,))

    def install_value(self, name: str, make: Callable[[], str]) -> str | None:
        """A value this install keeps (e.g. its approval secret), made by ``make`` the first time; None if unusable.

        Every process sharing the store gets the same value.
        """

        def work(conn: Conn) -> str | None:
            with self._write(conn):
                conn.execute("INSERT INTO install (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING", (name, make()))
                row = conn.execute("SELECT value FROM install WHERE name = ?", (name,)).fetchone()
            return str(row["value"]) if row else None

        return self._guard(None, work)

    def remember_probe(self, sha256: str, probe: Mapping[str, Any]) -> None:
        """Keep the media probe of a file's content (by its SHA-256) for later creates."""
        self._execute(
            "INSERT INTO probes (sha256, probe, updated_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO UPDATE"
            " SET probe = excluded.probe, updated_at = excluded.updated_at",
            (sha256, json.dumps(dict(probe), default=str), time.time()),
        )

    def _execute(self, sql: str, args: tuple[Any, ...]) -> None:
        """One bookkeeping write statement in its own transaction."""

        def work(conn: Conn) -> None:
            with self._write(conn):
                conn.execute(sql, args)

        self._guard(None, work)
