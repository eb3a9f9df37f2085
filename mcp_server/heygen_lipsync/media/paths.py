"""How a path the user typed becomes a ``Path``: ``~`` means a home directory only as ``~/...`` or ``~user/...``.

``Path.expanduser`` treats any leading ``~`` as a home directory, so a file named
``~dub.mp4`` fails with "Could not determine home directory" (or names another user's home).
Here ``~`` and ``~/...`` are the caller's home, ``~name/...`` the home of an existing user
``name``, and anything else (``~dub.mp4``, ``~nobody-by-that-name/x``) is an ordinary name.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["expand_user"]


def expand_user(path: str | os.PathLike[str]) -> Path:
    """``path`` with a leading ``~`` or ``~user`` expanded when it names a home directory, else unchanged.

    Never raises for a name that merely starts with ``~``.
    """
    text = os.fspath(path)
    if not text.startswith("~"):
        return path if isinstance(path, Path) else Path(path)  # keeps an opened path's descriptor
    head, sep, _rest = text.partition("/")
    if head != "~" and not sep:
        return Path(path)  # "~dub.mp4": a file name, not a home directory
    try:
        expanded = Path(head).expanduser()
    except RuntimeError:  # no such user, or no home directory known
        return Path(path)
    if str(expanded) == head:
        return Path(path)
    return Path(os.path.join(expanded, text[len(head) + 1 :])) if sep else expanded
