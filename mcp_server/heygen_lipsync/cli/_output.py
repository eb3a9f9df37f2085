"""The names commands used to import from one module, re-exported from where they now live.

``_state`` (global options), ``_render`` (stdout results, stderr notices), ``_progress``
(transfer bars, the wait's status line), ``_errors`` (error lines, JSON errors, exit codes)
and ``_run`` (running work against the API). Kept so imports of ``cli._output`` keep working.
"""

from __future__ import annotations

from ._errors import ExitCode, UsageProblem, error_boundary, error_payload, exit_code_for, fail
from ._progress import WaitReporter, transfer_progress
from ._render import emit, note, stderr_console
from ._run import run_client
from ._state import CliState, state

__all__ = [
    "CliState",
    "ExitCode",
    "UsageProblem",
    "WaitReporter",
    "emit",
    "error_boundary",
    "error_payload",
    "exit_code_for",
    "fail",
    "note",
    "run_client",
    "state",
    "stderr_console",
    "transfer_progress",
]
