"""Local files opened first, then checked: no check-then-open races.

A path that is checked and then opened again by name can be swapped in between: for a
symlink to a file outside, or for a FIFO that blocks the open forever. Here a file is opened
once, without following a symlink at its last component and without blocking
(``O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC``), and what was opened is checked: its type with
``fstat``, its real path from the descriptor itself. Uploads then read that descriptor
(``pread``, so retries and concurrent readers share no offset) and never the path again.
Downloads write through a descriptor of their folder (``dir_fd=``), so a folder swapped for a
symlink after the check cannot redirect them.

``OpenedInput`` and ``OutputTarget`` are ``Path`` objects that carry their descriptor, so they
travel unchanged through every API that takes a path (``FileSource``, ``AsyncLipsyncClient.upload``,
``AsyncLipsyncClient.download``). A path derived from one (``.parent``, ``.with_suffix()``) is a
plain path without a descriptor.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import weakref
from collections.abc import Iterable
from pathlib import Path, PosixPath, WindowsPath

__all__ = [
    "Descriptor",
    "NotRegularFileError",
    "OpenedInput",
    "OutputTarget",
    "descriptor_path",
    "open_folder",
    "open_input",
    "open_subfolders",
]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Never waits for a writer (FIFO) or a carrier (tty), never becomes the controlling
# terminal, never follows a symlink swapped in at the last component.
READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) | _NOFOLLOW
DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0) | _NOFOLLOW

if sys.platform == "win32":
    _PathBase = WindowsPath
else:
    _PathBase = PosixPath


class NotRegularFileError(OSError):
    """What was opened is a directory, a FIFO, a device or a socket, not a regular file."""

    def __init__(self, path: Path, mode: int) -> None:
        kind = "a directory" if stat.S_ISDIR(mode) else "a device or other special file"
        super().__init__(errno.EINVAL, f"{path} is {kind}, not a regular file")
        self.path = path
        self.is_directory = stat.S_ISDIR(mode)


def _close_quietly(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


class Descriptor:
    """An open file descriptor, closed by ``close()`` or, at the latest, when garbage collected."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._finalizer = weakref.finalize(self, _close_quietly, fd)

    @property
    def closed(self) -> bool:
        """True once closed."""
        return not self._finalizer.alive

    def close(self) -> None:
        """Close the descriptor (again is a no-op)."""
        self._finalizer()


def descriptor_path(fd: int) -> Path | None:
    """The real path of what an open descriptor refers to, read from the descriptor; None if unknown.

    Raises:
        OSError: the descriptor is not open.
    """
    if os.path.isdir("/proc/self/fd"):
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    if sys.platform == "darwin":
        import fcntl

        raw = fcntl.fcntl(fd, fcntl.F_GETPATH, bytes(1024))
        return Path(os.fsdecode(raw.split(b"\0", 1)[0]))
    return None


class OpenedInput(_PathBase):
    """A local file already opened and checked: uploads read its descriptor, never the path again.

    Build one with ``open_input``. ``size`` is the size when it was opened and ``real_path``
    where the descriptor points.
    """

    _descriptor: Descriptor | None = None
    size: int = 0
    real_path: Path | None = None

    @property
    def is_open(self) -> bool:
        """True while the descriptor is open (False for a path derived from this one)."""
        return self._descriptor is not None and not self._descriptor.closed

    def read_at(self, offset: int, size: int) -> bytes:
        """Up to ``size`` bytes from ``offset`` (no shared file position).

        Raises:
            OSError: the descriptor is closed or the read fails.
        """
        if self._descriptor is None:
            raise OSError(errno.EBADF, f"{self} is not open")
        return os.pread(self._descriptor.fd, size, offset)

    def fstat(self) -> os.stat_result:
        """The opened file's status, from the descriptor.

        Raises:
            OSError: the descriptor is closed.
        """
        if self._descriptor is None:
            raise OSError(errno.EBADF, f"{self} is not open")
        return os.fstat(self._descriptor.fd)

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        """The opened file's status while it is open (from the descriptor, never the name again).

        Raises:
            OSError: closed and the path cannot be read.
        """
        if self.is_open:
            return self.fstat()
        return super().stat(follow_symlinks=follow_symlinks)

    def close(self) -> None:
        """Close the descriptor."""
        if self._descriptor is not None:
            self._descriptor.close()


def open_input(path: str | os.PathLike[str]) -> OpenedInput:
    """Open a file to read, then check what was opened: a regular file, reached without a symlink swap.

    Symlinks the caller named are resolved first (the user may point at a linked file);
    the resolved path is then opened with ``O_NOFOLLOW``, so a symlink swapped in afterwards
    fails the open instead of being followed, and ``O_NONBLOCK``, so a FIFO cannot hang it.

    Raises:
        NotRegularFileError: a directory, FIFO, device or socket.
        OSError: missing, unreadable, or swapped for a symlink (``errno.ELOOP``) while opening.
    """
    resolved = Path(os.path.realpath(path))
    fd = os.open(resolved, READ_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFileError(Path(path), st.st_mode)
        real = descriptor_path(fd)
    except BaseException:
        os.close(fd)
        raise
    opened = OpenedInput(path)
    opened._descriptor = Descriptor(fd)
    opened.size = st.st_size
    opened.real_path = real if real is not None else resolved
    return opened


class OutputTarget(_PathBase):
    """A file to write whose folder is already open: downloads create and rename it through that descriptor."""

    folder: Descriptor | None = None

    @classmethod
    def in_folder(cls, folder: Descriptor, path: str | os.PathLike[str]) -> OutputTarget:
        """``path`` (whose parent ``folder`` is open) as a target written through ``folder``."""
        target = cls(path)
        target.folder = folder
        return target

    def sibling(self, suffix: str) -> Path:
        """The same name with another suffix, written through the same folder descriptor."""
        plain = Path(self).with_suffix(suffix)
        return OutputTarget.in_folder(self.folder, plain) if self.folder is not None else plain


def open_folder(path: str | os.PathLike[str]) -> Descriptor:
    """Open a directory (its symlinks resolved once) to create files in it with ``dir_fd=``.

    Raises:
        OSError: missing, not a directory, or swapped for a symlink while opening.
    """
    return Descriptor(os.open(os.path.realpath(path), DIR_FLAGS))


def open_subfolders(root: Descriptor, parts: Iterable[str], *, create: bool) -> Descriptor:
    """Walk (and, with ``create``, make) sub-folders below an open folder, never following a symlink.

    Each step opens one name relative to the previous descriptor with ``O_NOFOLLOW``: a
    sub-folder swapped for a symlink fails with ``ELOOP`` or ``ENOTDIR`` instead of leading out.

    Raises:
        OSError: a part is missing (without ``create``), not a directory, or a symlink.
    """
    current = Descriptor(os.dup(root.fd))
    for part in parts:
        if part in ("", ".", ".."):
            current.close()
            raise OSError(errno.EINVAL, f"{part!r} is not a folder name")
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o777, dir_fd=current.fd)
        try:
            step = os.open(part, DIR_FLAGS, dir_fd=current.fd)
        finally:
            current.close()
        current = Descriptor(step)
    return current
