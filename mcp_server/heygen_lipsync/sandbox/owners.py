"""Who holds a piece of in-flight state (an Idempotency-Key record, a temporary file), and whether it still can.

Several processes may serve one data directory, and one process may open it more than
once (a restart in the same program). So an owner is a process (pid plus a start token,
so a reused pid is not mistaken for the owner) and one open store in it. State whose
owner is gone will never be finished: it may be cleared. State of a live owner is left
alone, whoever looks.

Where the platform cannot say whether another process runs (Windows: `os.kill` there
would terminate it), another process's state counts as abandoned, as before ownership
was recorded.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Owner", "claim", "is_alive", "parse_tag"]

_open_stores: set[str] = set()  # tokens of the stores open in this process
_lock = threading.Lock()
_TAG = re.compile(r"(\d+)-(\d*)-([0-9a-f]{16})")


def _start_token(pid: int) -> str | None:
    """When `pid` started, as the kernel counts it; "" when unknown here; None when gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None if Path("/proc/self/stat").exists() else ""
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
    if len(fields) < 20 or fields[0] == "Z":
        return None
    return fields[19]  # field 22 of proc(5): starttime


@dataclass(frozen=True)
class Owner:
    """One open store of one process."""

    pid: int
    started: str
    store: str

    @property
    def tag(self) -> str:
        """The owner as a file-name-safe string (see `parse_tag`)."""
        return f"{self.pid}-{self.started}-{self.store}"

    def release(self) -> None:
        """The store is closed: what it still holds is abandoned."""
        with _lock:
            _open_stores.discard(self.store)


def claim() -> Owner:
    """A new owner for a store being opened by this process."""
    owner = Owner(pid=os.getpid(), started=_start_token(os.getpid()) or "", store=secrets.token_hex(8))
    with _lock:
        _open_stores.add(owner.store)
    return owner


def parse_tag(text: str) -> Owner | None:
    """The owner named at the start of `text` (a file name), or None for a name without one."""
    match = _TAG.match(text)
    if match is None:
        return None
    return Owner(pid=int(match.group(1)), started=match.group(2), store=match.group(3))


def is_alive(owner: Owner | None) -> bool:
    """True while the owner's store may still finish what it started; False for None (no owner recorded)."""
    if owner is None:
        return False
    if owner.pid == os.getpid():
        with _lock:
            return owner.store in _open_stores
    if os.name == "nt":
        return False
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, as another user
    started = _start_token(owner.pid)
    return started is not None and (not owner.started or not started or started == owner.started)
