"""The sandbox store's schema and rows: jobs, batches, assets and idempotency records as read back."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from heygen_lipsync.sandbox import owners

__all__ = ["SCHEMA", "AssetRow", "BatchRow", "IdempotencyRow", "JobRow", "add_columns", "job_of", "known", "row_owner"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    title TEXT,
    request TEXT NOT NULL,
    callback_id TEXT,
    origin TEXT NOT NULL,
    created_at REAL NOT NULL,
    run_at REAL NOT NULL,
    done_at REAL NOT NULL,
    status TEXT,
    duration REAL,
    output TEXT,
    caption TEXT,
    failure_message TEXT,
    batch_id TEXT,
    item_index INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_done_at ON jobs (done_at);
CREATE TABLE IF NOT EXISTS batches (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    title TEXT,
    callback_url TEXT,
    created_at REAL NOT NULL,
    total INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_items (
    batch_id TEXT NOT NULL,
    item_index INTEGER NOT NULL,
    lipsync_id TEXT NOT NULL,
    PRIMARY KEY (batch_id, item_index)
);
CREATE TABLE IF NOT EXISTS assets (
    id TEXT PRIMARY KEY,
    filename TEXT,
    content_type TEXT,
    mime_type TEXT,
    size_bytes INTEGER,
    declared_size INTEGER,
    checksum TEXT,
    status TEXT NOT NULL,
    path TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL
);
CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    body BLOB,
    headers TEXT,
    created_at REAL NOT NULL,
    owner_pid INTEGER,
    owner_start TEXT,
    owner_store TEXT,
    PRIMARY KEY (scope, key)
);
"""


# Columns added after the first release, for data directories made before them.
ADDED_COLUMNS = {
    "idempotency": ("owner_pid INTEGER", "owner_start TEXT", "owner_store TEXT"),
    # When a completed direct upload is ready for use (it is `processing` until then).
    "assets": ("ready_at REAL", "received_sha256 TEXT", "received_head BLOB"),
}


@dataclass(frozen=True)
class JobRow:
    seq: int
    id: str
    title: str | None
    request: dict[str, Any]
    callback_id: str | None
    origin: str
    created_at: float
    run_at: float
    done_at: float
    status: str | None  # final status once produced; None while (or until) it runs
    duration: float | None
    output: str | None
    caption: str | None
    failure_message: str | None
    batch_id: str | None
    item_index: int | None  # the job's status is decided in `status`, from these fields


@dataclass(frozen=True)
class BatchRow:
    seq: int
    id: str
    title: str | None
    callback_url: str | None
    created_at: float
    total: int


@dataclass(frozen=True)
class AssetRow:
    id: str
    filename: str | None
    content_type: str | None
    mime_type: str | None
    size_bytes: int | None
    declared_size: int | None
    checksum: str | None
    status: str
    path: str
    created_at: float
    expires_at: float | None
    ready_at: float | None = None
    # What the presigned PUT received (its SHA-256 and first bytes), hashed as it arrived,
    # as object storage does: complete checks these instead of reading the file again.
    received_sha256: str | None = None
    received_head: bytes | None = None


@dataclass(frozen=True)
class IdempotencyRow:
    state: str
    status: int | None
    body: bytes | None
    headers: dict[str, str]
    created_at: float


def add_columns(db: sqlite3.Connection) -> None:
    for table, columns in ADDED_COLUMNS.items():
        present = {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            if column.split()[0] not in present:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")


def row_owner(row: sqlite3.Row) -> owners.Owner | None:
    """The owner recorded on an idempotency row; None for a row written before owners were."""
    if row["owner_pid"] is None or row["owner_store"] is None:
        return None
    return owners.Owner(pid=row["owner_pid"], started=row["owner_start"] or "", store=row["owner_store"])


_R = TypeVar("_R")


def known(cls: type[_R], values: dict[str, Any]) -> _R:
    """``cls`` from a row, without the columns it does not know: a data directory may have been
    used by a newer version of the sandbox, which added some."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in values.items() if k in names})


def job_of(row: sqlite3.Row) -> JobRow:
    values = dict(row)
    values["request"] = json.loads(values["request"])
    return known(JobRow, values)
