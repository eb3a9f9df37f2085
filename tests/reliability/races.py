"""File races shared by the CI tests (small counts) and scripts/bench/reliability.py (2,000 tries).

A thread keeps swapping a path while the MCP server's file sandbox checks it and the library
moves the bytes, the way a hostile local process would:

- upload: the file to upload flips (with ``rename``, as a hostile process would) between a
  hard link to a file inside the allowed directory and a symlink to a secret outside, and
  its folder flips between a real folder and a symlink to a folder outside. Each try goes
  the way ``upload_asset`` does: the sandbox's check, then ``client.upload`` of what it
  opened. An escape is an upload body holding the outside file's bytes. (Reading the
  checked descriptor directly, as this race once did, missed the upload opening the path
  again by name: issue 24, item 7.)
- download: the output sub-folder flips between a real folder and a symlink to a folder
  outside the output directory. An escape is any file appearing outside.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from heygen_lipsync import AsyncLipsyncClient
from heygen_lipsync.errors import DownloadError, ValidationError
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.files import FileSandbox
from heygen_lipsync.media import files as lib_files

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


def _swap_file(path: Path, inside_file: Path, outside_file: Path) -> Callable[[], None]:
    link, hard = path.with_name(".link"), path.with_name(".hard")

    def flip() -> None:
        for spare in (link, hard):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(spare)
        os.symlink(outside_file, link)
        os.replace(link, path)
        time.sleep(0)
        os.link(inside_file, hard)
        os.replace(hard, path)
        time.sleep(0)

    return flip


class _Recorder:
    """The API's side of the uploads: keeps every body sent, answers with an asset."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(request.content)
        return httpx.Response(200, json={"data": {"asset_id": "as_race", "url": "https://files.test/a"}})


async def upload_race(root: Path, tries: int) -> RaceReport:
    """``tries`` uploads (check, then ``client.upload``) of a path a thread keeps swapping.

    Half the tries flip the file, half its folder.

    Raises:
        OSError: the scenario's own files cannot be set up.
    """
    allowed, outside = root / "allowed", root / "outside"
    (allowed / "sub").mkdir(parents=True)
    (outside / "sub").mkdir(parents=True)
    (outside / "clip.mp4").write_bytes(OUTSIDE)
    (outside / "sub" / "clip.mp4").write_bytes(OUTSIDE)
    (allowed / "original.mp4").write_bytes(INSIDE)
    os.link(allowed / "original.mp4", allowed / "clip.mp4")
    (allowed / "sub" / "clip.mp4").write_bytes(INSIDE)
    sandbox = FileSandbox([allowed], allowed)
    report = RaceReport()
    recorder = _Recorder()
    cases = (
        ("clip.mp4", _swap_file(allowed / "clip.mp4", allowed / "original.mp4", outside / "clip.mp4")),
        ("sub/clip.mp4", _swap_folder(allowed / "sub", outside / "sub")),
    )
    transport = httpx.MockTransport(recorder)
    async with AsyncLipsyncClient(
        api_key="k", base_url="https://api.test", transport=transport, max_retries=0, ledger=None
    ) as client:
        for name, flip in cases:
            with _flipping(flip):
                for _ in range(tries // len(cases)):
                    report.tries += 1
                    try:  # off the event loop, as the tool runs it
                        opened = await asyncio.to_thread(sandbox.input_file, name, param="path")
                    except ToolFailure:
                        report.refused += 1
                        continue
                    sent = len(recorder.bodies)
                    try:
                        await client.upload(opened)
                    except ValidationError:
                        report.refused += 1  # a clear error about the file, nothing sent
                        continue
                    finally:
                        opened.close()
                    if any(OUTSIDE in body for body in recorder.bodies[sent:]):
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
