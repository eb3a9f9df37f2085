"""README.md stays true: every setting, command, tool and script a user meets is documented there,
and the commands, tools and options README shows exist.

What is checked is read from the code, not listed here: environment variables from the string
constants of the hand-written package (the sandbox's prefixed names from the lookups
`SandboxConfig.from_env` makes), commands by walking the Typer app, tools from the MCP server's
`tools/list`, entry points from `scripts/`.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import importlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import typer

from heygen_lipsync.cli.app import app
from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.settings import ServerSettings
from heygen_lipsync.sandbox.config import SandboxConfig
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PACKAGE = ROOT / "mcp_server" / "heygen_lipsync"
ENV_NAME = re.compile(r"HEYGEN_[A-Z0-9_]+")
ROOT_COMMAND: Any = typer.main.get_command(app)
ROOT_COMMAND.load_all()  # the root loads its commands on first use


# --- what the code has ---------------------------------------------------------------------


class _RecordingEnv(Mapping[str, str]):
    """An empty environment that remembers every name it was asked for."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return default

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _exported_names(tree: ast.Module) -> set[str]:
    """The strings of a module's ``__all__`` (Python names such as ``HEYGEN_ASSET_TYPES``, not settings)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            names |= {c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return names


def _env_constants() -> set[str]:
    """Every string constant of the package that is a whole ``HEYGEN_...`` name (a prefix ends in ``_``)."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        exported = _exported_names(tree)
        for node in ast.walk(tree):
            is_name = isinstance(node, ast.Constant) and isinstance(node.value, str) and ENV_NAME.fullmatch(node.value)
            if is_name and node.value not in exported:
                found.add(node.value)
    return found


def _sandbox_env_names() -> set[str]:
    env = _RecordingEnv()
    SandboxConfig.from_env(env, data_dir=None)  # type: ignore[arg-type]
    return {name for name in env.asked if ENV_NAME.fullmatch(name)}


def environment_variables() -> set[str]:
    """The names the package reads; a prefix is replaced by the names built from it."""
    constants = _env_constants()
    prefixes = {name for name in constants if name.endswith("_")}
    expanded = _sandbox_env_names()
    unexpanded = {p for p in prefixes if not any(name.startswith(p) for name in expanded)}
    assert not unexpanded, f"environment prefixes this test cannot expand yet (teach it their names): {unexpanded}"
    return (constants - prefixes) | expanded


def _walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, (*path, name))


def cli_commands() -> dict[str, Any]:
    """Every command a user runs: leaves, and groups that do something on their own (``jobs``)."""
    return {
        " ".join(path): command
        for path, command in _walk(ROOT_COMMAND)
        if path and (not getattr(command, "commands", None) or getattr(command, "invoke_without_command", False))
    }


def _options(command: Any) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts) if o.startswith("-")}


GLOBAL_OPTIONS = _options(ROOT_COMMAND)


def mcp_tools(workdir: Path) -> set[str]:
    async def listed() -> set[str]:
        from mcp import Client

        settings = ServerSettings(allowed_dirs=(workdir,), output_dir=workdir / "out")
        async with Client(build_server(settings, sandbox=True)) as client:
            return {tool.name for tool in (await client.list_tools()).tools}

    return asyncio.run(listed())


def mcp_server_options() -> set[str]:
    """The options of ``heygen-lipsync-mcp`` (its argparse parser, caught before it parses)."""
    with mock.patch.object(argparse.ArgumentParser, "parse_args", lambda self, *a, **k: self):
        parser: Any = importlib.import_module("heygen_lipsync.mcp.main").parse_args([])
    return {o for action in parser._actions for o in action.option_strings}


def script_entry_points() -> set[str]:
    scripts = [*(ROOT / "scripts").glob("*.py"), *(ROOT / "scripts" / "bench").glob("*.py")]
    return {str(p.relative_to(ROOT)) for p in scripts if not p.name.startswith("_")}


# --- what README says ----------------------------------------------------------------------


def _table(header: str) -> list[list[str]]:
    """The rows (cells) of the README table whose header row starts with ``header``."""
    lines = README.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _flags(text: str) -> set[str]:
    """``--flag`` tokens of ``text``; ``--[no-]x`` stands for ``--x`` and ``--no-x``."""
    flags = set()
    for negatable, name in re.findall(r"(?<![\w-])--(\[no-\])?([a-z][a-z0-9-]*)", text):
        flags.add(f"--{name}")
        if negatable:
            flags.add(f"--no-{name}")
    return flags


def _resolve(words: list[str]) -> tuple[str, Any, list[str]]:
    """The command path ``words`` starts with, its command, and the words after it."""
    command, path = ROOT_COMMAND, []
    while words and words[0] in getattr(command, "commands", {}):
        command = command.commands[words[0]]
        path.append(words.pop(0))
    return " ".join(path), command, words


def _command_rows() -> dict[str, list[str]]:
    """The command table's rows by the command their first cell names."""
    rows = {}
    for cells in _table("| command | what it does |"):
        name, _, _ = _resolve(cells[0].strip("`").split())
        rows[name] = cells
    return rows


def _tool_table_names() -> set[str]:
    """The tools the MCP tool table's first column names (not the arguments in parentheses)."""
    cells = [re.sub(r"\(.*?\)", "", row[0]) for row in _table("| tool | what it does |")]
    return {name for cell in cells for name in re.findall(r"`(\w+)`", cell)}


