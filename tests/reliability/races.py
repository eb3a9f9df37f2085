"""File races shared by the CI tests (small counts) and scripts/bench/reliability.py (2,000 tries).

A thread keeps swapping a path while the MCP server's file sandbox checks it and the library
moves the bytes, the way a hostile local process would:

- upload: the file to upload flips between a file inside the allowed directory and a
  symlink to a secret outside, and its folder flips between a real folder and a symlink to
  a folder outside. An escape is an upload body holding the outside file's bytes.
- download: the output sub-folder flips between a real folder and a symlink to a folder
  outside the output directory. An escape is any file appearing outside.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from heygen_lipsync import files as lib_files
from heygen_lipsync.errors import DownloadError
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.files import FileSandbox

__all__ = ["RaceReport", "download_race", "upload_race"]

INSIDE = b"\x00\x00\x00\x18ftypmp42 inside-bytes"
OUTSIDE = b"\x00\x00\x00\x18ftypmp42 OUTSIDE-SECRET"


@dataclass
class RaceReport:
    """What the tries saw: escapes must be 0; the rest shows the race was really run."""

    tries: int = 0
    escapes: int = 0
    refused: int = 0  # the check or the open noticed the swap (a clear tool error)
    completed: int = 0  # the bytes moved, inside


@contextlib.contextmanager
def _flipping(flip: Callable[[], None]) -> Iterator[None]:
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                flip()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def _swap_folder(folder: Path, outside: Path) -> Callable[[], None]:
    aside = folder.with_name(folder.name + ".aside")

    def flip() -> None:
        os.rename(folder, aside)
        os.symlink(outside, folder)
        time.sleep(0)  # let the other thread run while the symlink is in place
        os.unlink(folder)
        os.rename(aside, folder)
        time.sleep(0)  # and while the real folder is

    return flip


def _swap_file(path: Path, outside_file: Path) -> Callable[[], None]:
    link, plain = path.with_name(".link"), path.with_name(".plain")

    def flip() -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(link)
        os.symlink(outside_file, link)
        os.replace(link, path)
        time.sleep(0)
        plain.write_bytes(INSIDE)
        os.replace(plain, path)
        time.sleep(0)

    return flip


def _sent_bytes(opened: Path) -> bytes:
    # What the multipart upload would send: ProgressFile is the body httpx reads.
    with lib_files.ProgressFile(opened, len(INSIDE), None) as body:
        return body.read()


def upload_race(root: Path, tries: int) -> RaceReport:
    """``tries`` upload checks-and-reads of a path a thread keeps swapping (half flip the file, half its folder).

    Raises:
        OSError: the scenario's own files cannot be set up.
    """
    allowed, outside = root / "allowed", root / "outside"
    (allowed / "sub").mkdir(parents=True)
    (outside / "sub").mkdir(parents=True)
    (outside / "clip.mp4").write_bytes(OUTSIDE)
    (outside / "sub" / "clip.mp4").write_bytes(OUTSIDE)
    (allowed / "clip.mp4").write_bytes(INSIDE)
    (allowed / "sub" / "clip.mp4").write_bytes(INSIDE)
    sandbox = FileSandbox([allowed], allowed)
    report = RaceReport()
    cases = (
        ("clip.mp4", _swap_file(allowed / "clip.mp4", outside / "clip.mp4")),
        ("sub/clip.mp4", _swap_folder(allowed / "sub", outside / "sub")),
    )
    for name, flip in cases:
        with _flipping(flip):
            for _ in range(tries // len(cases)):
                report.tries += 1
                try:
                    opened = sandbox.input_file(name, param="path")
                except ToolFailure:
                    report.refused += 1
                    continue
                try:
                    sent = _sent_bytes(opened)
                finally:
                    opened.close()
                if OUTSIDE in sent:
                    report.escapes += 1
                else:
                    report.completed += 1
    return report


async def download_race(root: Path, tries: int) -> RaceReport:
    """``tries`` downloads into an output sub-folder a thread keeps swapping for a symlink outside.

    Raises:
        OSError: the scenario's own files cannot be set up.
    """
    output, outside = root / "output", root / "elsewhere"
    (output / "sub").mkdir(parents=True)
    outside.mkdir()
    sandbox = FileSandbox([root / "output"], output)
    report = RaceReport()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=INSIDE))
    async with httpx.AsyncClient(transport=transport) as http:
        with _flipping(_swap_folder(output / "sub", outside)):
            for i in range(tries):
                report.tries += 1
                try:
                    dest = sandbox.output_file(f"sub/out{i}.mp4", default_name="", overwrite=True, param="filename")
                    target = sandbox.open_output(dest, param="filename")
                except ToolFailure:
                    report.refused += 1
                    continue
                try:
                    await lib_files.atomic_download(
                        http, "https://storage.invalid/x.mp4", target, overwrite=True, lipsync_id="x", extensions={}
                    )
                    report.completed += 1
                except DownloadError:
                    report.refused += 1  # a clear error naming the file, never a write elsewhere
                finally:
                    if target.folder is not None:
                        target.folder.close()
                if any(outside.iterdir()):
                    report.escapes += 1
                    shutil.rmtree(outside)
                    outside.mkdir()
    return report
