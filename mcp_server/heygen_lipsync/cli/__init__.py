"""`heygen-lipsync`, the command-line tool over the heygen_lipsync library (Typer + Rich).

Commands are thin: parse arguments, call the library, shape the output. What they share
(global options, the client, output, errors and exit codes) lives in ``_output``.
"""

from __future__ import annotations

from .app import app, main

__all__ = ["app", "main"]
