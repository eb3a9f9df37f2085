"""The commands the CLI prints for a person to copy ("next: ...", "resume with ...").

A hint that leaves out ``--sandbox`` or ``--base-url`` fails when copied ("no HeyGen
credentials"), and a resume line that drops the ``--download`` asked for resumes a different
command. Every hint is built here, from the global options in effect and shell-quoted.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from heygen_lipsync.cli._state import CliState

__all__ = ["command", "free_name", "resume_wait", "save_retry"]


def command(st: CliState, *words: str) -> str:
    """``heygen-lipsync [--sandbox] [--base-url URL] words...``, quoted for a POSIX shell."""
    head = ["heygen-lipsync"]
    if st.sandbox:
        head.append("--sandbox")
    if st.base_url:
        head += ["--base-url", st.base_url]
    return shlex.join([*head, *words])


def resume_wait(st: CliState, lipsync_id: str) -> str:
    """The command that resumes waiting for ``lipsync_id``, saving it where this command would have."""
    words = ["wait", lipsync_id]
    if st.resume_download is not None:
        words += ["--download", st.resume_download]
        if st.resume_overwrite:
            words.append("--overwrite")
    return command(st, *words)


def free_name(path: Path) -> Path:
    """``path`` itself when nothing is there, else the first of ``name-2.ext``, ``name-3.ext``... that is free."""
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def save_retry(st: CliState, lipsync_id: str, typed: str, path: Path, *, overwrite: bool) -> str:
    """What to paste when a finished job could not be saved to ``path`` (``typed`` as the person wrote it).

    A file already there refuses a plain retry ("already exists"), so the line then offers a
    free name beside it, and replacing it with ``--overwrite``; otherwise the same save again.
    """
    head = f"{lipsync_id} completed but was not saved"
    if not overwrite and path.is_file():
        free = free_name(path)
        new = typed[: -len(path.name)] + free.name if typed.endswith(path.name) else str(free)
        return (
            f"{head}; save it to a new file with: {command(st, 'download', lipsync_id, new)} "
            f"(or replace {typed} with: {command(st, 'download', lipsync_id, typed, '--overwrite')})"
        )
    again = ["download", lipsync_id, typed, *(["--overwrite"] if overwrite else [])]
    return f"{head}; retry with: {command(st, *again)}"