def _invocations() -> list[str]:
    """Each ``heygen-lipsync ...`` command line README shows, in code blocks and inline code."""
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", README, re.S)
    spans = re.findall(r"(?<!`)`([^`]+)`(?!`)", re.sub(r"```.*?```", "", README, flags=re.S))
    lines = [line for block in blocks for line in block.splitlines()] + [" ".join(s.split()) for s in spans]
    found = []
    for line in lines:
        # a command starts a line (after any VAR=value) or follows | && ;, so `claude mcp add heygen-lipsync` is not one
        for match in re.finditer(r"(?:^\s*|[|&;]\s*)(?:[A-Z_]+=\S+\s+)*heygen-lipsync(?![\w.-])(.*)", line):
            rest = re.split(r"\s(?:\||#|&&|;)\s?", match.group(1))[0]
            if rest.strip():  # not the bare name in prose
                found.append(rest)
    return found


# --- the tests -----------------------------------------------------------------------------


def test_every_environment_variable_the_package_reads_is_documented() -> None:
    mentioned = set(ENV_NAME.findall(README))
    # "`HEYGEN_LIPSYNC_SANDBOX_PENDING_SECONDS`, `..._RUNNING_SECONDS`": the short form beside its full sibling
    for line in README.splitlines():
        for suffix in re.findall(r"`\.\.\._([A-Z0-9_]+)`", line):
            for full in ENV_NAME.findall(line):
                prefix = full.rsplit("_", 1)[0] + "_"
                while prefix.count("_") > 1:
                    mentioned.add(prefix + suffix)
                    prefix = prefix[:-1].rsplit("_", 1)[0] + "_"
    missing = sorted(environment_variables() - mentioned)
    assert not missing, f"README.md does not mention these environment variables: {missing}"


def test_every_cli_command_has_a_row_in_the_command_table() -> None:
    missing = sorted(set(cli_commands()) - set(_command_rows()))
    assert not missing, f"README.md's command table has no row for: {missing}"


def test_every_command_table_row_names_a_command_and_only_its_options() -> None:
    commands = cli_commands()
    for name, cells in _command_rows().items():
        assert name in commands, f"README.md's command table has a row for no command: {cells[0]}"
        unknown = sorted(_flags(" ".join(cells)) - _options(commands[name]) - GLOBAL_OPTIONS)
        assert not unknown, f"README.md says `{name}` takes {unknown}, which it does not"


def test_every_command_line_readme_shows_exists_with_its_options() -> None:
    invocations = _invocations()
    assert len(invocations) > 10, invocations  # the extraction still finds README's examples
    for line in invocations:
        own = line.split(" -- ", 1)[0]  # what follows a bare "--" is an argument, not an option
        words = re.sub(r"--base-url \S+", "", own).split()
        name, command, _ = _resolve([w for w in words if not w.startswith("-")])
        assert name, f"README.md shows `heygen-lipsync{line}`, which names no command"
        if name == "mcp":  # everything after it goes to heygen-lipsync-mcp
            continue
        unknown = sorted(_flags(own) - _options(command) - GLOBAL_OPTIONS)
        assert not unknown, f"README.md shows `heygen-lipsync{line}`, but `{name}` has no {unknown}"


def test_every_mcp_tool_has_a_row_in_the_tool_table_and_every_row_is_a_tool(tmp_path: Path) -> None:
    tools = mcp_tools(tmp_path.resolve())
    named = _tool_table_names()
    assert not sorted(tools - named), f"README.md's tool table has no row for: {sorted(tools - named)}"
    assert not sorted(named - tools), f"README.md's tool table names tools that do not exist: {sorted(named - tools)}"


def test_the_mcp_server_options_readme_shows_exist() -> None:
    options = mcp_server_options()
    shown = {flag for cells in _table("| setting | flag |") for flag in _flags(cells[1])}
    for line in re.findall(r"heygen-lipsync-mcp((?: --?[\w-]+)+)", README):
        shown |= _flags(line)
    assert shown, "the MCP settings table was not found"
    unknown = sorted(shown - options)
    assert not unknown, f"README.md shows heygen-lipsync-mcp options that do not exist: {unknown}"


def test_sandbox_serve_flags_in_the_sandbox_table_exist() -> None:
    serve = cli_commands()["sandbox serve"]
    shown = {flag for cells in _table("| environment | `sandbox serve` flag |") for flag in _flags(cells[1])}
    assert shown and not sorted(shown - _options(serve)), sorted(shown - _options(serve))


@pytest.mark.parametrize("script", sorted(script_entry_points()))
def test_every_script_is_documented(script: str) -> None:
    assert f"`{script}" in README or f"python {script}" in README, f"README.md does not mention `{script}`"


def test_the_extraction_sees_a_missing_name() -> None:
    """The checks above would notice a gap: a made-up command, tool and variable are not "documented"."""
    assert "no-such-command" not in _command_rows()
    assert "no_such_tool" not in _tool_table_names()
    assert "HEYGEN_LIPSYNC_NO_SUCH_SETTING" not in set(ENV_NAME.findall(README))
    assert environment_variables() >= {"HEYGEN_API_KEY", "HEYGEN_LIPSYNC_SANDBOX_FAULTS"}
    assert {"create", "batch create", "jobs"} <= set(cli_commands())
    assert Path(ROOT / "scripts" / "regenerate.py").is_file() and "scripts/regenerate.py" in script_entry_points()
