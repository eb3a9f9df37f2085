"""The store's schema and its versions, migrated forward on start, once, when processes start together.

Each step lists statements both backends run, with ``{ID}`` and ``{REAL}`` spelled by the
dialect. The version is read again inside the migration's exclusive transaction (SQLite's
write lock, a Postgres advisory lock), so of several processes starting at once one migrates
and the others find the work done.
"""

from __future__ import annotations

from heygen_lipsync.store.dialect import Conn, Dialect

__all__ = ["SCHEMA_VERSION", "SchemaTooNewError", "migrate"]

SCHEMA_VERSION = 2

_STEPS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE IF NOT EXISTS jobs (
            id {ID},
            created_at {REAL} NOT NULL,
            updated_at {REAL} NOT NULL,
            kind TEXT NOT NULL,
            base_url TEXT NOT NULL,
            fingerprint TEXT,
            idempotency_key TEXT,
            inputs TEXT NOT NULL DEFAULT '{{}}',
            hashes TEXT NOT NULL DEFAULT '{{}}',
            estimate_usd {REAL},
            lipsync_id TEXT,
            batch_id TEXT,
            asset_id TEXT,
            status TEXT NOT NULL,
            downloads TEXT NOT NULL DEFAULT '[]'
        )""",
        "CREATE INDEX IF NOT EXISTS jobs_fingerprint ON jobs (fingerprint)",
        "CREATE INDEX IF NOT EXISTS jobs_key ON jobs (idempotency_key)",
        "CREATE INDEX IF NOT EXISTS jobs_lipsync ON jobs (lipsync_id)",
        "CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at)",
        "CREATE TABLE IF NOT EXISTS probes (sha256 TEXT PRIMARY KEY, probe TEXT NOT NULL, updated_at {REAL} NOT NULL)",
    ),
    # Who is sending a record (so another process waits instead of sending twice), single-use
    # approvals, and the install's own approval secret.
    2: (
        "ALTER TABLE jobs ADD COLUMN owner TEXT",
        "CREATE TABLE IF NOT EXISTS approvals (nonce TEXT PRIMARY KEY, used_at {REAL} NOT NULL, fingerprint TEXT)",
        "CREATE TABLE IF NOT EXISTS install (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
}


class SchemaTooNewError(Exception):
    """The store was written by a newer heygen-lipsync than this one."""


def migrate(conn: Conn, dialect: Dialect) -> None:
    """Bring the schema to ``SCHEMA_VERSION`` in one exclusive transaction.

    Raises:
        SchemaTooNewError: the store's version is newer than this code knows.
        Exception: a database error of the dialect's (the transaction is rolled back).
    """
    dialect.begin_migration(conn)
    try:
        version = dialect.schema_version(conn)
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(f"schema version {version} is newer than this heygen-lipsync knows")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            columns = dialect.columns(conn, "jobs")
            for statement in _STEPS[step]:
                added = statement.split("ADD COLUMN ", 1)[1].split()[0] if "ADD COLUMN" in statement else None
                if added is None or added not in columns:  # a file an interrupted older version half-migrated
                    conn.execute(statement.format(**dialect.types))
        if version != SCHEMA_VERSION:
            dialect.set_schema_version(conn, SCHEMA_VERSION)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
