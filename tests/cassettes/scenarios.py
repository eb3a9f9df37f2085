"""The scenarios recorded into cassettes (scripts/record_cassettes.py) and replayed by the tests.

Each scenario drives the public library and returns plain "facts" about what happened.
Recording stores those facts in ``index.json`` beside the cassettes; replay runs the same
scenario offline and must reproduce them exactly, so a cassette checks the library end to
end against what the server (sandbox or live API) really said.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heygen_lipsync import (
    APIStatusError,
    AssetSource,
    AsyncLipsyncClient,
    FileSource,
    JobFailedError,
    LipsyncRequest,
    NotFoundError,
)
from heygen_lipsync.media import files
from heygen_lipsync.sandbox import SAMPLE_AUDIO, SAMPLE_VIDEO

# Every sandbox recording is rewritten to this base URL, whatever port the sandbox used.
SANDBOX_BASE_URL = "http://127.0.0.1:8765"
LIVE_BASE_URL = "https://api.heygen.com"
CASSETTE_DIR = Path(__file__).resolve().parent
REDACTED = "REDACTED"
SECRET_HEADERS = ("x-api-key", "authorization", "x-amz-security-token", "cookie", "set-cookie")
# Query parameters of presigned URLs that act as credentials.
SECRET_PARAMS = re.compile(
    r"(?i)\b(signature|x-amz-signature|x-amz-credential|x-amz-security-token|policy|key-pair-id|sig)=([^&\"'\s\\]+)"
)


@dataclass
class Context:
    workdir: Path
    live: bool
    poll_interval: float = 0.1
    make_client: Callable[..., AsyncLipsyncClient] | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    run: Callable[[AsyncLipsyncClient, Context], Awaitable[dict[str, Any]]]
    description: str
    sandbox_overrides: dict[str, Any] = field(default_factory=dict)
    max_retries: int = 2
    live: bool = True
    wrong_key: bool = False


def scrub_text(text: str) -> str:
    """Replace presigned-URL credentials in a string."""
    return SECRET_PARAMS.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


@contextlib.contextmanager
def forced_direct_upload() -> Iterator[None]:
    """Send even small files through the direct-upload flow (keeps cassettes small)."""
    saved = files.MULTIPART_MAX_BYTES
    files.MULTIPART_MAX_BYTES = 1024
    try:
        yield
    finally:
        files.MULTIPART_MAX_BYTES = saved


def sample_request(**kwargs: Any) -> LipsyncRequest:
    return LipsyncRequest(video=FileSource(SAMPLE_VIDEO), audio=FileSource(SAMPLE_AUDIO), **kwargs)


def error_facts(exc: APIStatusError) -> dict[str, Any]:
    return {
        "error": type(exc).__name__,
        "status_code": exc.status_code,
        "code": exc.code,
        "has_request_id": bool(exc.request_id),
        "has_retry_after": exc.retry_after is not None,
    }


async def create(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    lipsync_id = await client.create(sample_request(title="cassette create"))
    return {"has_id": bool(lipsync_id)}


async def get(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    lipsync_id = await client.create(sample_request(title="cassette get"))
    got = await client.get(lipsync_id)
    return {"same_id": got.id == lipsync_id, "title": got.title, "known_status": got.status in ("pending", "running")}


async def list_pages(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    if not ctx.live:
        for i in range(5):
            await client.create(sample_request(title=f"cassette list {i}"))
    first = await client.list(limit=2)
    seen = []
    async for item in client.iter_lipsyncs(page_size=2):
        seen.append(item.id)
        if len(seen) == 4:
            break
    return {
        "first_page": len(first.items),
        "first_has_more": first.has_more,
        "iterated": len(seen),
        "unique": len(set(seen)) == len(seen),
    }


async def update(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    lipsync_id = await client.create(sample_request(title="cassette update"))
    updated = await client.update(lipsync_id, title="renamed by cassette")
    return {"title": updated.title, "same_id": updated.id == lipsync_id}


async def delete(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    lipsync_id = await client.create(sample_request(title="cassette delete"))
    if ctx.live:
        # HeyGen may refuse to delete a job that is still running: let it finish first.
        with contextlib.suppress(JobFailedError):
            await client.wait(lipsync_id, poll_interval=ctx.poll_interval)
    deleted = await client.delete(lipsync_id)
    try:
        await client.get(lipsync_id)
        gone = False
    except NotFoundError:
        gone = True
    return {"deleted_same_id": deleted == lipsync_id, "then_not_found": gone}


async def upload_small(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    asset = await client.upload(SAMPLE_VIDEO)
    return {"mime_type": asset.mime_type, "size_bytes": asset.size_bytes, "has_id": bool(asset.asset_id)}


async def upload_large(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    with forced_direct_upload():
        asset = await client.upload(SAMPLE_VIDEO)
    return {"mime_type": asset.mime_type, "size_bytes": asset.size_bytes, "has_id": bool(asset.asset_id)}


async def error_400(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    request = LipsyncRequest(video=AssetSource("asset_does_not_exist"), audio=AssetSource("asset_nor_this"))
    try:
        await client.create(request)
    except APIStatusError as exc:
        return {**error_facts(exc), "param_names_video": (exc.param or "").startswith("video")}
    return {"error": None}


async def error_401(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    try:
        await client.list(limit=1)
    except APIStatusError as exc:
        return error_facts(exc)
    return {"error": None}


async def error_404(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    try:
        await client.get("ls_does_not_exist_0000")
    except APIStatusError as exc:
        return error_facts(exc)
    return {"error": None}


async def asset_missing(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    """What a create naming an unknown asset meets first: the asset's lookup, 404 (nothing is created)."""
    try:
        await client.get_asset("asset_does_not_exist")
    except APIStatusError as exc:
        return error_facts(exc)
    return {"error": None}


