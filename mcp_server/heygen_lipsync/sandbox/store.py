"""The sandbox's persistence: one SQLite database plus a files directory.

Every write commits before the HTTP response is sent, so a sandbox killed and started
again on the same data directory has everything it acknowledged. Several processes may
share a data directory: in-flight Idempotency-Key records and temporary files carry
their owner (`owners`), and a store clears only those whose owner is gone, on opening
(what a killed process left behind: a half-received PUT, a request that never finished)
and when a later request meets them. A job's progress is
never stored as it happens: it is derived from the timestamps stored at creation, so any
process reading the database sees the same state at the same moment.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from heygen_lipsync.sandbox import owners
from heygen_lipsync.sandbox.rows import (
    SCHEMA,
    AssetRow,
    BatchRow,
    IdempotencyRow,
    JobRow,
    add_columns,
    job_of,
    known,
    row_owner,
)

__all__ = ["AssetRow", "BatchRow", "IdempotencyRow", "JobRow", "Store"]


class Store:
    """SQLite database and files of one sandbox (thread-safe; one connection, one lock)."""

    def __init__(self, data_dir: Path | None) -> None:
        if data_dir is None:
            self.root = Path(tempfile.mkdtemp(prefix="heygen-lipsync-sandbox-"))
            self._finalizer: weakref.finalize[Any, Any] | None = weakref.finalize(
                self, shutil.rmtree, self.root, ignore_errors=True
            )
            database = ":memory:"
        else:
            self.root = Path(data_dir)
            self.root.mkdir(parents=True, exist_ok=True)
            self._finalizer = None
            database = str(self.root / "sandbox.sqlite3")
        for sub in ("assets", "outputs", "tmp"):
            (self.root / sub).mkdir(exist_ok=True)
        self.persistent = data_dir is not None
        self._lock = threading.RLock()
        self._db = sqlite3.connect(database, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        if self.persistent:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        self.owner = owners.claim()
        self._closed = False
        with self._lock:
            self._db.executescript(SCHEMA)
        with self._tx() as db:
            add_columns(db)
            # A request in flight in a process that died (or closed this store) will never finish;
            # one in flight in another live process is still running there.
            for row in db.execute("SELECT * FROM idempotency WHERE state = 'in_flight'").fetchall():
                if not owners.is_alive(row_owner(row)):
                    db.execute("DELETE FROM idempotency WHERE scope = ? AND key = ?", (row["scope"], row["key"]))
            db.execute("INSERT OR IGNORE INTO meta VALUES ('secret', ?)", (secrets.token_hex(32),))
        self._remove_abandoned_tmp_files()
        secret = self._one("SELECT value FROM meta WHERE key = 'secret'")
        assert secret is not None
        self.secret: bytes = secret["value"].encode()

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._db.execute(sql, params).fetchone()
            return row

    def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, params).fetchall())

    def close(self) -> None:
        """Close the database (once; again is a no-op); an in-memory store also deletes its files."""
        if self._closed:
            return
        self._closed = True
        with self._tx() as db:  # nothing of ours is in flight any more
            db.execute("DELETE FROM idempotency WHERE state = 'in_flight' AND owner_store = ?", (self.owner.store,))
        self.owner.release()
        with self._lock:
            self._db.close()
        if self._finalizer is not None:
            self._finalizer()

    def tmp_path(self, suffix: str = "") -> Path:
        """A new temporary file name in `tmp/`, named after its owner so that a later start can tell it abandoned."""
        return self.root / "tmp" / f"{self.owner.tag}.{secrets.token_hex(8)}{suffix}"

    def _remove_abandoned_tmp_files(self) -> None:
        """Delete temporary files whose owner is gone (a PUT or a fetch killed midway); tmp/ is ours alone."""
        for path in (self.root / "tmp").iterdir():
            if not owners.is_alive(owners.parse_tag(path.name)):
                with contextlib.suppress(OSError):  # another process starting may remove it first
                    path.unlink()

    def output_path(self, lipsync_id: str, ext: str) -> Path:
        return self.root / "outputs" / f"{lipsync_id}.{ext}"

    def asset_path(self, asset_id: str) -> Path:
        return self.root / "assets" / asset_id

    def remove_outputs(self, lipsync_id: str) -> None:
        """Delete a job's output files (video and caption), if any."""
        for ext in ("mp4", "srt"):
            self.output_path(lipsync_id, ext).unlink(missing_ok=True)

    # ------------------------------------------------------------------ jobs

    def insert_jobs(
        self,
        jobs: list[dict[str, Any]],
        batch: dict[str, Any] | None = None,
        *,
        key_record: tuple[str, str, int, bytes, dict[str, str]] | None = None,
    ) -> None:
        """Insert jobs (and their batch, and the answer for their Idempotency-Key) in one transaction."""
        with self._tx() as db:
            if key_record is not None:
                self._store_key(db, *key_record)
            if batch is not None:
                db.execute(
                    "INSERT INTO batches (id, title, callback_url, created_at, total) VALUES (?, ?, ?, ?, ?)",
                    (batch["id"], batch["title"], batch["callback_url"], batch["created_at"], len(jobs)),
                )
            for job in jobs:
                db.execute(
                    "INSERT INTO jobs (id, title, request, callback_id, origin, created_at, run_at, done_at,"
                    " batch_id, item_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        job["id"],
                        job["title"],
                        json.dumps(job["request"]),
                        job["callback_id"],
                        job["origin"],
                        job["created_at"],
                        job["run_at"],
                        job["done_at"],
                        job.get("batch_id"),
                        job.get("item_index"),
                    ),
                )
                if job.get("batch_id") is not None:
                    db.execute(
                        "INSERT INTO batch_items VALUES (?, ?, ?)", (job["batch_id"], job["item_index"], job["id"])
                    )

    def get_job(self, lipsync_id: str) -> JobRow | None:
        row = self._one("SELECT * FROM jobs WHERE id = ?", (lipsync_id,))
        return None if row is None else job_of(row)

    def get_jobs(self, ids: list[str]) -> dict[str, JobRow]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {row["id"]: job_of(row) for row in self._all(f"SELECT * FROM jobs WHERE id IN ({marks})", tuple(ids))}  # noqa: S608

    def list_jobs(self, limit: int, before_seq: int | None) -> list[JobRow]:
        """Newest first; `before_seq` continues after a previous page."""
        if before_seq is None:
            rows = self._all("SELECT * FROM jobs ORDER BY seq DESC LIMIT ?", (limit,))
        else:
            rows = self._all("SELECT * FROM jobs WHERE seq < ? ORDER BY seq DESC LIMIT ?", (before_seq, limit))
        return [job_of(r) for r in rows]

    def finish_job(
        self,
        lipsync_id: str,
        *,
        status: str,
        duration: float | None = None,
        output: str | None = None,
        caption: str | None = None,
        failure_message: str | None = None,
        charge: float = 0.0,
    ) -> bool:
        """Record a job's outcome once; False if another worker recorded it first (or it was deleted).

        `charge` is drawn from the wallet in the same transaction, so a job is charged once.
        """
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE jobs SET status = ?, duration = ?, output = ?, caption = ?, failure_message = ?"
                " WHERE id = ? AND status IS NULL",
                (status, duration, output, caption, failure_message, lipsync_id),
            )
            recorded = cursor.rowcount == 1
            if recorded and charge:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('spent', '0')")
                db.execute("UPDATE meta SET value = CAST(value AS REAL) + ? WHERE key = 'spent'", (charge,))
            return recorded

    def spent(self) -> float:
        """What completed jobs have drawn from the wallet so far (deleting a job refunds nothing)."""
        row = self._one("SELECT value FROM meta WHERE key = 'spent'")
        return float(row["value"]) if row is not None else 0.0

    def set_title(self, lipsync_id: str, title: str) -> bool:
        with self._tx() as db:
            return db.execute("UPDATE jobs SET title = ? WHERE id = ?", (title, lipsync_id)).rowcount == 1

    def delete_job(self, lipsync_id: str) -> JobRow | None:
        with self._tx() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (lipsync_id,)).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM jobs WHERE id = ?", (lipsync_id,))
        return job_of(row)

    def unfinished_done_ats(self, now: float) -> list[float]:
        """Finish times of jobs still pending or running by the clock."""
        return [r["done_at"] for r in self._all("SELECT done_at FROM jobs WHERE done_at > ?", (now,))]

    def due_job_ids(self, now: float) -> list[str]:
        rows = self._all("SELECT id FROM jobs WHERE status IS NULL AND done_at <= ? ORDER BY seq", (now,))
        return [r["id"] for r in rows]

    # ------------------------------------------------------------------ batches

    def get_batch(self, batch_id: str) -> BatchRow | None:
        row = self._one("SELECT * FROM batches WHERE id = ?", (batch_id,))
        return None if row is None else known(BatchRow, dict(row))

    def batch_items(self, batch_id: str) -> list[tuple[int, str]]:
        rows = self._all(
            "SELECT item_index, lipsync_id FROM batch_items WHERE batch_id = ? ORDER BY item_index", (batch_id,)
        )
        return [(r["item_index"], r["lipsync_id"]) for r in rows]

    def batch_final_statuses(self, batch_id: str) -> list[str | None]:
        """The stored final status of each (not deleted) job of a batch; None for one not produced yet."""
        return [r["status"] for r in self._all("SELECT status FROM jobs WHERE batch_id = ?", (batch_id,))]

    def claim_once(self, name: str) -> bool:
        """True the first time `name` is claimed, in any process sharing this store."""
        with self._tx() as db:
            return db.execute("INSERT OR IGNORE INTO meta VALUES (?, '1')", (f"once:{name}",)).rowcount == 1

    # ------------------------------------------------------------------ assets

    def insert_asset(self, asset: AssetRow) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO assets (id, filename, content_type, mime_type, size_bytes, declared_size, checksum,"
                " status, path, created_at, expires_at, ready_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    asset.id,
                    asset.filename,
                    asset.content_type,
                    asset.mime_type,
                    asset.size_bytes,
                    asset.declared_size,
                    asset.checksum,
                    asset.status,
                    asset.path,
                    asset.created_at,
                    asset.expires_at,
                    asset.ready_at,
                ),
            )

    def get_asset(self, asset_id: str) -> AssetRow | None:
        row = self._one("SELECT * FROM assets WHERE id = ?", (asset_id,))
        return None if row is None else known(AssetRow, dict(row))

    def delete_asset(self, asset_id: str) -> AssetRow | None:
        """Remove an asset and its bytes; None when there was no such asset."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM assets WHERE id = ?", (asset_id,)).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM assets WHERE id = ?", (asset_id,))
        asset = known(AssetRow, dict(row))
        Path(asset.path).unlink(missing_ok=True)
        return asset

    def update_asset(self, asset_id: str, **values: Any) -> None:
        columns = ", ".join(f"{name} = ?" for name in values)
        with self._tx() as db:
            db.execute(f"UPDATE assets SET {columns} WHERE id = ?", (*values.values(), asset_id))  # noqa: S608

    # ------------------------------------------------------------------ idempotency

    def claim_key(self, scope: str, key: str, now: float, ttl: float) -> IdempotencyRow | None:
        """Reserve `key` for a new request, or return the existing record (in flight or done)."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM idempotency WHERE scope = ? AND key = ?", (scope, key)).fetchone()
            abandoned = row is not None and row["state"] == "in_flight" and not owners.is_alive(row_owner(row))
            if row is not None and row["created_at"] + ttl > now and not abandoned:
                return IdempotencyRow(
                    state=row["state"],
                    status=row["status"],
                    body=row["body"],
                    headers=json.loads(row["headers"] or "{}"),
                    created_at=row["created_at"],
                )
            db.execute(
                "INSERT OR REPLACE INTO idempotency (scope, key, state, created_at,"
                " owner_pid, owner_start, owner_store) VALUES (?, ?, 'in_flight', ?, ?, ?, ?)",
                (scope, key, now, self.owner.pid, self.owner.started, self.owner.store),
            )
            return None

    def store_key(self, scope: str, key: str, status: int, body: bytes, headers: dict[str, str]) -> None:
        with self._tx() as db:
            self._store_key(db, scope, key, status, body, headers)

    @staticmethod
    def _store_key(
        db: sqlite3.Connection, scope: str, key: str, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        db.execute(
            "UPDATE idempotency SET state = 'done', status = ?, body = ?, headers = ? WHERE scope = ? AND key = ?",
            (status, body, json.dumps(headers), scope, key),
        )

    def release_key(self, scope: str, key: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM idempotency WHERE scope = ? AND key = ? AND state = 'in_flight'", (scope, key))
