"""CLI tests run the real Typer app against an in-process sandbox with short job durations.

Commands reach the sandbox through the environment (HEYGEN_BASE_URL, HEYGEN_API_KEY), the
way a user points the CLI at any API. `--sandbox` tests get their own data directory.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from heygen_lipsync.cli import app
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig


@dataclass
class Cli:
    """Invoke `heygen-lipsync` in-process with a fixed environment."""

    env: dict[str, str | None]

    def __call__(
        self, *args: str | Path, input: str | None = None, env: Mapping[str, str | None] | None = None
    ) -> Result:
        runner = CliRunner()
        return runner.invoke(app, [str(a) for a in args], input=input, env={**self.env, **(env or {})})

    def json(self, *args: str | Path, input: str | None = None) -> Any:
        result = self(*args, input=input)
        assert result.exit_code == 0, f"exit {result.exit_code}: {result.stderr}"
        return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def assume_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI tests run without a terminal against a stand-in API: paid creates spend without asking."""
    monkeypatch.setenv("HEYGEN_LIPSYNC_ASSUME_YES", "1")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(pending_seconds=0.05, running_seconds=0.2)) as sb:
        yield sb


@pytest.fixture
def cli(sandbox: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.chdir(tmp_path)
    return Cli(
        env={
            "HEYGEN_BASE_URL": sandbox.base_url,
            "HEYGEN_API_KEY": sandbox.api_key,
            "HEYGEN_BEARER_TOKEN": None,
            "HEYGEN_LIPSYNC_SANDBOX_DIR": str(tmp_path / "sandbox-data"),
            # The sandbox stands in for the paid API here: spend without asking (no terminal in tests).
            "HEYGEN_LIPSYNC_ASSUME_YES": "1",
        }
    )


@pytest.fixture
def samples() -> tuple[Path, Path]:
    return Path(SAMPLE_VIDEO), Path(SAMPLE_AUDIO)


def error_json(result: Result) -> dict[str, Any]:
    """The JSON error object the CLI writes on stderr's last line."""
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines, f"no JSON error on stderr: {result.stderr!r}"
    body = json.loads(lines[-1])
    assert set(body) == {"error"}
    return body["error"]  # type: ignore[no-any-return]


def created_id(cli: Cli, samples: Sequence[Path], *extra: str) -> str:
    """A new job of the samples. Its own title: identical creates share a derived key, and the
    module's sandbox would replay another test's job (perhaps deleted since) for it."""
    video, audio = samples
    title = () if "--title" in extra else ("--title", f"test {uuid.uuid4().hex[:12]}")
    out = cli.json("create", "--video", video, "--audio", audio, *title, *extra)
    return out["lipsync_id"]  # type: ignore[no-any-return]
