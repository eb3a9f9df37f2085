"""OpenTelemetry spans, when asked for: a create, its wait and its download name the job and HeyGen's request ids;
an upload of many files names its assets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from heygen_lipsync import AsyncLipsyncClient
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO, EmbeddedSandbox, SandboxConfig

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(trace, "get_tracer", lambda name, *args, **kwargs: provider.get_tracer(name))
    yield exporter


async def _dub(tmp_path: Path) -> str:
    with EmbeddedSandbox(SandboxConfig(pending_seconds=0.05, running_seconds=0.2)) as box:
        async with AsyncLipsyncClient(base_url=box.base_url, api_key=box.api_key, ledger=None) as client:
            result = await client.dub(SAMPLE_VIDEO, SAMPLE_AUDIO, tmp_path / "out.mp4")
    return result.lipsync.id


async def test_spans_name_the_job_and_heygens_request_ids(
    spans: InMemorySpanExporter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_OTEL", "1")
    lipsync_id = await _dub(tmp_path)
    finished = {span.name: span for span in spans.get_finished_spans()}
    assert {"heygen_lipsync.create", "heygen_lipsync.wait", "heygen_lipsync.download"} <= set(finished)
    for name in ("heygen_lipsync.create", "heygen_lipsync.wait", "heygen_lipsync.download"):
        assert finished[name].attributes["heygen.lipsync_id"] == lipsync_id
    create = finished["heygen_lipsync.create"]
    exchanges = [event for event in create.events if event.name == "heygen.http"]
    posted = [
        e for e in exchanges if e.attributes["http.method"] == "POST" and e.attributes["http.path"] == "/v3/lipsyncs"
    ]
    assert posted and posted[0].attributes["heygen.request_id"].startswith("req_")


async def test_no_spans_unless_asked_for(spans: InMemorySpanExporter, tmp_path: Path) -> None:
    await _dub(tmp_path)
    assert spans.get_finished_spans() == ()


async def test_an_upload_of_many_files_is_one_span_naming_its_assets(
    spans: InMemorySpanExporter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_OTEL", "1")
    with EmbeddedSandbox(SandboxConfig(asset_processing_seconds=0)) as box:
        async with AsyncLipsyncClient(base_url=box.base_url, api_key=box.api_key, ledger=None) as client:
            assets = await client.upload_many([SAMPLE_VIDEO, SAMPLE_AUDIO])
    finished = [span for span in spans.get_finished_spans() if span.name == "heygen_lipsync.upload_many"]
    assert len(finished) == 1
    assert finished[0].attributes["heygen.files"] == 2
    assert list(finished[0].attributes["heygen.asset_ids"]) == [asset.asset_id for asset in assets]
    uploads = [e for e in finished[0].events if e.name == "heygen.http" and e.attributes["http.path"] == "/v3/assets"]
    assert len(uploads) == 2  # each exchange is noted on the span
