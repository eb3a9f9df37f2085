"""What differs between the store's backends, and nothing else: connecting, locking, types, JSON, versions.

The ledger's queries are written once, with ``?`` placeholders and SQL both SQLite and
PostgreSQL accept (``INSERT ... RETURNING``, ``ON CONFLICT``); a dialect supplies the rest:

* how to connect, and how long a statement may wait for another process's lock;
* how a write begins: SQLite's ``BEGIN IMMEDIATE`` takes the file's one write lock; a Postgres
  spend takes a transaction-scoped advisory lock, so the cap check and the record of a spend
  cannot interleave across processes and machines;
* column types (an epoch time needs a double in Postgres, whose ``REAL`` is single precision),
  a JSON field as text, and where the schema's version is kept.

The SQLite dialect hands out the ``sqlite3`` connection itself: the embedded path stays as fast
as it was before there was a second backend.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar, Protocol

__all__ = ["BEST_EFFORT_WAIT_SECONDS", "Conn", "Cursor", "Dialect", "SQLiteDialect"]

#: How long a bookkeeping write (a status, a download) waits before it is skipped: never long on an event loop.
BEST_EFFORT_WAIT_SECONDS = 1.0


class Cursor(Protocol):
    """The rows a statement returned."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Conn(Protocol):
    """A connection to the store, as the ledger and the spend authority use it (``?`` placeholders)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any: ...

    def close(self) -> None: ...


class Dialect(Protocol):
    """One backend of the store."""

    #: Where it is, for people (never with a password).
    where: str
    #: The setting that names it (for messages that say what to change).
    setting: str
    #: The errors a database call of this backend raises.
    errors: tuple[type[Exception], ...]
    #: Column types the schema names: ``{ID}`` (an auto-numbered key) and ``{REAL}`` (a double).
    types: ClassVar[dict[str, str]]
    #: Whether a lost connection is worth opening again (a server that restarted; not a corrupt file).
    reconnects: bool

    def connect(self, wait: float) -> Conn:
        """A new connection whose statements wait at most ``wait`` seconds for a lock."""

    def settle(self, conn: Conn) -> None:
        """After opening: bookkeeping waits at most ``BEST_EFFORT_WAIT_SECONDS`` from now on."""

    def is_busy(self, exc: BaseException) -> bool:
        """Whether ``exc`` means another process held a lock past the wait (the store itself is fine)."""

    def begin_write(self, conn: Conn) -> None:
        """Begin a bookkeeping write transaction."""

    def begin_spend(self, conn: Conn, wait: float) -> None:
        """Begin the one spend transaction: exclusive among spends, waiting at most ``wait`` seconds."""

    def end_spend(self, conn: Conn) -> None:
        """After a spend transaction (committed or not): back to bookkeeping waits."""

    def begin_migration(self, conn: Conn) -> None:
        """Begin the transaction that migrates the schema, exclusive among processes starting at once."""

    def schema_version(self, conn: Conn) -> int:
        """The schema's version (0: no schema yet)."""

    def set_schema_version(self, conn: Conn, version: int) -> None:
        """Record the schema's version (inside the migration's transaction)."""

    def columns(self, conn: Conn, table: str) -> set[str]:
        """The column names of ``table``."""

    def json_text(self, column: str, key: str) -> str:
        """An SQL expression: the text of ``column``'s JSON field ``key`` (NULL when absent)."""


class SQLiteDialect:
    """The embedded store: one file, WAL journal, a busy timeout, writes in ``BEGIN IMMEDIATE``."""

    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    types: ClassVar[dict[str, str]] = {"ID": "INTEGER PRIMARY KEY AUTOINCREMENT", "REAL": "REAL"}
    reconnects = False

    def __init__(self, path: Path, *, setting: str) -> None:
        self.path = path
        self.where = str(path)
        self.setting = setting

    def connect(self, wait: float) -> Conn:
        """Open the file (creating its folder), in WAL mode.

        Raises:
            sqlite3.Error, OSError: it cannot be opened.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=wait, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        return conn

    def settle(self, conn: Conn) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(BEST_EFFORT_WAIT_SECONDS * 1000)}")

    def is_busy(self, exc: BaseException) -> bool:
        text = str(exc).lower()
        return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)

    def begin_write(self, conn: Conn) -> None:
        # IMMEDIATE takes the write lock at once: a deferred transaction that upgrades later
        # fails with "database is locked" instead of waiting out the busy timeout.
        conn.execute("BEGIN IMMEDIATE")

    def begin_spend(self, conn: Conn, wait: float) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        conn.execute("BEGIN IMMEDIATE")

    def end_spend(self, conn: Conn) -> None:
        self.settle(conn)

    def begin_migration(self, conn: Conn) -> None:
        conn.execute("BEGIN IMMEDIATE")  # the version is read again inside it

    def schema_version(self, conn: Conn) -> int:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def set_schema_version(self, conn: Conn, version: int) -> None:
        conn.execute(f"PRAGMA user_version = {int(version)}")

    def columns(self, conn: Conn, table: str) -> set[str]:
        return {str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})").fetchall()}

    def json_text(self, column: str, key: str) -> str:
        return f"CAST(json_extract({column}, '$.{key}') AS TEXT)"
