"""The review player in headless Chromium, hosted by the official AppBridge, fed real sandbox jobs.

Each view is also checked with axe-core: no violation of serious or critical impact.
Set HEYGEN_LIPSYNC_UPDATE_SCREENSHOT=1 to refresh the README's tests/browser/player.jpg (a small JPEG).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.mcp import build_server
from heygen_lipsync.mcp.player import PLAYER_URI
from heygen_lipsync.mcp.settings import ServerSettings
from heygen_lipsync.sandbox import SandboxConfig
from tests.browser.conftest import AXE, CHROMIUM, CHROMIUM_ARGS
from tests.conftest import skip_or_fail
from tests.mcp.conftest import structured
from tests.mcp.test_player import APPS, sandbox_batch, sandbox_job
from tests.mcp.test_player_sources import kept_sandbox

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SCREENSHOT = Path(__file__).parent / "player.jpg"
WAIT_MS = 20_000  # bounded waits for the page; the sandbox jobs finish in a few seconds


def _wire(result: Any) -> dict[str, Any]:
    return dict(result.model_dump(mode="json", by_alias=True, exclude_none=True))


@dataclass
class Opened:
    """The host page, the player's frame in it, and what its console said."""

    page: Any
    frame: Any
    errors: list[str] = field(default_factory=list)

    async def calls(self) -> list[dict[str, Any]]:
        return list(await self.page.evaluate("window.hostLog.calls"))


@asynccontextmanager
async def open_player(client: Client, host_url: str, tool_input: dict[str, Any], result: Any) -> AsyncIterator[Opened]:
    """The player in Chromium under the test host, given ``result``; its tools/call go to ``client``."""
    from playwright.async_api import async_playwright

    (page_html,) = (await client.read_resource(PLAYER_URI)).contents
    csp = next(r for r in (await client.list_resources()).resources if str(r.uri) == PLAYER_URI).meta["ui"]["csp"]  # type: ignore[index]

    async def call_tool(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return _wire(await client.call_tool(name, arguments))

    async with async_playwright() as pw:
        try:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        except Exception as exc:
            skip_or_fail(f"Chromium did not start: {exc}")
        try:
            page = await browser.new_page(viewport={"width": 880, "height": 660})
            opened = Opened(page=page, frame=None)
            page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: opened.errors.append(str(e)))
            await page.expose_function("mcpCallTool", call_tool)
            await page.goto(f"{host_url}/host.html")
            await page.evaluate(
                "([html, csp, input, result]) => window.startHost(html, csp, input, result)",
                [page_html.text, csp, tool_input, _wire(result)],  # type: ignore[union-attr]
            )
            opened.frame = page.frames[1]
            yield opened
        finally:
            await browser.close()


async def assert_accessible(frame: Any) -> None:
    """axe-core finds no serious or critical violation in the player as it is now."""
    await frame.add_script_tag(path=str(AXE))
    found = await frame.evaluate(
        "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations"
        ".filter((v) => v.impact === 'serious' || v.impact === 'critical')"
        ".map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', '))"
    )
    assert found == []


