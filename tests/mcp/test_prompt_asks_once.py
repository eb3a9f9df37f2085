"""The dub_video prompt leads a model through one approval: the preview's token goes with the spending call."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer

from tests.mcp.conftest import CountingTransport, error_of, structured

pytestmark = pytest.mark.anyio

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]


@pytest.fixture(autouse=True)
def _ledger(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_LEDGER", str(tmp_path / "ledger.sqlite3"))


async def test_following_the_prompt_spends_after_one_question_with_the_previews_token(paid_server: Make) -> None:
    server, counter = paid_server()
    args = {"video_path": "talk.mp4", "audio_path": "dub.wav", "mode": "speed"}
    async with Client(server) as client:
        prompt = await client.get_prompt("dub_video", {"video": "talk.mp4", "audio": "dub.wav"})
        text = prompt.messages[0].content.text  # type: ignore[union-attr]
        # The step the model follows names the token, where it is, and that it goes with confirm_spend.
        step = next(line for line in text.splitlines() if line.startswith("2."))
        assert "confirmation_required" in step and "details" in step
        assert re.search(r"confirm_spend=true and approval_token=", step), step
        assert "once" in step

        preview = error_of(await client.call_tool("create_lipsync", args))  # the one question
        assert preview["code"] == "confirmation_required" and counter.requests == []
        token = preview["details"]["approval_token"]
        # As the prompt says: the same arguments, confirm_spend=true and the token; nothing else asked.
        created = structured(
            await client.call_tool("create_lipsync", {**args, "confirm_spend": True, "approval_token": token})
        )
    assert created["lipsync_id"]


async def test_confirm_spend_alone_is_what_the_prompt_warns_against(paid_server: Make) -> None:
    server, counter = paid_server()
    args = {"video_path": "talk.mp4", "audio_path": "dub.wav"}
    async with Client(server) as client:
        text = (await client.get_prompt("dub_video", {"video": "talk.mp4", "audio": "dub.wav"})).messages[0]
        assert "approval_token" in text.content.text  # type: ignore[union-attr]
        error_of(await client.call_tool("create_lipsync", args))
        again = error_of(await client.call_tool("create_lipsync", {**args, "confirm_spend": True}))
    # Without the token the model would have to ask the user a second time.
    assert again["code"] == "confirmation_required" and counter.requests == []
