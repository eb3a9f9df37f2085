"""`heygen-lipsync`, the command-line tool over the heygen_lipsync library (Typer + Rich).

Commands parse arguments, call the library and shape the output; the workflows (uploads,
waiting, downloads) are the library's. What commands share is split by concern: ``_state``
(global options), ``_render`` (results on stdout, notices on stderr), ``_progress``
(transfer bars, the wait's status line), ``_errors`` (error lines, JSON errors, exit codes),
``_run`` (the client against the API or an embedded sandbox), ``_input`` (bodies,
manifests, durations, paths), ``_limits`` (size, file-kind, JSON and length bounds on
input), ``_destinations`` (download targets checked before paying) and ``_workflows``
(waiting, downloading, and create's wait-then-save that never loses a finished job).
"""

from __future__ import annotations

from heygen_lipsync.cli.app import app, main

__all__ = ["app", "main"]