async def test_the_player_plays_a_sandbox_job_in_step_with_its_source(
    sandbox_server: MCPServer[Any], host_url: str, tmp_path: Path
) -> None:
    async with Client(sandbox_server, extensions=[APPS]) as client:
        lipsync_id, _ = await sandbox_job(client)
        await client.call_tool("update_lipsync", {"lipsync_id": lipsync_id, "title": "Keynote, French dub"})
        result = await client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
        job = result.structured_content["lipsync"]  # type: ignore[index]
        cue = (result.meta or {})["heygen-lipsync/player"]["captions_srt"].splitlines()[2]

        async with open_player(client, host_url, {"lipsync_id": lipsync_id}, result) as opened:
            page, frame, errors = opened.page, opened.frame, opened.errors
            await frame.wait_for_function("() => document.getElementById('dubbed').readyState >= 2", timeout=15_000)
            await frame.wait_for_function("() => document.getElementById('source').readyState >= 2", timeout=15_000)
            duration = await frame.evaluate("() => document.getElementById('dubbed').duration")
            assert abs(duration - job["duration"]) <= 0.1
            assert await frame.inner_text("#title") == "Keynote, French dub"
            assert await frame.inner_text("#status") == "completed"
            assert await frame.inner_text("#mode") == "speed"

            await frame.click("#play")
            await frame.wait_for_function(
                "() => { const d = document.getElementById('dubbed'), s = document.getElementById('source');"
                " return !d.paused && !s.paused && d.currentTime > 0.2; }",
                timeout=15_000,
            )
            await frame.click("#play")  # pause: scrubbing must move both
            await frame.evaluate(
                "() => { const r = document.getElementById('scrub'); r.value = '2.5';"
                " r.dispatchEvent(new Event('input', { bubbles: true })); }"
            )
            await frame.wait_for_function(
                "() => { const d = document.getElementById('dubbed'), s = document.getElementById('source');"
                " return Math.abs(d.currentTime - 2.5) < 0.05 && Math.abs(s.currentTime - 2.5) < 0.05; }",
                timeout=15_000,
            )
            cues = await frame.evaluate(
                "() => Array.from(document.getElementById('dubbed').textTracks[0].cues).map((c) => c.text)"
            )
            assert cues == [cue]

            await frame.click("#download")
            await frame.wait_for_function(
                "() => document.getElementById('notice').textContent.startsWith('Saved to')", timeout=15_000
            )
            calls = await page.evaluate("window.hostLog.calls")
            assert {"name": "download_lipsync", "arguments": {"lipsync_id": lipsync_id}} in calls

            await frame.click("#redo-precision")
            await page.wait_for_function("window.hostLog.messages.length === 1", timeout=15_000)
            (message,) = await page.evaluate("window.hostLog.messages")
            asked = message["content"][0]["text"]
            assert '"mode":"precision"' in asked and lipsync_id in asked
            assert '"video_asset_id":' in asked and '"audio_path":' in asked  # what a new conversation needs
            await assert_accessible(frame)
            await frame.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")  # a dark host
            await assert_accessible(frame)
            await frame.evaluate("() => { document.documentElement.dataset.theme = 'light'; }")

            assert errors == []


async def test_a_pending_job_refreshes_itself_until_it_plays(settings: ServerSettings, host_url: str) -> None:
    # Slower than the other tests' sandbox, so the job is surely unfinished when the page gets it.
    server = build_server(settings, sandbox=SandboxConfig(pending_seconds=1.0, running_seconds=2.0))
    async with Client(server, extensions=[APPS]) as client:
        created = structured(
            await client.call_tool("create_lipsync", {"video_path": "talk.mp4", "audio_path": "dub.wav"})
        )
        lipsync_id = created["lipsync_id"]
        result = await client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
        assert structured(result)["lipsync"]["status"] != "completed"
        async with open_player(client, host_url, {"lipsync_id": lipsync_id}, result) as opened:
            frame = opened.frame
            await frame.wait_for_function("() => !document.getElementById('progress-box').hidden", timeout=WAIT_MS)
            assert await frame.is_disabled("#download")
            await assert_accessible(frame)
            await frame.wait_for_function(
                "() => document.getElementById('status').textContent === 'completed'", timeout=WAIT_MS
            )
            await frame.wait_for_function("() => document.getElementById('dubbed').readyState >= 2", timeout=WAIT_MS)
            assert await frame.is_hidden("#progress-box") and await frame.is_enabled("#download")
            refreshes = [c for c in await opened.calls() if c["name"] == "get_lipsync"]
            assert refreshes and all(c["arguments"] == {"lipsync_id": lipsync_id} for c in refreshes)
            assert opened.errors == []


