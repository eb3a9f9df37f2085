"""Fuzzing every CLI command with generated arguments: no crash, no traceback, no secret, errors say what was wrong.

Commands run in-process (typer's CliRunner) against a sandbox that accepts only the fake
key. `sandbox serve` and `mcp` are left out: they are long-running services, not commands
that return (tests/cli covers them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from heygen_lipsync.cli import app
from heygen_lipsync.sandbox import EmbeddedSandbox
from tests.reliability.conftest import FAKE_KEY
from tests.reliability.fuzzing import LogCapture, assert_clean, tokens
from tests.reliability.scenarios import sandbox_config

SKIPPED = {("sandbox", "serve"), ("mcp",), ("sandbox",)}
GLOBAL_FLAGS = ["--json", "--human", "--json-errors", "--debug"]
EXIT_CODES = {0, 1, 2, 3, 4}


# typer ships its own copy of click; duck-type rather than import it.
def _commands(group: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    found: dict[tuple[str, ...], Any] = {}
    for name, command in group.commands.items():
        path = (*prefix, name)
        if hasattr(command, "commands"):
            found.update(_commands(command, path))
        elif path not in SKIPPED:
            found[path] = command
    return found


_ROOT: Any = typer.main.get_command(app)
_ROOT.load_all()  # the root loads its commands on first use
COMMANDS = _commands(_ROOT)


def _options(command: Any) -> list[str]:
    names: list[str] = []
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option":
            names += [*param.opts, *param.secondary_opts]
    # The schema flags print a schema and stop before anything else runs: covered by tests/cli.
    return sorted(n for n in names if n not in ("--help", "-h", "--request-schema", "--response-schema"))


@pytest.fixture(scope="module")
def upstream() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(sandbox_config(api_key=FAKE_KEY)) as box:
        yield box


def _argv(path: tuple[str, ...], command: Any) -> st.SearchStrategy[list[str]]:
    options = _options(command)
    token = st.one_of(st.sampled_from(options), tokens) if options else tokens
    before = st.lists(st.sampled_from(GLOBAL_FLAGS), max_size=2, unique=True)
    return st.tuples(before, st.lists(token, max_size=6)).map(lambda t: [*t[0], *path, *t[1]])


def check_invocation(argv: list[str], result: Any, logs: str) -> None:
    where = f"heygen-lipsync {' '.join(argv)!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{where} raised {result.exception!r}\n{result.stderr}"
    )
    assert result.exit_code in EXIT_CODES, f"{where} exited {result.exit_code}: {result.stderr}"
    # --debug asks for tracebacks (it prints them for expected errors too); secrets stay out regardless.
    assert_clean(result.stdout, result.stderr, logs, where=where, tracebacks_allowed="--debug" in argv)
    if result.exit_code != 0:
        err = result.stderr.strip()
        assert err, f"{where} failed (exit {result.exit_code}) and said nothing on stderr"
        assert "error" in err.lower(), f"{where}: no error line: {err}"
        for line in err.splitlines():
            if line.startswith("{"):
                error = json.loads(line)["error"]
                assert error.get("code") and error.get("message"), f"{where}: {error}"
                if error["code"] == "validation_error":
                    assert error.get("param"), f"{where}: a validation error naming no parameter: {error}"


@pytest.mark.usefixtures("instant_retries")
@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_fuzzed_command_lines_never_crash_or_leak(
    path: tuple[str, ...], upstream: EmbeddedSandbox, workdir: Path
) -> None:
    env = {
        "HEYGEN_BASE_URL": upstream.base_url,
        "HEYGEN_API_KEY": FAKE_KEY,
        "HEYGEN_BEARER_TOKEN": None,
        "HEYGEN_LIPSYNC_SANDBOX_DIR": str(workdir / "sandbox-data"),
    }

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(argv=_argv(path, COMMANDS[path]), answer=st.sampled_from([None, "y\n", "n\n"]))
    def run(argv: list[str], answer: str | None) -> None:
        with LogCapture() as logs:
            result = CliRunner().invoke(app, argv, input=answer, env=env)
        check_invocation(argv, result, logs.text)

    run()
