"""The workspace's folders and registered webhooks (endpoints and the events delivered), in the sandbox's SQLite.

Tables of their own in the store's database (created on first use, so a data directory
made by an older sandbox gains them), written in the store's transactions: a folder, an
endpoint or an event the sandbox acknowledged survives a restart like a job does.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from heygen_lipsync.sandbox.store import Store

__all__ = ["EndpointRow", "EventRow", "FolderRow", "Workspace"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS folders (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    parent_id TEXT,
    is_trash INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    events TEXT,
    entity_id TEXT,
    secret TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    entity_id TEXT,
    data TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class FolderRow:
    seq: int
    id: str
    name: str
    type: str
    parent_id: str | None
    is_trash: bool
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class EndpointRow:
    seq: int
    id: str
    url: str
    events: list[str] | None
    entity_id: str | None
    secret: str
    status: str
    created_at: float


@dataclass(frozen=True)
class EventRow:
    seq: int
    id: str
    event_type: str
    entity_id: str | None
    data: dict[str, Any]
    created_at: float


def _folder(row: sqlite3.Row) -> FolderRow:
    return FolderRow(**{**dict(row), "is_trash": bool(row["is_trash"])})


def _endpoint(row: sqlite3.Row) -> EndpointRow:
    values = dict(row)
    values["events"] = json.loads(values["events"]) if values["events"] is not None else None
    return EndpointRow(**values)


def _event(row: sqlite3.Row) -> EventRow:
    return EventRow(**{**dict(row), "data": json.loads(row["data"])})


def new_secret() -> str:
    """A signing secret in HeyGen's `whsec_` form."""
    return "whsec_" + secrets.token_urlsafe(24)


class Workspace:
    """Folders, webhook endpoints and webhook events of the sandbox's one workspace."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store._lock:
            store._db.executescript(_SCHEMA)

    # ------------------------------------------------------------------ folders

    def add_folder(self, name: str, kind: str, parent_id: str | None, now: float) -> FolderRow:
        folder_id = "fld_" + secrets.token_hex(8)
        with self.store._tx() as db:
            db.execute(
                "INSERT INTO folders (id, name, type, parent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (folder_id, name, kind, parent_id, now, now),
            )
        found = self.folder(folder_id)
        assert found is not None
        return found

    def folder(self, folder_id: str) -> FolderRow | None:
        row = self.store._one("SELECT * FROM folders WHERE id = ?", (folder_id,))
        return None if row is None else _folder(row)

    def trash_folder(self, folder_id: str, now: float) -> bool:
        with self.store._tx() as db:
            cursor = db.execute("UPDATE folders SET is_trash = 1, updated_at = ? WHERE id = ?", (now, folder_id))
            return cursor.rowcount == 1

    def usable_folder(self, folder_id: str) -> bool:
        """True when `folder_id` names a folder of this workspace that is not in the trash."""
        found = self.folder(folder_id)
        return found is not None and not found.is_trash

    # ------------------------------------------------------------------ webhook endpoints

    def add_endpoint(self, url: str, events: list[str] | None, entity_id: str | None, now: float) -> EndpointRow:
        endpoint_id = "we_" + secrets.token_hex(8)
        with self.store._tx() as db:
            db.execute(
                "INSERT INTO webhook_endpoints (id, url, events, entity_id, secret, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, 'enabled', ?)",
                (endpoint_id, url, None if events is None else json.dumps(events), entity_id, new_secret(), now),
            )
        found = self.endpoint(endpoint_id)
        assert found is not None
        return found

    def endpoint(self, endpoint_id: str) -> EndpointRow | None:
        row = self.store._one("SELECT * FROM webhook_endpoints WHERE id = ?", (endpoint_id,))
        return None if row is None else _endpoint(row)

    def endpoints(self, limit: int | None = None, after_seq: int | None = None) -> list[EndpointRow]:
        """Oldest first; `after_seq` continues after a previous page."""
        sql, params = "SELECT * FROM webhook_endpoints WHERE seq > ? ORDER BY seq", [after_seq or 0]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_endpoint(r) for r in self.store._all(sql, tuple(params))]

    def update_endpoint(self, endpoint_id: str, **values: Any) -> EndpointRow | None:
        if "events" in values and values["events"] is not None:
            values["events"] = json.dumps(values["events"])
        if values:
            columns = ", ".join(f"{name} = ?" for name in values)
            with self.store._tx() as db:
                db.execute(f"UPDATE webhook_endpoints SET {columns} WHERE id = ?", (*values.values(), endpoint_id))  # noqa: S608
        return self.endpoint(endpoint_id)

    def delete_endpoint(self, endpoint_id: str) -> bool:
        with self.store._tx() as db:
            return db.execute("DELETE FROM webhook_endpoints WHERE id = ?", (endpoint_id,)).rowcount == 1

    # ------------------------------------------------------------------ webhook events

    def add_event(self, event_type: str, entity_id: str | None, data: dict[str, Any], now: float) -> EventRow:
        event_id = "evt_" + secrets.token_hex(8)
        with self.store._tx() as db:
            db.execute(
                "INSERT INTO webhook_events (id, event_type, entity_id, data, created_at) VALUES (?, ?, ?, ?, ?)",
                (event_id, event_type, entity_id, json.dumps(data), now),
            )
        row = self.store._one("SELECT * FROM webhook_events WHERE id = ?", (event_id,))
        assert row is not None
        return _event(row)

    def events(
        self, limit: int, before_seq: int | None, event_type: str | None, entity_id: str | None
    ) -> list[EventRow]:
        """Newest first, filtered; `before_seq` continues after a previous page."""
        sql = "SELECT * FROM webhook_events WHERE seq < ?"
        params: list[Any] = [before_seq if before_seq is not None else 2**63 - 1]
        for column, value in (("event_type", event_type), ("entity_id", entity_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        return [_event(r) for r in self.store._all(sql, tuple(params))]
