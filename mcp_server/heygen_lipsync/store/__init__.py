"""The job store behind one interface: an embedded SQLite file by default, a shared PostgreSQL by URL.

``HEYGEN_LIPSYNC_DATABASE_URL`` unset: the SQLite file ``HEYGEN_LIPSYNC_LEDGER`` names (or
``off``), else ``ledger.sqlite3`` in the user data directory. ``postgresql://...``: a store
every process and machine naming it shares (job history, dedupe, uploads, approvals, daily
caps). The embedded sandbox keeps its own ledger beside its data, so sandbox and real jobs
never mix; every record names the base URL it was made against.

```python
ledger = Ledger.open(path_or_url)     # or open_default(); None when turned off
rec = ledger.record(kind="lipsync", base_url=url, fingerprint=fp, idempotency_key=key, inputs={...})
ledger.update(rec, lipsync_id="ls_1", status="pending")
ledger.find_by_fingerprint(fp, base_url=url); ledger.find_by_id("ls_1"); ledger.recent(limit=20)
with ledger.transaction() as conn: ...  # the spend authority's one exclusive transaction
```
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from heygen_lipsync.errors import DailyCapError
from heygen_lipsync.store import settings as _settings
from heygen_lipsync.store.ledger import Ledger
from heygen_lipsync.store.migrate import SCHEMA_VERSION
from heygen_lipsync.store.records import FAILED_STATUSES, JobRecord, record_of
from heygen_lipsync.store.settings import *  # noqa: F403 - the store's settings are part of its surface
from heygen_lipsync.store.settings import LEDGER_FILENAME, database_url, default_ledger_path, is_postgres, sqlite_path

__all__ = [
    "FAILED_STATUSES",
    "SCHEMA_VERSION",
    "DailyCapError",
    "JobRecord",
    "Ledger",
    "open_default",
    "record_of",
    "sandbox_ledger",
]
__all__ += _settings.__all__


def open_default(env: Mapping[str, str] | None = None) -> Ledger | None:
    """The install's store: ``HEYGEN_LIPSYNC_DATABASE_URL`` when set, else the SQLite file of
    ``default_ledger_path`` (None when that is turned off).

    Raises:
        ConfigurationError: the URL names another kind of database, or PostgreSQL without psycopg.
    """
    url = database_url(env)
    if url is not None:
        return Ledger.open(url if is_postgres(url) else sqlite_path(url))
    path = default_ledger_path(env)
    return Ledger.open(path) if path is not None else None


def sandbox_ledger(data_dir: Path | None, env: Mapping[str, str] | None = None) -> Ledger | None:
    """The embedded sandbox's own ledger, beside its data (None for an in-memory sandbox or when turned off).

    Always a SQLite file: sandbox jobs never enter a shared store.
    """
    if data_dir is None or (default_ledger_path(env) is None and database_url(env) is None):
        return None
    return Ledger.open(Path(data_dir) / LEDGER_FILENAME, origin="sandbox")
