"""Folders through the library (async and sync), against the sandbox: find a folder id, and a create refused for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from heygen_lipsync import AsyncLipsyncClient, LipsyncClient, LipsyncRequest, NotFoundError, ValidationError
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig

pytestmark = pytest.mark.anyio


@pytest.fixture
async def sandbox() -> AsyncIterator[EmbeddedSandbox]:
    async with EmbeddedSandbox(SandboxConfig(pending_seconds=0.05, running_seconds=0.1)) as sb:
        yield sb


def _client(sb: EmbeddedSandbox) -> AsyncLipsyncClient:
    return AsyncLipsyncClient(base_url=sb.base_url, api_key=sb.api_key, ledger=None)


async def test_a_folder_made_is_found_again_and_takes_a_job(sandbox: EmbeddedSandbox) -> None:
    async with _client(sandbox) as client:
        parent = await client.create_folder("Dubs")
        child = await client.create_folder("French", parent_id=parent.folder_id, type="video")
        assert (child.parent_id, child.type, child.is_trash) == (parent.folder_id, "video", False)
        assert (await client.get_folder(child.folder_id)).name == "French"
        request = LipsyncRequest(video=SAMPLE_VIDEO, audio=SAMPLE_AUDIO, folder_id=child.folder_id)
        assert await client.create(request)


async def test_a_create_into_a_missing_folder_is_a_not_found_naming_the_folder(sandbox: EmbeddedSandbox) -> None:
    async with _client(sandbox) as client:
        request = LipsyncRequest(video=SAMPLE_VIDEO, audio=SAMPLE_AUDIO, folder_id="fld_gone")
        with pytest.raises(NotFoundError) as caught:
            await client.create(request)
    assert caught.value.param == "folder_id"
    assert "fld_gone" in str(caught.value) and "lipsync" not in caught.value.message.lower()


async def test_a_generic_404_on_a_create_still_names_the_folder() -> None:
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            404, json={"error": {"code": "not_found", "message": "Not found", "doc_url": "https://d"}}
        )

    async with AsyncLipsyncClient(
        base_url="https://api.example", api_key="k", transport=httpx.MockTransport(answer), ledger=None
    ) as client:
        request = LipsyncRequest(video="https://x.test/v.mp4", audio="https://x.test/a.wav", folder_id="fld_1")
        with pytest.raises(NotFoundError) as caught:
            await client.create(request)
        with pytest.raises(NotFoundError) as plain:
            await client.get("ls_1")
    assert caught.value.param == "folder_id" and "folder_id names no folder" in caught.value.message
    assert plain.value.param is None and plain.value.message == "Not found"


async def test_bad_folder_input_is_refused_before_any_request(sandbox: EmbeddedSandbox) -> None:
    async with _client(sandbox) as client:
        with pytest.raises(ValidationError, match="name"):
            await client.create_folder("")
        with pytest.raises(ValidationError, match="type"):
            await client.create_folder("x", type="album")
        with pytest.raises(NotFoundError):
            await client.get_folder("fld_missing")


def test_the_blocking_client_has_the_same_folder_calls(tmp_path: Path) -> None:
    with EmbeddedSandbox() as sb, LipsyncClient(base_url=sb.base_url, api_key=sb.api_key, ledger=None) as client:
        made = client.create_folder("Blocking", idempotency_key="folder-once")
        assert client.create_folder("Blocking", idempotency_key="folder-once").folder_id == made.folder_id
        assert client.get_folder(made.folder_id).to_dict()["folder_id"] == made.folder_id
