"""The store's settings: which store (a SQLite file or a shared PostgreSQL database), its waits, the daily caps.

``HEYGEN_LIPSYNC_DATABASE_URL`` picks the store: unset, the embedded SQLite file
(``HEYGEN_LIPSYNC_LEDGER``: a path, or ``off``; else ``ledger.sqlite3`` in the user data
directory); ``postgresql://...``, a database every process naming it shares (jobs, uploads,
approvals, caps).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from heygen_lipsync.errors import ConfigurationError, DailyCapError

if TYPE_CHECKING:
    from heygen_lipsync.store.ledger import Ledger

__all__ = [
    "DEFAULT_ASSET_REUSE_DAYS",
    "DEFAULT_STORE_WAIT_SECONDS",
    "ENV_ASSET_REUSE_DAYS",
    "ENV_DATABASE_URL",
    "ENV_LEDGER",
    "ENV_MAX_JOBS_PER_DAY",
    "ENV_MAX_SPEND_PER_DAY",
    "ENV_STORE_WAIT",
    "LEDGER_FILENAME",
    "DailyCaps",
    "asset_reuse_days",
    "database_url",
    "default_ledger_path",
    "store_wait_seconds",
]

ENV_DATABASE_URL = "HEYGEN_LIPSYNC_DATABASE_URL"
ENV_LEDGER = "HEYGEN_LIPSYNC_LEDGER"
ENV_ASSET_REUSE_DAYS = "HEYGEN_LIPSYNC_ASSET_REUSE_DAYS"
ENV_MAX_JOBS_PER_DAY = "HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY"
ENV_MAX_SPEND_PER_DAY = "HEYGEN_LIPSYNC_MAX_SPEND_PER_DAY"
ENV_STORE_WAIT = "HEYGEN_LIPSYNC_STORE_WAIT_SECONDS"
DEFAULT_ASSET_REUSE_DAYS = 7.0
LEDGER_FILENAME = "ledger.sqlite3"
#: How long a spend waits for another process's write to the store before refusing (fail closed).
DEFAULT_STORE_WAIT_SECONDS = 5.0
DAY = 24 * 3600.0
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_SQLITE_SCHEME = "sqlite:///"


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


def store_wait_seconds(env: Mapping[str, str] | None = None) -> float:
    """How long a spend waits for the store's write lock (``HEYGEN_LIPSYNC_STORE_WAIT_SECONDS``, default 5).

    Raises:
        ConfigurationError: not a number of 0 or more.
    """
    value = _number(os.environ if env is None else env, ENV_STORE_WAIT, float)
    return DEFAULT_STORE_WAIT_SECONDS if value is None else value


def asset_reuse_days(env: Mapping[str, str] | None = None) -> float:
    """How long an uploaded asset is reused for the same content (``HEYGEN_LIPSYNC_ASSET_REUSE_DAYS``, default 7).

    Raises:
        ConfigurationError: not a number of 0 or more.
    """
    value = _number(os.environ if env is None else env, ENV_ASSET_REUSE_DAYS, float)
    return DEFAULT_ASSET_REUSE_DAYS if value is None else value


def database_url(env: Mapping[str, str] | None = None) -> str | None:
    """The shared store's URL (``HEYGEN_LIPSYNC_DATABASE_URL``), or None for the embedded SQLite file.

    ``sqlite:///path`` names a SQLite file too (as ``HEYGEN_LIPSYNC_LEDGER`` does).

    Raises:
        ConfigurationError: a URL of another kind of database.
    """
    raw = ((os.environ if env is None else env).get(ENV_DATABASE_URL) or "").strip()
    if not raw:
        return None
    if raw.startswith((*_POSTGRES_SCHEMES, _SQLITE_SCHEME)):
        return raw
    scheme = raw.split("://", 1)[0] if "://" in raw else "no scheme"
    raise ConfigurationError(
        f"{ENV_DATABASE_URL} must be a PostgreSQL URL (postgresql://user@host:5432/dbname) or sqlite:///path, "
        f"got one with {scheme}; unset it to keep the job store in this machine's SQLite file"
    )


def is_postgres(target: str) -> bool:
    """Whether ``target`` (a path or URL) names a PostgreSQL database."""
    return target.startswith(_POSTGRES_SCHEMES)


def sqlite_path(url: str) -> Path:
    """The file a ``sqlite:///path`` URL names."""
    return Path("/" + url.removeprefix(_SQLITE_SCHEME).lstrip("/")).expanduser()


def default_ledger_path(env: Mapping[str, str] | None = None) -> Path | None:
    """Where the SQLite ledger lives: ``HEYGEN_LIPSYNC_LEDGER`` (None when ``off``), else the user data directory."""
    environ = os.environ if env is None else env
    configured = (environ.get(ENV_LEDGER) or "").strip()
    if configured.lower() in ("off", "0", "false", "no", "none"):
        return None
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("heygen-lipsync", appauthor=False)) / LEDGER_FILENAME


@dataclass(frozen=True)
class DailyCaps:
    """Per-install caps over the last 24 hours, from the store (None: no cap)."""

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
        done, spent = ledger.spent_since(time.time() - DAY)
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
