"""Replay every recorded cassette offline (record mode "none") and scan them all for secrets."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml

from heygen_lipsync import AsyncLipsyncClient
from tests.cassettes.scenarios import (
    CASSETTE_DIR,
    LIVE_BASE_URL,
    REDACTED,
    SANDBOX_BASE_URL,
    SCENARIOS,
    SECRET_HEADERS,
    SECRET_PARAMS,
    Context,
)
from tests.lib.conftest import FakeClock

RECORDINGS = [
    (where, name, entry)
    for where in ("sandbox", "live")
    if (CASSETTE_DIR / where / "index.json").exists()
    for name, entry in json.loads((CASSETTE_DIR / where / "index.json").read_text()).items()
]
ALL_CASSETTES = sorted(CASSETTE_DIR.rglob("*.yaml"))


def test_every_scenario_has_a_sandbox_cassette() -> None:
    recorded = {name for where, name, _ in RECORDINGS if where == "sandbox"}
    assert recorded == set(SCENARIOS), "run: python scripts/record_cassettes.py"
    for name in SCENARIOS:
        assert (
            (CASSETTE_DIR / "sandbox" / f"{name}.yaml")
            .read_text()
            .startswith("# Recorded against the embedded sandbox")
        )


@pytest.mark.anyio
@pytest.mark.parametrize(("where", "name", "entry"), RECORDINGS, ids=[f"{w}-{n}" for w, n, _ in RECORDINGS])
async def test_replay_reproduces_recorded_facts(
    where: str, name: str, entry: dict[str, Any], tmp_path: Path, clock: FakeClock
) -> None:
    scenario = SCENARIOS[name]
    assert entry["recorded_against"] == where
    replay = vcr.VCR(record_mode="none")
    base_url = LIVE_BASE_URL if where == "live" else SANDBOX_BASE_URL
    key = "wrong-key-for-cassette" if scenario.wrong_key else "replay-key"
    with replay.use_cassette(str(CASSETTE_DIR / where / f"{name}.yaml")) as cassette:
        async with AsyncLipsyncClient(api_key=key, base_url=base_url, max_retries=scenario.max_retries) as client:
            facts = await scenario.run(client, Context(workdir=tmp_path, live=where == "live", poll_interval=0.0))
        assert cassette.all_played, "the library made fewer requests than were recorded"
    assert facts == entry["facts"]


def _cassette_secrets(path: Path) -> list[str]:
    problems: list[str] = []
    text = path.read_text()
    for match in SECRET_PARAMS.finditer(text):
        if match.group(2) != REDACTED:
            problems.append(f"presigned credential {match.group(1)}={match.group(2)[:6]}...")
    if re.search(r"(?i)bearer\s+(?!REDACTED)[A-Za-z0-9._\-]{8,}", text):
        problems.append("a bearer token")
    for secret in (os.environ.get("HEYGEN_API_KEY"), os.environ.get("HEYGEN_BEARER_TOKEN"), "sandbox-key"):
        if secret and secret in text:
            problems.append("a configured API key or token")
    data = yaml.safe_load(text)
    for interaction in data["interactions"]:
        for part in ("request", "response"):
            headers = interaction[part].get("headers") or {}
            for name, values in headers.items():
                if name.lower() in SECRET_HEADERS and values not in ([REDACTED], REDACTED):
                    problems.append(f"{part} header {name}")
    return problems


@pytest.mark.parametrize("path", ALL_CASSETTES, ids=[str(p.relative_to(CASSETTE_DIR)) for p in ALL_CASSETTES])
def test_cassettes_hold_no_secrets(path: Path) -> None:
    assert _cassette_secrets(path) == []


def test_secret_scan_catches_leaks(tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.yaml"
    leaky.write_text(
        "interactions:\n- request:\n    headers:\n      x-api-key:\n      - sk_live_abc\n"
        "    uri: https://files.example/x.mp4?X-Amz-Signature=deadbeef\n"
        "  response:\n    headers: {}\n    body: {string: 'Authorization: Bearer abcdefghijkl'}\n"
    )
    problems = _cassette_secrets(leaky)
    assert any("x-api-key" in p for p in problems)
    assert any("presigned" in p for p in problems)
    assert any("bearer" in p for p in problems)
