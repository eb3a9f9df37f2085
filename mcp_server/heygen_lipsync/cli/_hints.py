"""The commands the CLI prints for a person to copy ("next: ...", "resume with ...").

A hint that leaves out ``--sandbox`` or ``--base-url`` fails when copied ("no HeyGen
credentials"), and a resume line that drops the ``--download`` asked for resumes a different
command. Every hint is built here, from the global options in effect and shell-quoted.
"""

from __future__ import annotations

import shlex

from ._state import CliState

__all__ = ["command", "resume_wait"]


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
