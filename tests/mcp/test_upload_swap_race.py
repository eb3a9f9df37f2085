"""An upload sends only the bytes of the file that was checked, whatever the path becomes meanwhile.

Issue 24, item 7. The MCP server checks ``upload_asset``'s path (opened, then its descriptor
checked against the allowed folders); a hostile local process then swaps the path, with
``rename``, between a hard link to an allowed file and a symlink to a file outside. The
project's race benchmark reported 0 escapes because it read the checked descriptor itself,
while the tool handed it to ``client.upload``, which opened the path again by name: these
tests go through the tool, as an MCP client does, and look at the bytes that left.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from heygen_lipsync.mcp.files import FileSandbox
from heygen_lipsync.sandbox import SAMPLE_VIDEO
from tests.mcp.conftest import CountingTransport, error_of, structured

pytestmark = pytest.mark.anyio

SECRET = b"OUTSIDE-SECRET-BYTES"


class RecordingTransport(CountingTransport):
    """Keeps every request body that leaves (multipart uploads included), read in full."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[bytes] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(await request.aread())
        return await super().handle_async_request(request)

    @property
    def leaked(self) -> bool:
        return any(SECRET in body for body in self.bodies)


@pytest.fixture
def files(workdir: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """An allowed file, the path the tool is given (a hard link to it), and a file outside."""
    inside = workdir / "clip.mp4"
    inside.write_bytes(SAMPLE_VIDEO.read_bytes())
    outside = tmp_path / "elsewhere" / "secret.mp4"
    outside.parent.mkdir()
    outside.write_bytes(SAMPLE_VIDEO.read_bytes() + SECRET)  # sniffs as an mp4 too
    given = workdir / "given.mp4"
    os.link(inside, given)
    return inside, given, outside


def _to_symlink(given: Path, outside: Path) -> None:
    tmp = given.with_name(".swap-link")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(outside, tmp)
    os.replace(tmp, given)


def _to_hard_link(given: Path, inside: Path) -> None:
    tmp = given.with_name(".swap-hard")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.link(inside, tmp)
    os.replace(tmp, given)


async def test_a_path_swapped_right_after_the_check_sends_the_checked_file(
    paid_server: Callable[..., Any], files: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, given, outside = files
    checked = FileSandbox.input_file

    def check_then_swap(self: FileSandbox, raw: str, *, param: str) -> Any:
        opened = checked(self, raw, param=param)
        _to_symlink(given, outside)  # the hostile process wins the race: now the name leads outside
        return opened

    monkeypatch.setattr(FileSandbox, "input_file", check_then_swap)
    recorder = RecordingTransport()
    server, _ = paid_server(transport=recorder)
    async with Client(server) as client:
        result = structured(await client.call_tool("upload_asset", {"path": str(given)}))
    assert result["asset_id"]
    assert recorder.bodies, "nothing was uploaded"
    assert not recorder.leaked, "the upload sent the outside file's bytes"
    assert any(inside.read_bytes() in body for body in recorder.bodies)


@contextlib.contextmanager
def _flipping(given: Path, inside: Path, outside: Path) -> Iterator[None]:
    """A thread flipping ``given`` between a hard link to ``inside`` and a symlink to ``outside``."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                _to_symlink(given, outside)
                _to_hard_link(given, inside)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


async def test_uploads_of_a_path_that_keeps_flipping_never_send_outside_bytes(
    paid_server: Callable[..., Any], files: tuple[Path, Path, Path]
) -> None:
    inside, given, outside = files
    recorder = RecordingTransport()
    server, _ = paid_server(transport=recorder)
    uploaded = refused = 0
    async with Client(server) as client:
        with _flipping(given, inside, outside):
            for _ in range(40):
                result = await client.call_tool("upload_asset", {"path": str(given)})
                if result.is_error:
                    assert error_of(result)["code"] in ("path_not_allowed", "file_not_found")
                    refused += 1
                else:
                    uploaded += 1
    assert not recorder.leaked, "an upload sent the outside file's bytes"
    assert uploaded, "the race never let an upload through: it tested nothing"