async def test_a_batch_is_a_list_and_choosing_an_item_plays_it(sandbox_server: MCPServer[Any], host_url: str) -> None:
    async with Client(sandbox_server, extensions=[APPS]) as client:
        waited = await sandbox_batch(client)
        result = await client.call_tool("get_lipsync_batch", {"batch_id": waited["batch_id"]})
        listed = (result.meta or {})["heygen-lipsync/player"]["list"]
        async with open_player(client, host_url, {"batch_id": waited["batch_id"]}, result) as opened:
            frame = opened.frame
            await frame.wait_for_function(
                "() => document.querySelectorAll('#jobs button').length === 2", timeout=WAIT_MS
            )
            rows = await frame.eval_on_selector_all(
                "#jobs button", "(bs) => bs.map((b) => Array.from(b.children).map((s) => s.textContent))"
            )
            minutes = [f"{int(i['duration']) // 60}:{int(i['duration']) % 60:02d}" for i in listed]
            assert rows == [["French", "completed", minutes[0]], ["German", "completed", minutes[1]]]
            assert await frame.is_hidden("#media")
            await assert_accessible(frame)

            await frame.focus("#jobs li:nth-child(2) button")
            await opened.page.keyboard.press("Enter")  # chosen from the keyboard, as a keyboard user would
            await frame.wait_for_function("() => document.getElementById('dubbed').readyState >= 2", timeout=WAIT_MS)
            assert await frame.inner_text("#title") == "German"
            duration = await frame.evaluate("() => document.getElementById('dubbed').duration")
            assert abs(duration - listed[1]["duration"]) <= 0.1
            assert await frame.get_attribute("#jobs li:nth-child(2) button", "aria-pressed") == "true"
            assert {"name": "get_lipsync", "arguments": {"lipsync_id": listed[1]["lipsync_id"]}} in await opened.calls()
            await assert_accessible(frame)
            assert opened.errors == []


@pytest.fixture
def kept(monkeypatch: pytest.MonkeyPatch, settings: ServerSettings, tmp_path: Path) -> MCPServer[Any]:
    """A --sandbox server with its ledger on (as the command runs), so jobs made from paths are recorded."""
    monkeypatch.setenv("HEYGEN_LIPSYNC_LEDGER", str(tmp_path / "ledger.sqlite3"))
    return kept_sandbox(settings, tmp_path / "sandbox")


async def _job_from_paths(client: Client, **extra: Any) -> str:
    args = {"video_path": "talk.mp4", "audio_path": "dub.wav", **extra}
    lipsync_id = str(structured(await client.call_tool("create_lipsync", args))["lipsync_id"])
    await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id})
    return lipsync_id


async def test_a_job_made_from_a_local_file_shows_its_source_and_its_redo_names_the_files(
    kept: MCPServer[Any], host_url: str, workdir: Path, tmp_path: Path
) -> None:
    async with Client(kept, extensions=[APPS]) as client:
        lipsync_id = await _job_from_paths(client, title="Interview, French")  # every job has captions
        result = await client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
        async with open_player(client, host_url, {"lipsync_id": lipsync_id}, result) as opened:
            page, frame = opened.page, opened.frame
            await frame.wait_for_function("() => document.getElementById('dubbed').readyState >= 2", timeout=WAIT_MS)
            await frame.wait_for_function("() => document.getElementById('source').readyState >= 2", timeout=WAIT_MS)
            assert await frame.is_visible("#source-box") and await frame.is_hidden("#source-note")
            assert await frame.inner_text("#mode") == "speed"
            await frame.fill("#seg-from", "0:01")
            await frame.fill("#seg-to", "0:02")
            await frame.click("#redo-segment")
            await page.wait_for_function("window.hostLog.messages.length === 1", timeout=WAIT_MS)
            (message,) = await page.evaluate("window.hostLog.messages")
            asked = message["content"][0]["text"]
            assert f'"video_path":"{workdir / "talk.mp4"}"' in asked
            assert f'"audio_path":"{workdir / "dub.wav"}"' in asked
            assert '"start_time":1,"end_time":2' in asked and lipsync_id in asked
            await assert_accessible(frame)
            await frame.evaluate(  # a moment with a caption on screen, for the picture
                "() => { const r = document.getElementById('scrub'); r.value = '1.5';"
                " r.dispatchEvent(new Event('input', { bubbles: true })); }"
            )
            await frame.wait_for_function(
                "() => Math.abs(document.getElementById('source').currentTime - 1.5) < 0.05", timeout=WAIT_MS
            )
            # A test artifact (and the README's picture): JPEG keeps the video frames in it small.
            await page.screenshot(path=str(tmp_path / SCREENSHOT.name), full_page=True, type="jpeg", quality=70)
            if os.environ.get("HEYGEN_LIPSYNC_UPDATE_SCREENSHOT"):
                shutil.copy(tmp_path / SCREENSHOT.name, SCREENSHOT)
            assert opened.errors == []


