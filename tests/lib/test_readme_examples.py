"""The library examples run: each ```python block of README.md and of the library page
(docs/library.md), against a sandbox.

Each block runs as written, in a fresh subprocess (bounded by a timeout), in a temporary folder
holding the local files the examples name (`talk.mp4`, `voice.wav`, copies of the sandbox's
samples), with `HEYGEN_BASE_URL` and `HEYGEN_API_KEY` pointing at an `EmbeddedSandbox`.

The sandbox has no internet access, so the examples' `https://example.com/...` audio URLs are
the one thing rewritten: the sample audio is uploaded to the sandbox first and each such URL is
replaced by that asset's own URL, which the sandbox serves (and reads) itself. Everything else,
including the printed output's shape, is the page's own code.
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

ROOT = Path(__file__).resolve().parents[2]
#: The pages whose every Python block must run as written.
PAGES = (ROOT / "README.md", ROOT / "docs" / "library.md")
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
_EXAMPLE_URL = re.compile(r"https://example\.com/[^\s\"']+")
#: A generous bound for one example (sandbox jobs finish at once; wait polls every 2 s or so).
TIMEOUT = 120


def library_blocks() -> list[tuple[str, str]]:
    """Each page's ```python blocks, with where each comes from (``README.md #1``)."""
    return [
        (f"{page.relative_to(ROOT)} #{number}", match.group(1))
        for page in PAGES
        for number, match in enumerate(_BLOCK.finditer(page.read_text(encoding="utf-8")), start=1)
    ]


BLOCKS = library_blocks()


def test_the_pages_have_examples() -> None:
    assert sum(where.startswith("README.md") for where, _ in BLOCKS) >= 1
    assert sum(where.startswith("docs/library.md") for where, _ in BLOCKS) >= 3


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


@pytest.mark.parametrize(("where", "block"), BLOCKS, ids=[where for where, _ in BLOCKS])
def test_library_example_runs(where: str, block: str, sandbox: EmbeddedSandbox, audio_url: str, tmp_path: Path) -> None:
    source = _EXAMPLE_URL.sub(audio_url, block)
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
    assert done.returncode == 0, f"the library example {where} failed:\n{source}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    assert "failed:" not in done.stdout and "still running" not in done.stdout, done.stdout
