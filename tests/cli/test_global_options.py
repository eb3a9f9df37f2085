"""Global options work after the command too, without stealing the command's own option values."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Cli, created_id


def test_output_flags_after_the_command(cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = created_id(cli, samples, "--title", "Placed after")
    human = cli("get", lipsync_id, "--human")
    assert human.exit_code == 0, human.stderr
    assert "Placed after" in human.stdout and not human.stdout.lstrip().startswith("{")
    assert json.loads(cli("--human", "get", lipsync_id, "--json").stdout)["id"] == lipsync_id


def test_base_url_after_the_command(cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = created_id(cli, samples)
    base_url = cli.env["HEYGEN_BASE_URL"]
    assert base_url is not None
    for args in (["get", lipsync_id, "--base-url", base_url], ["get", lipsync_id, f"--base-url={base_url}"]):
        result = cli(*args, env={"HEYGEN_BASE_URL": "https://unreachable.invalid"})
        assert result.exit_code == 0, result.stderr


def test_a_value_that_looks_like_a_global_flag_stays_with_its_option(cli: Cli, samples: tuple[Path, Path]) -> None:
    lipsync_id = created_id(cli, samples, "--title", "--json")
    assert cli.json("get", lipsync_id)["title"] == "--json"


def test_nested_commands_and_errors_after_the_command(cli: Cli) -> None:
    result = cli("batch", "get", "b_missing", "--json-errors", "--human")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("error: 404")


def test_mcp_arguments_are_passed_through_untouched(cli: Cli) -> None:
    result = cli("mcp", "--help", "--sandbox")
    assert result.exit_code == 0 and "--transport" in result.stdout
