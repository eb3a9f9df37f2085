"""Item 7 of issue 12: no check-then-open races in the MCP server's file tools (small counts; the bench runs 2,000)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.races import download_race, upload_race

pytestmark = pytest.mark.anyio


async def test_an_upload_never_sends_a_file_swapped_in_from_outside(tmp_path: Path) -> None:
    report = await upload_race(tmp_path, tries=200)
    assert report.escapes == 0, report
    assert report.completed > 0  # the uploads did run while the path flipped


async def test_a_download_never_lands_outside_when_its_folder_is_swapped(tmp_path: Path) -> None:
    report = await download_race(tmp_path, tries=200)
    assert report.escapes == 0, report
    assert report.completed > 0
