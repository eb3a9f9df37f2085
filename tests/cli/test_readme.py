"""The README's first command (the sandbox "Try it") runs exactly as written, its spend-question
command shows the estimate and sends nothing, and the exit codes the CLI returns are all
documented on the command-line page (docs/cli.md)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def readme_try_it() -> str:
    """The `heygen-lipsync ...` part of the first command in README.md (after the install steps)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```bash\n(.+?)\n```", readme, flags=re.S)
    assert match, "README.md has no bash block"
    first_command = match.group(1).strip()
    steps = [step.strip() for step in first_command.split("&&")]
    assert any(step.startswith("pip install") for step in steps), first_command
    cli_steps = [step for step in steps if step.startswith("heygen-lipsync ")]
    assert len(cli_steps) == 1, first_command
    return cli_steps[0]


def test_readme_try_it_runs_as_written(tmp_path: Path) -> None:
    command = readme_try_it()
    argv = shlex.split(command)
    # The sample paths in the command are relative to the repository root: run in a fresh
    # directory that has the repository's mcp_server/ in it, so outputs land in tmp_path.
    (tmp_path / "mcp_server").symlink_to(ROOT / "mcp_server")
    executable = Path(sys.executable).parent / argv[0]
    assert executable.exists(), f"{executable} is missing: pip install -e '.[dev]'"
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEYGEN_")}
    env["HEYGEN_LIPSYNC_SANDBOX_DIR"] = str(tmp_path / "sandbox-data")  # keep the user's data dir clean
    result = subprocess.run(
        [str(executable), *argv[1:]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    job = json.loads(result.stdout)
    assert job["status"] == "completed"
    outputs = [arg for arg in argv if arg.endswith(".mp4") and "samples" not in arg]
    assert outputs and all((tmp_path / name).stat().st_size > 0 for name in outputs)


def _sandbox_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HEYGEN_")}
    env["HEYGEN_LIPSYNC_SANDBOX_DIR"] = str(tmp_path / "sandbox-data")  # keep the user's data dir clean
    return env


def test_readme_shows_how_to_see_the_spend_question_and_that_command_sends_nothing(tmp_path: Path) -> None:
    """README's "spend question" command is the try-it with --dry-run: it prints the estimate, creates no job."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The spend question") :]
    command = re.search(r"```bash\n(heygen-lipsync .+?)\n```", section, flags=re.S)
    assert command, "README.md's spend-question section shows no command"
    argv = shlex.split(command.group(1))
    assert "--dry-run" in argv and "--sandbox" in argv
    assert argv[:-1] == shlex.split(readme_try_it())[: len(argv) - 1], "it is not the try-it command"
    (tmp_path / "mcp_server").symlink_to(ROOT / "mcp_server")
    env = _sandbox_env(tmp_path)
    executable = str(Path(sys.executable).parent / argv[0])
    result = subprocess.run([executable, *argv[1:]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["dry_run"] is True
    estimate = re.search(r"Estimated cost of this job: about \$[\d.]+", result.stderr)
    assert estimate, result.stderr
    assert estimate.group(0) in section, "README.md shows an estimate the command no longer prints"
    listed = subprocess.run(
        [executable, "--sandbox", "--json", "list"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["data"] == []  # nothing was sent


def test_the_exit_code_table_lists_every_code_the_cli_returns() -> None:
    from heygen_lipsync.cli._errors import ExitCode

    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    start = page.index("## Errors and exit codes")
    section = page[start : page.index("\n## ", start + 1)]
    rows = dict(re.findall(r"^\| (\d+) \| (.+) \|$", section, flags=re.M))
    assert set(rows) == {str(int(code)) for code in ExitCode} | {"130"}  # 130: Ctrl-C, the shell's convention
    assert "`delete` answered no" in rows["1"]
