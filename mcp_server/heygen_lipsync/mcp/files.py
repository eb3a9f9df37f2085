"""The file sandbox: tools read and write only inside the allowed directories.

A model chooses the paths, so every path is resolved (``..`` and symlinks included) before
it is checked, and the check is on the resolved path. Relative paths are taken relative to
the first allowed directory (for downloads: the output directory). A ``file://`` URI is read
as the path it names (download_lipsync's own links are ``file://`` URIs, and models pass
them back). A missing file's error suggests the nearest name in its directory.

A file to read is opened first (``opened.open_input``: no symlink followed at the open, no
blocking on a FIFO or device put in its place), then the descriptor's type and real path are
checked, and the upload reads that descriptor. A download's folders are opened one by one
below the output directory without following symlinks, and the file is written through the
last folder's descriptor. The checks touch
the filesystem, which can be slow (a stalled network mount): tools run them through
``off_loop``, in a worker thread, so a slow file delays only its own call.

When no allowed directory was configured and the client offers roots (the MCP roots
capability), the client's roots are the allowed directories for its calls (``using_roots``;
never ``/``): a context variable carries them, so each session sees its own client's roots.
"""

from __future__ import annotations

import difflib
import errno
import functools
import os
import stat
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import ParamSpec, TypeVar

from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.media.opened import (
    NotRegularFileError,
    OpenedInput,
    OutputTarget,
    descriptor_path,
    open_folder,
    open_input,
    open_subfolders,
)
from heygen_lipsync.media.paths import expand_user

__all__ = ["FileSandbox", "off_loop", "root_dirs", "similar_name"]

# The allowed directories and output directory of the call in progress, from its client's roots.
_session_roots: ContextVar[tuple[tuple[Path, ...], Path] | None] = ContextVar("heygen_lipsync_roots", default=None)

P = ParamSpec("P")
T = TypeVar("T")


