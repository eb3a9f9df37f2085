"""Help, completion and tables read well: no value placeholder on flags, --mode completes its values,
one time format in `list` and `jobs`, and the `jobs` table fits 140 columns without breaking paths."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import typer.core

import heygen_lipsync.cli._group as _group
from heygen_lipsync.cli import app

from .conftest import Cli


def _commands() -> list[list[str]]:
    import typer.main

    root = typer.main.get_command(app)
    found: list[list[str]] = [[]]
    for name, command in root.load_all().items():  # type: ignore[attr-defined]
        found.append([name])
        found.extend([name, sub] for sub in getattr(command, "commands", {}))
    return found


def test_no_help_page_puts_a_value_placeholder_on_a_flag(cli: Cli) -> None:
    for words in _commands():
        if words == ["mcp"]:
            continue  # its help is the MCP server's own
        result = cli(*words, "--help", env={"COLUMNS": "140"})
        assert result.exit_code == 0, (words, result.output)
        assert "<bool>" not in result.output, words


def test_flags_have_no_type_in_help_with_typer_that_names_types(monkeypatch: pytest.MonkeyPatch) -> None:
    """Typer >= 0.29 asks each option for its type in help (``display_type_rich``); a flag answers none."""

    def named(self: Any, ctx: Any) -> str:
        return "<bool>" if self.is_flag else "<str>"

    monkeypatch.setattr(typer.core.TyperOption, "display_type_rich", named, raising=False)
    flag, valued = SimpleNamespace(is_flag=True, count=False), SimpleNamespace(is_flag=False, count=False)
    shown = typer.core.TyperOption.display_type_rich  # type: ignore[attr-defined]
    assert shown(flag, None) == "<bool>"
    with _group.flags_show_no_type():
        inside = typer.core.TyperOption.display_type_rich  # type: ignore[attr-defined]
        assert inside(flag, None) is None
        assert inside(valued, None) == "<str>"
    assert typer.core.TyperOption.display_type_rich is shown  # type: ignore[attr-defined]  # put back afterwards


def _complete(line: str) -> list[str]:
    env = {**os.environ, "_HEYGEN_LIPSYNC_COMPLETE": "complete_bash", "COMP_WORDS": line}
    env["COMP_CWORD"] = str(len(line.split()) - (0 if line.endswith(" ") else 1))
    code = "from heygen_lipsync.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    return done.stdout.split()


def test_completion_after_mode_offers_its_values() -> None:
    assert _complete("heygen-lipsync create --mode ") == ["speed", "precision"]
    assert _complete("heygen-lipsync dub --fps-mode p") == ["passthrough"]


_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")


def test_list_and_jobs_print_times_one_way(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    cli.env["HEYGEN_LIPSYNC_LEDGER"] = str(tmp_path / "ledger.sqlite3")
    video, audio = samples
    assert cli("create", "--video", video, "--audio", audio).exit_code == 0
    for words in (["list"], ["jobs"]):
        shown = cli(*words, "--human", env={"COLUMNS": "140"}).stdout
        assert _TIME.search(shown), (words, shown)
        assert not re.search(r"\d\dT\d\d:\d\d:\d\dZ", shown), (words, shown)


def test_the_jobs_table_fits_140_columns_with_paths_whole(cli: Cli, samples: tuple[Path, Path], tmp_path: Path) -> None:
    cli.env["HEYGEN_LIPSYNC_LEDGER"] = str(tmp_path / "ledger.sqlite3")
    deep = tmp_path / "media" / "season-two" / "episodes" / "recorded-in-studio-b" / "final"
    deep.mkdir(parents=True)
    video, audio = (deep / "interview-with-the-director.mp4", deep / "interview-voice-fr.wav")
    video.write_bytes(samples[0].read_bytes())
    audio.write_bytes(samples[1].read_bytes())
    out = deep / "interview-with-the-director-dubbed-fr.mp4"
    made = cli.json("create", "--video", video, "--audio", audio, "--title", "Episode 2", "--download", out)
    table = cli("jobs", "--human", env={"COLUMNS": "140"})
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert all(len(line) <= 140 for line in lines), table.stdout
    assert any(made["id"] in line for line in lines)
    for name in (video.name, audio.name, out.name):
        # Each file name on one line: whole, or its middle elided (its start and extension kept), never wrapped.
        assert any(name in line or (name[:10] in line and "…" in line and name[-8:] in line) for line in lines), (
            name,
            table.stdout,
        )
    assert "season-two" not in table.stdout and "studio-b" not in table.stdout  # no folders spelled out
