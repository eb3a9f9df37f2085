"""An uploaded file's probe is remembered, so a later create from its asset is priced (issue 14)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from heygen_lipsync.client import AsyncLipsyncClient
from heygen_lipsync.jobs.preflight import preflight
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox
from heygen_lipsync.sources import AssetSource
from heygen_lipsync.store import Ledger


@pytest.fixture
def box() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox() as sandbox:
        yield sandbox


def _client(box: EmbeddedSandbox, ledger: Ledger | None) -> AsyncLipsyncClient:
    return AsyncLipsyncClient(api_key=box.api_key, base_url=box.base_url, ledger=ledger, max_retries=0)


def _price_from_asset(client: AsyncLipsyncClient, asset_id: str) -> float | None:
    request = LipsyncRequest(video=SAMPLE_VIDEO, audio=AssetSource(asset_id))
    return preflight(request, probes=client.remembered_probe).estimated_usd


def test_an_upload_remembers_its_probe_across_processes_through_the_ledger(box: EmbeddedSandbox, tmp_path: Path):
    audio = tmp_path / "dub.wav"
    shutil.copy(SAMPLE_AUDIO, audio)  # 3 s of sound

    async def upload() -> str:
        async with _client(box, Ledger.open(tmp_path / "ledger.db")) as client:
            return (await client.upload(audio)).asset_id

    asset_id = asyncio.run(upload())
    # Another process: a new client on the same ledger file, nothing in memory.
    later = _client(box, Ledger.open(tmp_path / "ledger.db"))
    probe = later.remembered_probe(asset_id)
    assert probe is not None and probe.has_audio is True and probe.duration == pytest.approx(3.0, abs=0.05)
    assert _price_from_asset(later, asset_id) == 0.1
    # A client without the ledger knows nothing of it: the price is unknown, not guessed.
    assert _client(box, None).remembered_probe(asset_id) is None


def test_without_a_ledger_the_upload_is_remembered_by_the_client(box: EmbeddedSandbox):
    async def main() -> None:
        async with _client(box, None) as client:
            asset = await client.upload(SAMPLE_VIDEO)
            probe = client.remembered_probe(asset.asset_id)
            assert probe is not None and probe.has_video is True and probe.has_audio is True
            assert probe.duration == pytest.approx(4.0, abs=0.05)

    asyncio.run(main())


def test_an_upload_alone_never_loads_pyav_the_first_price_probes_the_file(box: EmbeddedSandbox) -> None:
    """`heygen-lipsync upload` need not pay PyAV's start-up: the file is probed when a price first needs it."""
    code = (
        "import asyncio, sys\n"
        "from heygen_lipsync.client import AsyncLipsyncClient\n"
        "from heygen_lipsync.sandbox import SAMPLE_AUDIO\n"
        "async def main():\n"
        f"    async with AsyncLipsyncClient(api_key={box.api_key!r}, base_url={box.base_url!r}, ledger=None) as c:\n"
        "        asset = await c.upload(SAMPLE_AUDIO)\n"
        "        print('av' in sys.modules)\n"
        "        probe = c.remembered_probe(asset.asset_id)\n"
        "        print('av' in sys.modules, probe.has_audio, round(probe.duration))\n"
        "asyncio.run(main())\n"
    )
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["False", "True", "True", "3"]


def test_a_file_changed_after_its_upload_is_not_taken_for_the_asset(box: EmbeddedSandbox, tmp_path: Path) -> None:
    audio = tmp_path / "dub.wav"
    shutil.copy(SAMPLE_AUDIO, audio)

    async def upload() -> str:
        async with _client(box, Ledger.open(tmp_path / "ledger.db")) as client:
            return (await client.upload(audio)).asset_id

    asset_id = asyncio.run(upload())
    shutil.copy(SAMPLE_VIDEO, audio)  # the path now holds other bytes than the asset
    later = _client(box, Ledger.open(tmp_path / "ledger.db"))
    assert later.remembered_probe(asset_id) is None, "priced from a file that is not the asset's"
    assert _price_from_asset(later, asset_id) is None


def test_a_file_uploaded_by_a_relative_path_is_priced_from_another_folder(
    box: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "work").mkdir()
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(SAMPLE_AUDIO, tmp_path / "work" / "dub.wav")
    monkeypatch.chdir(tmp_path / "work")

    async def upload() -> str:
        async with _client(box, Ledger.open(tmp_path / "ledger.db")) as client:
            return (await client.upload("dub.wav")).asset_id  # relative to work/

    asset_id = asyncio.run(upload())
    monkeypatch.chdir(tmp_path / "elsewhere")  # a later process, started in another folder
    later = _client(box, Ledger.open(tmp_path / "ledger.db"))
    assert _price_from_asset(later, asset_id) == 0.1