async def off_loop(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``fn`` (which touches the filesystem) in a worker thread, off the event loop.

    A cancelled call returns at once; the thread finishes on its own.

    Raises:
        Exception: whatever ``fn`` raises.
    """
    import anyio.to_thread

    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), abandon_on_cancel=True)


def _refuse(param: str, message: str, next_action: str | None = None) -> ToolFailure:
    return ToolFailure("path_not_allowed", message, param=param, next_action=next_action or "Use another path.")


def _impossible_name(exc: OSError, path: Path, param: str) -> ToolFailure | None:
    """The argument error for a path no file can have (too long, or through a file), else None."""
    if exc.errno == errno.ENAMETOOLONG:
        return ToolFailure(
            "invalid_argument",
            f"the path is too long for this system ({len(str(path))} characters; a file name may have at most "
            f"{_name_max(path)} bytes)",
            param=param,
            next_action="Use a shorter file name.",
        )
    if exc.errno == errno.ENOTDIR:
        blocker = next((p for p in reversed(path.parents) if p.exists() and not p.is_dir()), None)
        where = f"{blocker}, which is a file" if blocker is not None else "a file"
        return ToolFailure(
            "invalid_argument",
            f"{path} goes through {where}, not a directory: nothing can be inside it",
            param=param,
            next_action="Check the path: a file name cannot be followed by '/'.",
        )
    return None


def _path_of_file_uri(uri: str, param: str) -> str:
    """The local path a ``file://`` URI names.

    Raises:
        ToolFailure: the URI names another host.
    """
    parsed = urllib.parse.urlsplit(uri)
    if parsed.netloc not in ("", "localhost"):
        raise ToolFailure(
            "invalid_argument",
            f"{uri!r} is a file on another host ({parsed.netloc}); the server reads only its own files",
            param=param,
            next_action="Give a local path, or an https URL in the *_url argument.",
        )
    return urllib.parse.unquote(parsed.path)


def similar_name(path: Path) -> str | None:
    """The file name in ``path``'s directory closest to its name (a misspelling), if one is close."""
    try:
        names = [entry.name for entry in os.scandir(path.parent) if entry.is_file()]
    except OSError:
        return None
    lowered = {name.lower(): name for name in names}
    match = difflib.get_close_matches(path.name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def _name_max(path: Path) -> int:
    for parent in path.parents:
        try:
            return os.pathconf(parent, "PC_NAME_MAX")
        except (OSError, ValueError):
            continue
    return 255


class FileSandbox:
    """Checks paths against the allowed directories and the output directory."""

    def __init__(self, allowed_dirs: Sequence[Path], output_dir: Path) -> None:
        if not allowed_dirs:
            raise ValueError("at least one allowed directory is required")
        self._allowed_dirs = tuple(Path(d).resolve() for d in allowed_dirs)
        self._output_dir = Path(output_dir).resolve()

    @property
    def allowed_dirs(self) -> tuple[Path, ...]:
        """The directories tools may read: the configured ones, or the calling client's roots."""
        roots = _session_roots.get()
        return roots[0] if roots is not None else self._allowed_dirs

    @property
    def output_dir(self) -> Path:
        """Where downloads go: the configured directory, or (with roots) the first root."""
        roots = _session_roots.get()
        return roots[1] if roots is not None else self._output_dir

    @contextmanager
    def using_roots(self, dirs: Sequence[Path]) -> Iterator[None]:
        """Within the block (and the worker threads it starts), ``dirs`` are the allowed directories.

        The output directory stays the configured one when it is inside a root, else it is the
        first root. No ``dirs`` leaves the configured directories in place.
        """
        if not dirs:
            yield
            return
        roots = tuple(dirs)
        inside = any(self._output_dir.is_relative_to(d) for d in roots)
        token = _session_roots.set((roots, self._output_dir if inside else roots[0]))
        try:
            yield
        finally:
            _session_roots.reset(token)

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
        if text.lower().startswith("file:"):
            text = _path_of_file_uri(text, param)
        path = expand_user(text)  # "~dub.mp4" is a file name, not a home directory
        return path if path.is_absolute() else base / path

    def _resolve(self, unresolved: Path, param: str) -> Path:
        try:
            return unresolved.resolve()
        except OSError as exc:
            # A folder on the way removed or swapped while being resolved (or a symlink loop).
            raise self._unreadable(exc, unresolved, param) from None

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

    def input_file(self, raw: str, *, param: str) -> OpenedInput:
        """Open a file the server will read, then check what was opened: allowed, regular, readable.

        The file is opened first (no symlink followed at the open, no blocking on a FIFO),
        then the descriptor's type and real path are checked; the upload reads that
        descriptor, so a path swapped after the check changes nothing. Blocking: call it
        through ``off_loop`` from a tool.

        Raises:
            ToolFailure: outside the allowed directories, missing, a name no file can have, a
                directory, a device or other special file, or unreadable.
        """
        unresolved = self._absolute(raw, self.allowed_dirs[0], param)
        resolved = self._resolve(unresolved, param)
        self._check_inside(raw, unresolved, resolved, param)
        try:
            opened = open_input(resolved)
        except NotRegularFileError as exc:
            if exc.is_directory:
                raise _refuse(
                    param, f"{resolved} is a directory, not a file", "Give the path of a media file."
                ) from None
            raise _refuse(param, f"{resolved} is a device or other special file, not a regular file") from None
        except OSError as exc:
            raise self._unreadable(exc, resolved, param) from None
        # Where the descriptor really points, read from the descriptor: a folder on the way
        # swapped for a symlink between the check above and the open shows here.
        if opened.real_path is None or not self._inside_allowed(opened.real_path):
            opened.close()
            raise _refuse(
                param,
                f"{raw!r} changed while it was being opened and now leads outside the directories this server may "
                f"use: {self._describe_allowed()}",
            )
        return opened

    def open_output(self, dest: Path, *, param: str) -> OutputTarget:
        """Open (making them as needed) the folders of a checked download path below the output directory.

        Each sub-folder is opened relative to the previous one without following a symlink,
        and the download then creates and renames its file through the last descriptor: a
        sub-folder swapped for a symlink after ``output_file`` cannot lead the file outside.
        Blocking: call it through ``off_loop`` from a tool.

        Raises:
            ToolFailure: ``dest`` is outside the output directory, or a folder on the way is
                not a directory or was swapped for a symbolic link.
        """
        try:
            parts = dest.parent.relative_to(self.output_dir).parts
        except ValueError:
            raise _refuse(param, f"{dest} is outside the output directory {self.output_dir}") from None
        try:
            # The output directory itself is the operator's setting, made on first use.
            self.output_dir.mkdir(parents=True, exist_ok=True)
            root = open_folder(self.output_dir)
            try:
                folder = open_subfolders(root, parts, create=True)
            finally:
                root.close()
        except OSError as exc:
            raise _impossible_name(exc, dest, param) or _refuse(
                param,
                f"cannot use the folder {dest.parent} (a folder on the way is not a directory or was replaced by a "
                f"symbolic link): {exc.strerror or type(exc).__name__}",
            ) from None
        real = descriptor_path(folder.fd)
        if real is not None and not real.is_relative_to(self.output_dir):
            folder.close()
            raise _refuse(param, f"{dest.parent} leads outside the output directory {self.output_dir}")
        return OutputTarget.in_folder(folder, dest)

    def _unreadable(self, exc: OSError, path: Path, param: str) -> ToolFailure:
        if isinstance(exc, FileNotFoundError):
            near = similar_name(path)
            return ToolFailure(
                "file_not_found",
                f"no such file: {path}" + (f"; did you mean {near}?" if near else ""),
                param=param,
                next_action="Check the path (relative paths start at " + str(self.allowed_dirs[0]) + "); "
                "list_media lists the media files the server can use.",
            )
        if exc.errno == errno.ELOOP:
            return _refuse(param, f"{path} became a symbolic link after it was checked")
        if isinstance(exc, PermissionError):
            return _refuse(param, f"{path} is not readable by the server")
        return _impossible_name(exc, path, param) or _refuse(
            param, f"cannot read {path}: {exc.strerror or type(exc).__name__}"
        )

    def output_file(self, filename: str | None, *, default_name: str, overwrite: bool, param: str) -> Path:
        """Resolve where a download goes: inside the output directory, never over a file unless asked.

        Blocking: call it through ``off_loop`` from a tool.

        Raises:
            ToolFailure: outside the output directory, a name no file can have, a directory or
                special file, or an existing file without ``overwrite``.
        """
        raw = filename if filename is not None else default_name
        unresolved = self._absolute(raw, self.output_dir, param)
        resolved = self._resolve(unresolved, param)
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
        except OSError as exc:
            raise _impossible_name(exc, resolved, param) or _refuse(
                param, f"cannot use {resolved}: {exc.strerror or type(exc).__name__}"
            ) from None
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


def root_dirs(uris: Iterable[str]) -> tuple[Path, ...]:
    """The local directories that roots' ``file://`` URIs name: existing, resolved, never ``/``.

    A root that is not a local ``file://`` URI, does not exist or is the filesystem root is
    skipped: a client's roots widen nothing beyond what it named, and never to everything.
    """
    dirs: list[Path] = []
    for uri in uris:
        parsed = urllib.parse.urlsplit(str(uri))
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            continue
        try:
            path = Path(urllib.parse.unquote(parsed.path)).resolve()
        except OSError:
            continue
        if path.parent == path or not path.is_dir():
            continue
        dirs.append(path)
    return tuple(dict.fromkeys(dirs))
