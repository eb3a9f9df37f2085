"""The review player in headless Chromium, hosted by the official AppBridge, fed a real sandbox job.

Set HEYGEN_LIPSYNC_UPDATE_SCREENSHOT=1 to refresh the README's tests/browser/player.png.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from heygen_lipsync.mcp.player import PLAYER_URI
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.mcp.test_player import APPS, sandbox_job

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SCREENSHOT = Path(__file__).parent / "player.png"


def _wire(result: Any) -> dict[str, Any]:
    return dict(result.model_dump(mode="json", by_alias=True, exclude_none=True))


async def test_the_player_plays_a_sandbox_job_in_step_with_its_source(
    sandbox_server: MCPServer[Any], host_url: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    async with Client(sandbox_server, extensions=[APPS]) as client:
        lipsync_id, _ = await sandbox_job(client)
        await client.call_tool("update_lipsync", {"lipsync_id": lipsync_id, "title": "Keynote, French dub"})
        result = await client.call_tool("get_lipsync", {"lipsync_id": lipsync_id})
        job = result.structured_content["lipsync"]  # type: ignore[index]
        (page_html,) = (await client.read_resource(PLAYER_URI)).contents
        csp = next(r for r in (await client.list_resources()).resources if str(r.uri) == PLAYER_URI).meta["ui"]["csp"]  # type: ignore[index]
        cue = (result.meta or {})["heygen-lipsync/player"]["captions_srt"].splitlines()[2]

        async def call_tool(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
            return _wire(await client.call_tool(name, arguments))

        async with async_playwright() as pw:
            try:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            except Exception as exc:
                pytest.skip(f"Chromium did not start: {exc}")
            try:
                page = await browser.new_page(viewport={"width": 880, "height": 660})
                errors: list[str] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                await page.expose_function("mcpCallTool", call_tool)
                await page.goto(f"{host_url}/host.html")
                await page.evaluate(
                    "([html, csp, input, result]) => window.startHost(html, csp, input, result)",
                    [page_html.text, csp, {"lipsync_id": lipsync_id}, _wire(result)],  # type: ignore[union-attr]
                )
                frame = page.frames[1]
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
                assert 'mode="precision"' in asked and lipsync_id in asked

                await page.screenshot(path=str(tmp_path / "player.png"), full_page=True)
                if os.environ.get("HEYGEN_LIPSYNC_UPDATE_SCREENSHOT"):
                    shutil.copy(tmp_path / "player.png", SCREENSHOT)
                assert errors == []
            finally:
                await browser.close()
