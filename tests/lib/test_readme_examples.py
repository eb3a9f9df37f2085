"""README's library examples run: each ```python block of its "## Library" section, against a sandbox.

Each block runs as written, in a fresh subprocess (bounded by a timeout), in a temporary folder
holding the local files the examples name (`talk.mp4`, `voice.wav`, copies of the sandbox's
samples), with `HEYGEN_BASE_URL` and `HEYGEN_API_KEY` pointing at an `EmbeddedSandbox`.

The sandbox has no internet access, so the examples' `https://example.com/...` audio URLs are
the one thing rewritten: the sample audio is uploaded to the sandbox first and each such URL is
replaced by that asset's own URL, which the sandbox serves (and reads) itself. Everything else,
including the printed output's shape, is the README's own code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from heygen_lipsync import LipsyncClient
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig

README = Path(__file__).resolve().parents[2] / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
_EXAMPLE_URL = re.compile(r"https://example\.com/[^\s\"']+")
#: A generous bound for one example (sandbox jobs finish at once; wait polls every 2 s or so).
TIMEOUT = 120


def library_blocks() -> list[str]:
    """The ```python blocks between README's "## Library" heading and the next "## " heading."""
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Library\n")
    end = text.index("\n## ", start + 1)
    return [match.group(1) for match in _BLOCK.finditer(text[start:end])]


BLOCKS = library_blocks()


def test_the_library_section_has_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(pending_seconds=0, running_seconds=0)) as sb:
        yield sb


@pytest.fixture(scope="module")
def audio_url(sandbox: EmbeddedSandbox) -> str:
    """A URL the sandbox serves itself, holding the sample audio (stands in for example.com)."""
    with LipsyncClient(base_url=sandbox.base_url, api_key=sandbox.api_key) as client:
        asset = client.upload(SAMPLE_AUDIO)
    assert asset.url
    return asset.url


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_library_example_runs(index: int, sandbox: EmbeddedSandbox, audio_url: str, tmp_path: Path) -> None:
    source = _EXAMPLE_URL.sub(audio_url, BLOCKS[index])
    shutil.copyfile(SAMPLE_VIDEO, tmp_path / "talk.mp4")
    shutil.copyfile(SAMPLE_AUDIO, tmp_path / "voice.wav")
    (tmp_path / "example.py").write_text(source, encoding="utf-8")
    env = {
        **os.environ,
        "HEYGEN_BASE_URL": sandbox.base_url,
        "HEYGEN_API_KEY": sandbox.api_key,
        "HOME": str(tmp_path / "home"),
        "HEYGEN_CONFIG_DIR": str(tmp_path / "home" / ".heygen"),
        "HEYGEN_LIPSYNC_LEDGER": str(tmp_path / "ledger.sqlite3"),
    }
    done = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.returncode == 0, f"README library example {index + 1} failed:\n{source}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    assert "failed:" not in done.stdout and "still running" not in done.stdout, done.stdout