async def error_429(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    await client.create(sample_request(title="cassette 429 first"))
    try:
        await client.create(sample_request(title="cassette 429 second"))
    except APIStatusError as exc:
        return error_facts(exc)
    return {"error": None}


async def wait_completed(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    lipsync_id = await client.create(sample_request(title="cassette wait"))
    statuses: list[str] = []
    done = await client.wait(
        lipsync_id, poll_interval=ctx.poll_interval, on_progress=lambda lipsync, _: statuses.append(lipsync.status)
    )
    result = await client.download(done, ctx.workdir)
    return {
        "status": done.status,
        "final_progress": statuses[-1],
        "has_duration": bool(done.duration),
        "downloaded_mp4": result.video_path.read_bytes()[4:8] == b"ftyp",
        "bytes_written": result.bytes_written,
    }


async def wait_failed(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    # start_time beyond the sample's 4 s: accepted locally, the job then fails.
    lipsync_id = await client.create(sample_request(title="cassette fail", start_time=100.0))
    try:
        await client.wait(lipsync_id, poll_interval=ctx.poll_interval)
    except JobFailedError as exc:
        return {"error": "JobFailedError", "same_id": exc.lipsync_id == lipsync_id, "message": exc.failure_message}
    return {"error": None}


async def asset_get(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    asset = await client.upload(SAMPLE_VIDEO)
    got = await client.get_asset(asset.asset_id)
    return {"asset_id": asset.asset_id, "same_id": got.id == asset.asset_id, "type": got.type, "name": got.name}


async def asset_statuses(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    # A direct upload passes through processing (the client waits it out); a multipart one is ready at once.
    with forced_direct_upload():
        direct = await client.upload(SAMPLE_AUDIO)
    small = await client.upload(SAMPLE_VIDEO)
    entries = await client.asset_statuses([direct.asset_id, small.asset_id])
    return {
        "asset_ids": [direct.asset_id, small.asset_id],
        "statuses": {e.asset_id: e.status for e in entries},
        "waiting": [e.asset_id for e in entries if e.is_waiting],
    }


async def asset_delete(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    asset = await client.upload(SAMPLE_VIDEO)
    deleted = await client.delete_asset(asset.asset_id)
    try:
        await client.get_asset(asset.asset_id)
        gone = False
    except NotFoundError:
        gone = True
    return {"asset_id": asset.asset_id, "deleted_same_id": deleted == asset.asset_id, "then_not_found": gone}


async def account(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    me = await client.account()
    wallet = me.wallet
    return {
        "billing_type": me.billing_type,
        "currency": wallet.currency if wallet else None,
        "has_balance": wallet is not None and wallet.remaining_balance is not None,
    }


async def batch_failed_item(client: AsyncLipsyncClient, ctx: Context) -> dict[str, Any]:
    # Item 1 starts beyond the sample's 4 s: accepted by the API, then the job fails.
    batch_id = await client.create_batch(
        [sample_request(title="cassette batch ok"), sample_request(title="cassette batch fails", start_time=100.0)],
        title="cassette batch",
    )
    batch = await client.get_batch(batch_id)
    while not batch.is_finished:
        await asyncio.sleep(ctx.poll_interval)
        batch = await client.get_batch(batch_id)
    entries = await client.statuses(batch_ids=[batch_id])
    ids = [item.lipsync_id for item in batch.items if item.lipsync_id]
    results = await client.wait_many(ids, poll_interval=ctx.poll_interval)
    failed = next(item for item in batch.items if item.status == "failed")
    entry = next(e for e in entries if e.status == "failed")
    return {
        "batch_id": batch_id,
        "lipsync_ids": ids,
        "batch_status": batch.status,
        "counts": batch.counts_by_status,
        "failed_index": failed.item_index,
        "item_error": {"code": failed.error.code, "message": failed.error.message} if failed.error else None,
        "statuses_error_message": entry.error.message if entry.error else None,
        "wait_many": {i: r.status for i, r in results.items()},
        "wait_many_failure": results[failed.lipsync_id].failure_message if failed.lipsync_id else None,
    }


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in [
        Scenario("create", create, "create a lipsync from two local files (uploaded first)"),
        Scenario("get", get, "create, then get it"),
        Scenario("list_pages", list_pages, "list one page, then iterate across pages (page size 2)"),
        Scenario("update", update, "rename a lipsync"),
        Scenario("delete", delete, "delete a lipsync, then get it (404)"),
        Scenario("upload_small", upload_small, "multipart upload to POST /v3/assets"),
        Scenario(
            "upload_large", upload_large, "direct upload: presign, PUT to storage, complete (forced for a small file)"
        ),
        Scenario("error_400", error_400, "create with unknown asset ids: 400 invalid_parameter", max_retries=0),
        Scenario("error_401", error_401, "a wrong API key: 401", max_retries=0, wrong_key=True),
        Scenario("error_404", error_404, "get an unknown id: 404", max_retries=0),
        Scenario("asset_missing", asset_missing, "look up an unknown asset id: 404", max_retries=0),
        Scenario(
            "error_429",
            error_429,
            "a second job over the concurrency cap: 429 with Retry-After",
            sandbox_overrides={"max_concurrent_jobs": 1, "pending_seconds": 30.0},
            max_retries=0,
            live=False,
        ),
        Scenario("wait_completed", wait_completed, "create, wait to completed, download"),
        Scenario("wait_failed", wait_failed, "create a job that fails, wait: JobFailedError"),
        Scenario("asset_get", asset_get, "upload, then GET /v3/assets/{asset_id}"),
        Scenario("asset_statuses", asset_statuses, "a direct upload waited out of processing, then asset statuses"),
        Scenario("asset_delete", asset_delete, "upload, DELETE /v3/assets/{asset_id}, then get it (404)"),
        Scenario("account", account, "GET /v3/users/me: billing type and wallet"),
        Scenario(
            "batch_failed_item",
            batch_failed_item,
            "a batch of two, one item fails: its error object in the batch, the statuses and wait_many",
        ),
    ]
}
