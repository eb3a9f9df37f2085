"""The documentation stays true: every setting, command, option, tool, script and public name a user
meets is documented on the page where a reader looks for it, and the commands, tools and options
the pages (and README.md) show exist.

Where each thing must be: environment variables on the settings reference (`docs/settings.md`),
commands and their options in the command table of `docs/cli.md`, MCP tools and server options
on `docs/mcp.md`, `sandbox serve`'s flags on `docs/sandbox.md`, scripts in CONTRIBUTING.md or the
docs, and each name of `heygen_lipsync.__all__` in the API reference (`docs/api/`).

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
import os
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

DOCS = ROOT / "docs"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


README = _read(ROOT / "README.md")
SETTINGS_PAGE = _read(DOCS / "settings.md")
CLI_PAGE = _read(DOCS / "cli.md")
MCP_PAGE = _read(DOCS / "mcp.md")
SANDBOX_PAGE = _read(DOCS / "sandbox.md")
CONTRIBUTING = _read(ROOT / "CONTRIBUTING.md")
#: README and every page of the site: the command lines they show must all work.
SHOWN = "\n".join([README, *(_read(page) for page in sorted(DOCS.rglob("*.md")))])
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


# --- what the documentation says -----------------------------------------------------------


def _table(header: str, text: str) -> list[list[str]]:
    """The rows (cells) of the table in ``text`` whose header row starts with ``header``."""
    lines = text.splitlines()
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
    for cells in _table("| command | what it does |", CLI_PAGE):
        name, _, _ = _resolve(cells[0].strip("`").split())
        rows[name] = cells
    return rows


def _tool_table_names() -> set[str]:
    """The tools the MCP tool table's first column names (not the arguments in parentheses)."""
    cells = [re.sub(r"\(.*?\)", "", row[0]) for row in _table("| tool | what it does |", MCP_PAGE)]
    return {name for cell in cells for name in re.findall(r"`(\w+)`", cell)}


def _invocations(text: str = SHOWN) -> list[str]:
    """Each ``heygen-lipsync ...`` command line ``text`` shows, in code blocks and inline code."""
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", text, re.S)
    spans = re.findall(r"(?<!`)`([^`]+)`(?!`)", re.sub(r"```.*?```", "", text, flags=re.S))
    lines = [line for block in blocks for line in block.splitlines()] + [" ".join(s.split()) for s in spans]
    found = []
    for line in lines:
        # a command starts a line (after any VAR=value) or follows | && ;, so `claude mcp add heygen-lipsync` is not one
        for match in re.finditer(r"(?:^\s*|[|&;]\s*)(?:[A-Z_]+=\S+\s+)*heygen-lipsync(?![\w.-])(.*)", line):
            rest = re.split(r"\s(?:\||#|&&|;)\s?", match.group(1))[0]
            if rest.strip():  # not the bare name in prose
                found.append(rest)
    return found


# --- the tests ---------------------------------------------------------------------------


def _mentioned_settings(text: str) -> set[str]:
    """The ``HEYGEN_...`` names of ``text``; "`X_PENDING_SECONDS`, `..._RUNNING_SECONDS`" names both."""
    mentioned = set(ENV_NAME.findall(text))
    for line in text.splitlines():
        for suffix in re.findall(r"`\.\.\._([A-Z0-9_]+)`", line):
            for full in ENV_NAME.findall(line):
                prefix = full.rsplit("_", 1)[0] + "_"
                while prefix.count("_") > 1:
                    mentioned.add(prefix + suffix)
                    prefix = prefix[:-1].rsplit("_", 1)[0] + "_"
    return mentioned


def test_every_environment_variable_the_package_reads_is_on_the_settings_reference() -> None:
    missing = sorted(environment_variables() - _mentioned_settings(SETTINGS_PAGE))
    assert not missing, f"docs/settings.md does not mention these environment variables: {missing}"


def test_every_cli_command_has_a_row_in_the_command_table() -> None:
    missing = sorted(set(cli_commands()) - set(_command_rows()))
    assert not missing, f"docs/cli.md's command table has no row for: {missing}"


def test_every_command_table_row_names_a_command_and_only_its_options() -> None:
    commands = cli_commands()
    for name, cells in _command_rows().items():
        assert name in commands, f"docs/cli.md's command table has a row for no command: {cells[0]}"
        unknown = sorted(_flags(" ".join(cells)) - _options(commands[name]) - GLOBAL_OPTIONS)
        assert not unknown, f"docs/cli.md says `{name}` takes {unknown}, which it does not"


def _request_field_flags() -> set[str]:
    """The flags built from the create request's field table (``--mode``, ``--[no-]enable-caption``, ...)."""
    from heygen_lipsync.fields import request_fields

    flags = set()
    for spec in request_fields():
        flag = "--" + spec.name.replace("_", "-")
        flags |= {flag, f"--no-{flag[2:]}"} if spec.kind == "bool" else {flag}
    return flags


#: Options the command page documents once for every command that has them, not in each row.
SHARED_OPTIONS = {"--help", "--request-schema", "--response-schema"}


def test_every_option_of_every_command_is_in_its_row() -> None:
    """A row names each long option of its command; "every request-field flag" stands for the field table's."""
    assert all(f"`{option}`" in CLI_PAGE for option in SHARED_OPTIONS - {"--help"})
    field_flags = _request_field_flags()
    rows = _command_rows()
    for name, command in cli_commands().items():
        cells = " ".join(rows.get(name, []))
        covered = _flags(cells) | (field_flags if "every request-field flag" in cells else set())
        own = {o for o in _options(command) if o.startswith("--")} - GLOBAL_OPTIONS - SHARED_OPTIONS
        missing = sorted(own - covered)
        assert not missing, f"docs/cli.md's row for `{name}` does not mention {missing}"


