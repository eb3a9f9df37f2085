"""The README's first command (the sandbox "Try it") runs exactly as written."""

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


def test_readme_exit_code_table_lists_every_code_the_cli_returns() -> None:
    from heygen_lipsync.cli._errors import ExitCode

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Command-line tool") : readme.index("## MCP server")]
    rows = dict(re.findall(r"^\| (\d+) \| (.+) \|$", section, flags=re.M))
    assert set(rows) == {str(int(code)) for code in ExitCode} | {"130"}  # 130: Ctrl-C, the shell's convention
    assert "`delete` answered no" in rows["1"]
