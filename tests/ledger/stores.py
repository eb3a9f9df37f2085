"""The job store under test, on both backends: ``store`` is a SQLite file, or a fresh PostgreSQL schema.

Every test that takes ``store`` runs twice (``[sqlite]``, ``[postgres]``). The install's
settings point at it (``HEYGEN_LIPSYNC_LEDGER`` or ``HEYGEN_LIPSYNC_DATABASE_URL``), so clients,
MCP servers and child processes of the test all share it. A PostgreSQL test gets a schema of
its own (dropped afterwards) through the URL's ``search_path``: no two tests see each other's
rows. Without a PostgreSQL (``HEYGEN_LIPSYNC_TEST_DATABASE_URL``) the ``[postgres]`` half skips
locally and fails in CI.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from heygen_lipsync.store import Ledger

__all__ = ["Store", "postgres_schema", "store"]


@dataclass(frozen=True)
class Store:
    """Where the test's store is: ``target`` is what ``Ledger.open`` takes (a path or a URL)."""

    kind: str
    target: str

    def open(self) -> Ledger:
        return Ledger.open(self.target)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Another process holds the store's write lock (and, in PostgreSQL, the spend lock) meanwhile."""
        if self.kind == "sqlite":
            other = sqlite3.connect(self.target, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                other.execute("ROLLBACK")
                other.close()
            return
        import psycopg

        with psycopg.connect(self.target, autocommit=True) as other:
            other.execute("BEGIN")
            other.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':heygen-lipsync:spend'))")
            other.execute("LOCK TABLE jobs IN EXCLUSIVE MODE")  # bookkeeping writes wait too; reads do not
            try:
                yield
            finally:
                other.execute("ROLLBACK")

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        """Rows of a query run directly on the store (what another tool would see)."""
        if self.kind == "sqlite":
            with sqlite3.connect(self.target) as conn:
                return list(conn.execute(sql).fetchall())
        import psycopg

        with psycopg.connect(self.target) as conn:
            return list(conn.execute(sql).fetchall())  # type: ignore[arg-type]


def _with_schema(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The install's job store for this test: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        path = tmp_path / "ledger.sqlite3"
        monkeypatch.setenv("HEYGEN_LIPSYNC_LEDGER", str(path))
        monkeypatch.delenv("HEYGEN_LIPSYNC_DATABASE_URL", raising=False)
        yield Store("sqlite", str(path))
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        monkeypatch.setenv("HEYGEN_LIPSYNC_DATABASE_URL", url)
        yield Store("postgres", url)


@contextmanager
def postgres_schema(base: str) -> Iterator[str]:
    """A fresh schema in the tests' PostgreSQL database, dropped afterwards: the URL whose search_path names it."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')  # type: ignore[arg-type]
    try:
        yield _with_schema(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')  # type: ignore[arg-type]
            # A shared campaign's engine (DBOS) keeps its tables beside the store's.
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}_dbos" CASCADE')  # type: ignore[arg-type]
