"""The job ledger, kept importable here: it lives in ``heygen_lipsync.store`` (SQLite, or PostgreSQL by URL)."""

from __future__ import annotations

from .store import *  # noqa: F403 - this module is the store's former name
from .store import __all__ as __all__
from .store.settings import *  # noqa: F403 - (named again for type checkers, which stop at one star)