async def test_a_precision_job_offers_no_redo_in_precision(kept: MCPServer[Any], host_url: str) -> None:
    async with Client(kept, extensions=[APPS]) as client:
        lipsync_id = await _job_from_paths(client, mode="precision")
        result = await client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
        async with open_player(client, host_url, {"lipsync_id": lipsync_id}, result) as opened:
            frame = opened.frame
            await frame.wait_for_function("() => document.getElementById('dubbed').readyState >= 2", timeout=WAIT_MS)
            assert await frame.inner_text("#mode") == "precision"
            assert await frame.is_hidden("#redo-precision")
            assert await frame.is_visible("#redo-segment")  # a part can still be redone
            assert opened.errors == []


async def test_a_failed_job_shows_its_reason_and_no_empty_mode_or_segment(kept: MCPServer[Any], host_url: str) -> None:
    async with Client(kept, extensions=[APPS]) as client:
        args = {"video_url": "http://127.0.0.1:9/gone.mp4", "audio_path": "dub.wav"}
        lipsync_id = str(structured(await client.call_tool("create_lipsync", args))["lipsync_id"])
        await client.call_tool("wait_for_lipsync", {"lipsync_id": lipsync_id})
        result = await client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
        assert structured(result)["lipsync"]["status"] == "failed"
        async with open_player(client, host_url, {"lipsync_id": lipsync_id}, result) as opened:
            frame = opened.frame
            await frame.wait_for_function(
                "() => document.getElementById('status').textContent === 'failed'", timeout=WAIT_MS
            )
            shown = await frame.evaluate("() => document.body.innerText")
            assert "not known" not in shown and "0:00 to 0:00" not in shown
            assert "Redo" not in shown and "Download" not in shown
            assert "The job failed" in await frame.inner_text("#notice") and "gone.mp4" in shown
            assert await frame.inner_text("#mode") == "speed"
            await assert_accessible(frame)
            assert opened.errors == []


async def test_batch_items_without_titles_are_named_by_their_files(
    kept: MCPServer[Any], host_url: str, workdir: Path
) -> None:
    shutil.copy(workdir / "dub.wav", workdir / "fr.wav")
    shutil.copy(workdir / "dub.wav", workdir / "de.wav")
    items = [{"video_path": "talk.mp4", "audio_path": name} for name in ("fr.wav", "de.wav")]
    async with Client(kept, extensions=[APPS]) as client:
        created = structured(await client.call_tool("create_lipsync_batch", {"items": items}))
        result = await client.call_tool("wait_for_lipsync_batch", {"batch_id": created["batch_id"]})
        async with open_player(client, host_url, {"batch_id": created["batch_id"]}, result) as opened:
            frame = opened.frame
            await frame.wait_for_function(
                "() => document.querySelectorAll('#jobs button').length === 2", timeout=WAIT_MS
            )
            titles = await frame.eval_on_selector_all("#jobs .job-title", "(spans) => spans.map((s) => s.textContent)")
            assert titles == ["talk.mp4 + fr.wav", "talk.mp4 + de.wav"]
            assert opened.errors == []


async def test_a_local_source_that_cannot_play_is_named(
    sandbox_server: MCPServer[Any], host_url: str, workdir: Path
) -> None:
    # No ledger here, so no upload of the file is known: the page names the file instead of playing it.
    async with Client(sandbox_server, extensions=[APPS]) as client:
        lipsync_id = await _job_from_paths(client)
        result = await client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
        async with open_player(client, host_url, {"lipsync_id": lipsync_id}, result) as opened:
            frame = opened.frame
            await frame.wait_for_function("() => document.getElementById('dubbed').readyState >= 2", timeout=WAIT_MS)
            assert await frame.is_hidden("#source-box")
            assert str(workdir / "talk.mp4") in await frame.inner_text("#source-note")
            await assert_accessible(frame)
            assert opened.errors == []
