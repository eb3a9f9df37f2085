"""Where downloads go: checks of a destination the person typed, made before anything is paid for.

``create --download`` creates a paid job, waits for it, then saves it; a destination that
cannot take the file must be refused before the job is created, not found out after.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from heygen_lipsync.cli._errors import UsageProblem

__all__ = ["check_download_target", "check_folder_named", "check_writable"]


def check_download_target(save_to: Path, typed: str, *, overwrite: bool) -> None:
    """Refuse a ``--download`` destination that cannot be written, before the job is created.

    Raises:
        UsageProblem: the file exists (without ``--overwrite``), its folder does not exist,
            or no file can be created in that folder.
    """
    if not save_to.is_dir():
        check_folder_named(save_to, typed, param="--download")
        if save_to.exists() and not overwrite:
            raise UsageProblem(f"--download: {typed} already exists; pass --overwrite to replace it", param="download")
        if not save_to.parent.is_dir():
            raise UsageProblem(
                f"--download: {save_to.parent} is not an existing folder; create it first", param="download"
            )
    check_writable(save_to if save_to.is_dir() else save_to.parent, param="--download")


def check_writable(folder: Path, *, param: str) -> None:
    """Create and remove a file in ``folder``: the only check that a save there will work.

    Permission bits do not tell (root ignores them; read-only mounts, ACLs and full disks
    do not show in them), so the check does what the download will do.

    Raises:
        UsageProblem: no file can be created in ``folder``.
    """
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".heygen-lipsync-", suffix=".check")
    except OSError as exc:
        raise UsageProblem(
            f"{param}: cannot write in {folder} ({exc.strerror or exc}); choose a folder you can write to",
            param=param.lstrip("-"),
        ) from None
    os.close(fd)
    os.unlink(probe)


def check_folder_named(path: Path, typed: str, *, param: str) -> None:
    """A destination typed with a trailing slash means a folder: it must exist.

    ``Path("out/")`` is ``Path("out")``, so without this the video would be saved as a file
    named ``out``.

    Raises:
        UsageProblem: ``typed`` ends with a slash and names no existing folder.
    """
    if typed.endswith(("/", os.sep)) and not path.is_dir():
        raise UsageProblem(f"{param}: {typed} is not an existing folder; create it first", param=param.lstrip("-"))
