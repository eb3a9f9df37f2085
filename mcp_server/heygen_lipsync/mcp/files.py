"""The file sandbox: tools read and write only inside the allowed directories.

A model chooses the paths, so every path is resolved (``..`` and symlinks included) before
it is checked, and the check is on the resolved path. Relative paths are taken relative to
the first allowed directory (for downloads: the output directory).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from heygen_lipsync.mcp.errors import ToolFailure

__all__ = ["FileSandbox"]


def _refuse(param: str, message: str, next_action: str | None = None) -> ToolFailure:
    return ToolFailure("path_not_allowed", message, param=param, next_action=next_action or "Use another path.")


class FileSandbox:
    """Checks paths against the allowed directories and the output directory."""

    def __init__(self, allowed_dirs: Sequence[Path], output_dir: Path) -> None:
        if not allowed_dirs:
            raise ValueError("at least one allowed directory is required")
        self.allowed_dirs = tuple(Path(d).resolve() for d in allowed_dirs)
        self.output_dir = Path(output_dir).resolve()

    def _describe_allowed(self) -> str:
        return ", ".join(str(d) for d in self.allowed_dirs)

    def _inside_allowed(self, path: Path) -> bool:
        return any(path.is_relative_to(d) for d in self.allowed_dirs)

    def _absolute(self, raw: str, base: Path, param: str) -> Path:
        text = raw.strip()
        if not text:
            raise ToolFailure("invalid_argument", "the path is empty", param=param, next_action="Give a file path.")
        if "\x00" in text:
            raise _refuse(param, "the path contains a NUL character")
        path = Path(text).expanduser()
        return path if path.is_absolute() else base / path

    def _check_inside(self, raw: str, unresolved: Path, resolved: Path, param: str) -> None:
        if self._inside_allowed(resolved):
            return
        if os.path.normpath(unresolved) != str(resolved) and self._inside_allowed(Path(os.path.normpath(unresolved))):
            why = f"{raw!r} is a symbolic link (or goes through one) to {resolved}, which is outside"
        elif ".." in Path(raw).parts:
            why = f"{raw!r} uses '..' to leave"
        else:
            why = f"{raw!r} resolves to {resolved}, which is outside"
        raise _refuse(
            param,
            f"{why} the directories this server may use: {self._describe_allowed()}",
            "Use a file inside one of those directories (ask the user to move or copy it there, or to add its "
            "directory to HEYGEN_LIPSYNC_ALLOWED_DIRS).",
        )

    def input_file(self, raw: str, *, param: str) -> Path:
        """Resolve a path the server will read, and check it is an allowed, regular, readable file.

        Raises:
            ToolFailure: outside the allowed directories, missing, a directory, a device or
                other special file, or unreadable.
        """
        unresolved = self._absolute(raw, self.allowed_dirs[0], param)
        resolved = unresolved.resolve()
        self._check_inside(raw, unresolved, resolved, param)
        try:
            st = resolved.stat()
        except FileNotFoundError:
            raise ToolFailure(
                "file_not_found",
                f"no such file: {resolved}",
                param=param,
                next_action="Check the path (relative paths start at " + str(self.allowed_dirs[0]) + ").",
            ) from None
        except OSError as exc:
            raise _refuse(param, f"cannot read {resolved}: {exc.strerror or type(exc).__name__}") from None
        if stat.S_ISDIR(st.st_mode):
            raise _refuse(param, f"{resolved} is a directory, not a file", "Give the path of a media file.")
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(param, f"{resolved} is a device or other special file, not a regular file")
        if not os.access(resolved, os.R_OK):
            raise _refuse(param, f"{resolved} is not readable by the server")
        return resolved

    def output_file(self, filename: str | None, *, default_name: str, overwrite: bool, param: str) -> Path:
        """Resolve where a download goes: inside the output directory, never over a file unless asked.

        Raises:
            ToolFailure: outside the output directory, a directory or special file, or an
                existing file without ``overwrite``.
        """
        raw = filename if filename is not None else default_name
        unresolved = self._absolute(raw, self.output_dir, param)
        resolved = unresolved.resolve()
        if not resolved.is_relative_to(self.output_dir):
            raise _refuse(
                param,
                f"{raw!r} resolves to {resolved}, outside the output directory {self.output_dir}",
                "Give a plain file name (e.g. 'dubbed.mp4'); downloads always go to the output directory.",
            )
        if resolved == self.output_dir:
            raise _refuse(param, f"{raw!r} is the output directory itself", "Give a file name such as 'dubbed.mp4'.")
        try:
            st = resolved.lstat()
        except FileNotFoundError:
            return resolved
        if stat.S_ISDIR(st.st_mode):
            raise _refuse(param, f"{resolved} is a directory", "Give a file name such as 'dubbed.mp4'.")
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(param, f"{resolved} exists and is not a regular file")
        if not overwrite:
            raise ToolFailure(
                "file_exists",
                f"{resolved} already exists; the server never overwrites a file silently",
                param=param,
                next_action="Ask the user whether to replace it: then call again with overwrite=true, "
                "or pass another filename.",
            )
        return resolved
