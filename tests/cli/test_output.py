"""The output rule (JSON unless --human or a terminal) and the error format on a terminal."""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest
import typer

from heygen_lipsync.cli._errors import fail
from heygen_lipsync.cli._state import CliState
from heygen_lipsync.errors import NotFoundError


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_stdout_on_a_terminal_is_for_people_unless_json_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert CliState().is_human
    assert not CliState(human=False).is_human  # --json
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert not CliState().is_human
    assert CliState(human=True).is_human  # --human


def _report(monkeypatch: pytest.MonkeyPatch, *, json_errors: bool) -> list[str]:
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    exc = NotFoundError("Lipsync not found.", status_code=404, code="not_found", request_id="req_1")
    with pytest.raises(typer.Exit) as exit_info:
        fail(CliState(json_errors=json_errors), exc)
    assert exit_info.value.exit_code == 1
    return err.getvalue().splitlines()


def test_on_a_terminal_an_error_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _report(monkeypatch, json_errors=False) == ["error: 404 not_found: Lipsync not found. [request id req_1]"]


def test_json_errors_adds_the_json_line_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    line, payload = _report(monkeypatch, json_errors=True)
    assert line.startswith("error: 404")
    error = json.loads(payload)["error"]
    assert (error["code"], error["request_id"], error["status_code"], error["exit_code"]) == (
        "not_found",
        "req_1",
        404,
        1,
    )


def test_ctrl_c_during_wait_ends_with_the_resume_hint_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio
    from types import SimpleNamespace

    from rich.console import Console

    from heygen_lipsync.cli import _progress, _workflows

    monkeypatch.setattr(_progress, "stderr_console", lambda: Console(file=sys.stderr, force_terminal=True, width=100))

    class Interrupted:
        async def wait(self, lipsync_id: str, **kwargs: Any) -> None:
            kwargs["on_progress"](SimpleNamespace(id=lipsync_id, status="running"), 3.0)
            raise asyncio.CancelledError  # what asyncio.run turns Ctrl-C into inside the task

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(_workflows.wait_for_job(Interrupted(), "ls_1", 60, 1))  # type: ignore[arg-type]
    err = capsys.readouterr().err
    assert "ls_1: running (3s)" in err
    assert err.rstrip().endswith("resume with heygen-lipsync wait ls_1")
