"""The file jail: a sibling folder sharing the allowed folder's prefix stays out, and each defence holds on its own."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

import heygen_lipsync.mcp.files as files
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.sandbox import SAMPLE_VIDEO


@pytest.fixture
def layout(tmp_path: Path) -> tuple[files.FileSandbox, Path, Path]:
    """An allowed folder ``work`` (output in ``work/out``) and its sibling ``work-evil`` with a file in each."""
    work, evil = tmp_path / "work", tmp_path / "work-evil"
    work.mkdir()
    evil.mkdir()
    shutil.copy(SAMPLE_VIDEO, work / "talk.mp4")
    shutil.copy(SAMPLE_VIDEO, evil / "secret.mp4")
    return files.FileSandbox([work], work / "out"), work, evil


def refused(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(ToolFailure) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return str(caught.value)


def test_a_sibling_whose_name_shares_the_prefix_is_outside(layout: tuple[files.FileSandbox, Path, Path]) -> None:
    jail, work, evil = layout
    assert jail.input_file("talk.mp4", param="video_path").real_path == (work / "talk.mp4").resolve()
    for raw in (str(evil / "secret.mp4"), "../work-evil/secret.mp4", f"{work}-evil/secret.mp4"):
        assert "outside" in refused(jail.input_file, raw, param="video_path") or "leave" in refused(
            jail.input_file, raw, param="video_path"
        )
    assert "outside" in refused(
        jail.output_file, "../work-evil/out.mp4", default_name="x.mp4", overwrite=False, param="filename"
    )


def test_the_path_check_alone_refuses_dot_dot(layout: tuple[files.FileSandbox, Path, Path]) -> None:
    jail, _, _ = layout
    assert "uses '..' to leave" in refused(jail.input_file, "../work-evil/secret.mp4", param="video_path")


def test_the_symlink_check_alone_refuses_a_link_out(layout: tuple[files.FileSandbox, Path, Path]) -> None:
    jail, work, evil = layout
    (work / "link.mp4").symlink_to(evil / "secret.mp4")
    assert "symbolic link" in refused(jail.input_file, "link.mp4", param="video_path")


def test_the_descriptor_check_alone_catches_a_swap_after_the_path_check(
    layout: tuple[files.FileSandbox, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The path checks pass; then, at the open, the name leads elsewhere (a folder on the way swapped):
    # only the check of where the opened descriptor really points can see it.
    jail, _, evil = layout
    real_open = files.open_input
    monkeypatch.setattr(files, "open_input", lambda path: real_open(evil / "secret.mp4"))
    assert "changed while it was being opened" in refused(jail.input_file, "talk.mp4", param="video_path")


def test_a_symlink_swapped_in_after_the_path_check_is_refused(
    layout: tuple[files.FileSandbox, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    jail, work, evil = layout
    real_resolve = files.FileSandbox._resolve

    def resolve_then_swap(self: files.FileSandbox, unresolved: Path, param: str) -> Path:
        resolved = real_resolve(self, unresolved, param)
        os.replace(work / "talk.mp4", work / "moved.mp4")
        (work / "talk.mp4").symlink_to(evil / "secret.mp4")  # swapped in between the check and the open
        return resolved

    monkeypatch.setattr(files.FileSandbox, "_resolve", resolve_then_swap)
    message = refused(jail.input_file, "talk.mp4", param="video_path")
    assert "became a symbolic link" in message or "changed while it was being opened" in message


def test_the_no_follow_open_alone_refuses_a_symlink_at_the_last_step(
    layout: tuple[files.FileSandbox, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even when the name is not resolved again (the swap lands after realpath), O_NOFOLLOW fails the open.
    from heygen_lipsync.media import opened

    _, work, evil = layout
    (work / "link.mp4").symlink_to(evil / "secret.mp4")
    monkeypatch.setattr(opened.os.path, "realpath", lambda path: os.fspath(path))
    with pytest.raises(OSError) as caught:
        opened.open_input(work / "link.mp4")
    assert caught.value.errno == errno.ELOOP


def test_a_fifo_is_refused_without_hanging(layout: tuple[files.FileSandbox, Path, Path]) -> None:
    jail, work, _ = layout
    os.mkfifo(work / "pipe.mp4")
    assert "special file" in refused(jail.input_file, "pipe.mp4", param="video_path")


def test_an_output_folder_swapped_for_a_link_out_is_refused(layout: tuple[files.FileSandbox, Path, Path]) -> None:
    jail, work, evil = layout
    dest = jail.output_file("sub/dubbed.mp4", default_name="x.mp4", overwrite=False, param="filename")
    (work / "out").mkdir()
    (work / "out" / "sub").symlink_to(evil)  # after the check, before the folders are opened
    refused(jail.open_output, dest, param="filename")  # the folder is opened without following the link
    assert not (evil / "dubbed.mp4").exists()