def test_every_command_line_the_docs_show_exists_with_its_options() -> None:
    invocations = _invocations()
    assert len(invocations) > 10, invocations  # the extraction still finds the examples
    for line in invocations:
        own = line.split(" -- ", 1)[0]  # what follows a bare "--" is an argument, not an option
        words = re.sub(r"--base-url \S+", "", own).split()
        name, command, _ = _resolve([w for w in words if not w.startswith("-")])
        assert name, f"the docs show `heygen-lipsync{line}`, which names no command"
        if name == "mcp":  # everything after it goes to heygen-lipsync-mcp
            continue
        unknown = sorted(_flags(own) - _options(command) - GLOBAL_OPTIONS)
        assert not unknown, f"the docs show `heygen-lipsync{line}`, but `{name}` has no {unknown}"


def test_every_mcp_tool_has_a_row_in_the_tool_table_and_every_row_is_a_tool(tmp_path: Path) -> None:
    tools = mcp_tools(tmp_path.resolve())
    named = _tool_table_names()
    assert not sorted(tools - named), f"docs/mcp.md's tool table has no row for: {sorted(tools - named)}"
    assert not sorted(named - tools), f"docs/mcp.md's tool table names tools that do not exist: {sorted(named - tools)}"


def test_every_mcp_server_option_is_in_the_settings_table_and_every_option_shown_exists() -> None:
    options = mcp_server_options()
    table = {flag for cells in _table("| setting | flag |", MCP_PAGE) for flag in _flags(cells[1])}
    shown = set(table)
    for line in re.findall(r"heygen-lipsync-mcp((?: --?[\w-]+)+)", SHOWN):
        shown |= _flags(line)
    assert table, "the MCP settings table was not found"
    unknown = sorted(shown - options)
    assert not unknown, f"the docs show heygen-lipsync-mcp options that do not exist: {unknown}"
    missing = sorted({o for o in options if o.startswith("--")} - table - {"--help"})
    assert not missing, f"docs/mcp.md's settings table has no row for heygen-lipsync-mcp {missing}"


def test_sandbox_serve_flags_in_the_sandbox_table_exist() -> None:
    serve = cli_commands()["sandbox serve"]
    shown = {
        flag for cells in _table("| environment | `sandbox serve` flag |", SANDBOX_PAGE) for flag in _flags(cells[1])
    }
    assert shown and not sorted(shown - _options(serve)), sorted(shown - _options(serve))


@pytest.mark.parametrize("script", sorted(script_entry_points()))
def test_every_script_is_documented(script: str) -> None:
    text = CONTRIBUTING + SHOWN
    assert f"`{script}" in text or f"python {script}" in text, f"neither CONTRIBUTING.md nor docs/ mention `{script}`"


def test_the_extraction_sees_a_missing_name() -> None:
    """The checks above would notice a gap: a made-up command, tool and variable are not "documented"."""
    assert "no-such-command" not in _command_rows()
    assert "no_such_tool" not in _tool_table_names()
    assert "HEYGEN_LIPSYNC_NO_SUCH_SETTING" not in _mentioned_settings(SETTINGS_PAGE)
    assert environment_variables() >= {"HEYGEN_API_KEY", "HEYGEN_LIPSYNC_SANDBOX_FAULTS"}
    assert {"create", "batch create", "jobs"} <= set(cli_commands())
    assert Path(ROOT / "scripts" / "regenerate.py").is_file() and "scripts/regenerate.py" in script_entry_points()
    assert "--mode" in _request_field_flags() and "--no-enable-caption" in _request_field_flags()
    # a row that leaves out an option is caught: the create row without its --wait
    (create_row,) = (" ".join(cells) for name, cells in _command_rows().items() if name == "create")
    assert "--wait" not in _flags(create_row.replace("`--wait`", ""))


def test_readme_is_a_two_minute_read_that_points_at_the_docs() -> None:
    lines = README.splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; move detail to docs/"
    assert "Python 3.11 or newer" in README
    links = re.findall(r"\]\(((?!https?:|#)[^)\s]+)\)", README)
    assert any(link.startswith("docs/") for link in links)
    broken = sorted(link for link in links if not (ROOT / link.split("#")[0]).exists())
    assert not broken, f"README.md links to files that do not exist: {broken}"


def _nav_pages(nav: Any) -> Iterator[str]:
    for entry in nav:
        for value in entry.values() if isinstance(entry, dict) else [entry]:
            if isinstance(value, list):
                yield from _nav_pages(value)
            else:
                yield value


def test_every_page_is_in_the_sites_navigation() -> None:
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["docs_dir"] == "docs"
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    nav = set(_nav_pages(config["nav"]))
    assert pages == nav, (
        f"pages not in mkdocs.yml's nav: {sorted(pages - nav)}; nav without a page: {sorted(nav - pages)}"
    )


def test_every_public_name_has_an_api_reference_entry() -> None:
    import heygen_lipsync

    documented = set(re.findall(r"^::: heygen_lipsync\.(\w+)\s*$", SHOWN, flags=re.M))
    missing = sorted(set(heygen_lipsync.__all__) - documented)
    assert not missing, f"docs/api/ has no `::: heygen_lipsync.<name>` entry for: {missing}"
    stray = sorted(documented - set(heygen_lipsync.__all__) - {"errors"})
    assert not stray, f"docs/api/ documents names outside heygen_lipsync.__all__: {stray}"


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    """`mkdocs build --strict`: every link, anchor and API entry (from the docstrings) resolves."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert (tmp_path / "site" / "api" / "clients" / "index.html").read_text(encoding="utf-8").count("wait_many") > 0
