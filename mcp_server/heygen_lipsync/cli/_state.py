"""The per-invocation state: the global options, parsed once and kept on the click context."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from heygen_lipsync.store import Ledger

import typer

__all__ = ["CliState", "state"]


@dataclass
class CliState:
    """Global options, parsed once by the app callback and kept on the click context."""

    sandbox: bool = False
    base_url: str | None = None
    human: bool | None = None  # None: decide by whether stdout is a terminal
    json_errors: bool = False
    debug: bool = False
    command: Any = None  # the (sub)command being run, to name its flags in error lines
    resume_download: str | None = None  # the --download a resume hint must keep (see _hints)
    resume_overwrite: bool = False

    @property
    def is_human(self) -> bool:
        """Whether results are for a person: ``--human``, or stdout is a terminal without ``--json``."""
        return self.human if self.human is not None else sys.stdout.isatty()


def state(ctx: typer.Context) -> CliState:
    """The global options of this invocation (defaults when a command runs without the callback)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    root.obj.command = ctx.command
    return root.obj


def ledger_of(st: CliState) -> Ledger | None:
    """The ledger this invocation records in: the sandbox's own under --sandbox, else the install's."""
    from heygen_lipsync.store import open_default, sandbox_ledger  # loaded when a command needs it

    if st.sandbox:
        from heygen_lipsync.sandbox import SandboxConfig

        try:
            return sandbox_ledger(SandboxConfig.from_env().data_dir)
        except ValueError:
            return None
    return open_default()  # HEYGEN_LIPSYNC_DATABASE_URL's shared store, else the SQLite file
