"""The sandbox's clock, in one place so a test can stop or move time for every module at once.

Modules call `clock.now()` (never `from .clock import now`), so patching this module's
`now` is seen everywhere.
"""

from __future__ import annotations

import time

__all__ = ["now"]


def now() -> float:
    """The sandbox's clock (seconds since the epoch)."""
    return time.time()
