"""The create-once money paths, through the public client: when is a job paid for twice, when never.

Against a sandbox standing in for HeyGen, with the job ledger on. A scripting transport sits
between the client and the sandbox to give chosen requests a chosen answer (a 400, a 500, a
dropped response), so each path is reached the way a real failure would reach it:

* a remembered upload that HeyGen no longer has: the create is refused, the asset forgotten,
  the files uploaded afresh, and exactly one job is made;
* a failed upload is recorded: "refused" for a 4xx (certainly not stored), "unknown" for a 5xx;
* a create answered with a 4xx certainly made nothing: the ledger says "refused" and the next
  identical create is sent under a new key; a 5xx or a lost answer is "unknown" and the next
  create is sent again under the same key, so HeyGen replays it instead of making a second job;
* an explicit key whose job the ledger knows returns that job and sends nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from heygen_lipsync import AsyncLipsyncClient, FileSource, LipsyncRequest
from heygen_lipsync.errors import APIConnectionError, APIStatusError, BadRequestError
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig
from heygen_lipsync.store import JobRecord, Ledger

pytestmark = pytest.mark.anyio

CREATE = ("POST", "/v3/lipsyncs")
UPLOAD = ("POST", "/v3/assets")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def box() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(pending_seconds=0.05, running_seconds=0.1)) as sb:
        yield sb


@pytest.fixture
def media(tmp_path: Path) -> tuple[Path, Path]:
    video, audio = tmp_path / "talk.mp4", tmp_path / "dub.wav"
    shutil.copy(SAMPLE_VIDEO, video)
    shutil.copy(SAMPLE_AUDIO, audio)
    return video, audio


@dataclass
class Scripted(httpx.AsyncBaseTransport):
    """Forwards to the sandbox, except that the next requests to a scripted (method, path) get the scripted answer.

    An answer is a status code (HeyGen's error envelope with that status, the work not done) or
    ``"drop"`` (the connection closes before any answer, the work not done either).
    """

    inner: httpx.AsyncBaseTransport = field(default_factory=httpx.AsyncHTTPTransport)
    script: dict[tuple[str, str], list[int | str]] = field(default_factory=dict)
    sent: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, Idempotency-Key

    def answer(self, route: tuple[str, str], *answers: int | str) -> None:
        self.script.setdefault(route, []).extend(answers)

    def count(self, route: tuple[str, str]) -> int:
        return sum(1 for method, path, _ in self.sent if (method, path) == route)

    def keys(self, route: tuple[str, str]) -> list[str | None]:
        return [key for method, path, key in self.sent if (method, path) == route]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        route = (request.method, request.url.path)
        self.sent.append((*route, request.headers.get("Idempotency-Key")))
        queued = self.script.get(route)
        if queued:
            answer = queued.pop(0)
            if answer == "drop":
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
            assert isinstance(answer, int)
            body = {"error": {"code": "scripted", "message": f"scripted {answer}", "param": None, "doc_url": None}}
            return httpx.Response(answer, json=body, request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _client(box: EmbeddedSandbox, ledger: Ledger | None, transport: httpx.AsyncBaseTransport) -> AsyncLipsyncClient:
    return AsyncLipsyncClient(
        base_url=box.base_url, api_key=box.api_key, ledger=ledger, max_retries=0, transport=transport
    )


def _jobs(box: EmbeddedSandbox) -> int:
    return len(box.app.store.list_jobs(1_000_000, None))


def _assets(box: EmbeddedSandbox) -> set[str]:
    return {row["id"] for row in box.app.store._all("SELECT id FROM assets")}


def _records(ledger: Ledger, kind: str) -> list[JobRecord]:
    return ledger.recent(limit=None, kinds=(kind,))


async def test_a_remembered_upload_heygen_no_longer_has_is_uploaded_again_and_one_job_is_made(
    box: EmbeddedSandbox, media: tuple[Path, Path], tmp_path: Path
) -> None:
    video, audio = media
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    transport = Scripted()
    async with _client(box, ledger, transport) as client:
        await client.create(LipsyncRequest(video=video, audio=audio, title="first"))
        first_assets = _assets(box)
        assert len(first_assets) == 2 and transport.count(UPLOAD) == 2
        for asset_id in first_assets:  # deleted meanwhile (another tool, or HeyGen's expiry)
            await client.delete_asset(asset_id)
        jobs_before = _jobs(box)

        # Another request with the same files: the ledger offers the remembered uploads.
        second = await client.submit(LipsyncRequest(video=video, audio=audio, title="second"))

    assert not second.reused
    assert _jobs(box) == jobs_before + 1  # one job, not two
    assert transport.count(CREATE) == 3  # the first create, the refused one, the one with fresh uploads
    refused_key, fresh_key = transport.keys(CREATE)[1:]
    assert refused_key != fresh_key  # HeyGen would replay the refusal under the first key
    fresh_assets = _assets(box)
    assert len(fresh_assets) == 2 and not fresh_assets & first_assets
    assert transport.count(UPLOAD) == 4
    job = box.app.store.get_job(second.id)
    assert job is not None
    # The ledger forgot the deleted assets and now remembers the fresh ones.
    async with _client(box, ledger, Scripted()) as client:
        third = await client.submit(LipsyncRequest(video=video, audio=audio, title="third"))
    assert _assets(box) == fresh_assets and box.app.store.get_job(third.id) is not None


@pytest.mark.parametrize(
    ("answer", "status", "error"),
    [(400, "refused", BadRequestError), (500, "unknown", APIStatusError), ("drop", "unknown", APIConnectionError)],
    ids=["4xx-refused", "5xx-unknown", "dropped-unknown"],
)
async def test_a_failed_upload_is_recorded_with_what_is_known_of_it(
    box: EmbeddedSandbox,
    media: tuple[Path, Path],
    tmp_path: Path,
    answer: int | str,
    status: str,
    error: type[Exception],
) -> None:
    video, _ = media
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    transport = Scripted()
    transport.answer(UPLOAD, answer)
    async with _client(box, ledger, transport) as client:
        with pytest.raises(error):
            await client.upload(video)
    (record,) = _records(ledger, "upload")
    assert record.status == status and record.remote_id is None
    assert _assets(box) == set()
    # A later upload of the same file sends it (nothing is reused from a failed upload).
    async with _client(box, ledger, Scripted()) as client:
        asset = await client.upload(video)
    assert _assets(box) == {asset.asset_id}
    assert [r.status for r in _records(ledger, "upload")].count("uploaded") == 1


async def test_a_4xx_create_certainly_made_nothing_so_the_next_one_goes_under_a_new_key(
    box: EmbeddedSandbox, media: tuple[Path, Path], tmp_path: Path
) -> None:
    video, audio = media
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    transport = Scripted()
    transport.answer(CREATE, 400)
    request = LipsyncRequest(video=FileSource(video), audio=FileSource(audio))
    async with _client(box, ledger, transport) as client:
        with pytest.raises(BadRequestError) as caught:
            await client.create(request)
        assert caught.value.idempotency_key is None  # not "maybe created": nothing to retry under a key
        (record,) = _records(ledger, "lipsync")
        assert record.status == "refused" and not record.outcome_unknown
        made = await client.submit(request)
    assert not made.reused and _jobs(box) == 1
    first_key, second_key = transport.keys(CREATE)
    assert first_key and second_key and first_key != second_key


@pytest.mark.parametrize("answer", [500, "drop"], ids=["5xx", "dropped"])
async def test_a_create_whose_outcome_is_unknown_is_sent_again_under_the_same_key(
    box: EmbeddedSandbox, media: tuple[Path, Path], tmp_path: Path, answer: int | str
) -> None:
    video, audio = media
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    transport = Scripted()
    transport.answer(CREATE, answer)
    request = LipsyncRequest(video=FileSource(video), audio=FileSource(audio))
    async with _client(box, ledger, transport) as client:
        with pytest.raises((APIStatusError, APIConnectionError)):
            await client.create(request)
        (record,) = _records(ledger, "lipsync")
        assert record.status == "unknown" and record.outcome_unknown
        again = await client.submit(request)
    assert not again.reused and _jobs(box) == 1
    first_key, second_key = transport.keys(CREATE)
    assert first_key == second_key == again.idempotency_key
    (record,) = _records(ledger, "lipsync")  # the same record, now with its job: counted once
    assert record.remote_id == again.id and record.status == "pending"


async def test_an_explicit_key_whose_job_is_known_returns_that_job_and_sends_nothing(
    box: EmbeddedSandbox, media: tuple[Path, Path], tmp_path: Path
) -> None:
    video, audio = media
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    request = LipsyncRequest(video=FileSource(video), audio=FileSource(audio))
    async with _client(box, ledger, Scripted()) as client:
        first = await client.submit(request, idempotency_key="episode-7-fr")
        await client.wait(first.id, poll_interval=0.05, max_poll_interval=0.1)
    transport = Scripted()
    async with _client(box, ledger, transport) as client:
        again = await client.submit(request, idempotency_key="episode-7-fr")
    assert (again.id, again.reused, again.idempotency_key) == (first.id, True, "episode-7-fr")
    assert transport.count(CREATE) == 0 and transport.count(UPLOAD) == 0  # no upload, no create
    assert [m for m, _, _ in transport.sent] == ["GET"]  # only the look at the known job
    assert _jobs(box) == 1
    (record,) = _records(ledger, "lipsync")
    assert record.status == "completed"  # refreshed by that look


async def test_an_explicit_key_whose_job_was_deleted_still_sends_nothing_and_says_so_in_the_ledger(
    box: EmbeddedSandbox, media: tuple[Path, Path], tmp_path: Path
) -> None:
    video, audio = media
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    request = LipsyncRequest(video=FileSource(video), audio=FileSource(audio))
    async with _client(box, ledger, Scripted()) as client:
        first = await client.submit(request, idempotency_key="episode-8-fr")
        await client.delete(first.id)
    transport = Scripted()
    async with _client(box, ledger, transport) as client:
        again = await client.submit(request, idempotency_key="episode-8-fr")
    # The key belongs to that job (HeyGen would replay it): no second job is paid for.
    assert (again.id, again.reused) == (first.id, True)
    assert transport.count(CREATE) == 0 and _jobs(box) == 0
    (record,) = _records(ledger, "lipsync")
    assert record.status == "not_found"
