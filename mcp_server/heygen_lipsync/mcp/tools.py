"""The job tools: each parses its arguments, makes one library call and shapes the result.

What the model reads about each tool (title, description, annotations) is in ``TOOLS`` at
the end; the functions carry no docstrings of their own. Nothing escapes a tool: ``guarded``
turns every exception into a tool error. The creates spend through ``spending.spending``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve
from mcp_types import CallToolResult, ContentBlock, ResourceLink, ToolAnnotations
from pydantic import Field

from heygen_lipsync.errors import APIError, NotFoundError, ValidationError, WaitTimeoutError
from heygen_lipsync.mcp.asking import NotAsked, SpendApproval, ask_user
from heygen_lipsync.mcp.batch_wait import wait_bound
from heygen_lipsync.mcp.cost import MediaInfo
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.files import FileSandbox, off_loop
from heygen_lipsync.mcp.inputs import (
    ID_PATTERN,
    ApprovalToken,
    BatchCallbackUrl,
    BatchItemInput,
    ConfirmSpend,
    IdempotencyKey,
    LipsyncId,
    ask_before_items,
    build_request,
    build_requests,
    request_arguments,
)
from heygen_lipsync.mcp.progress import with_upload_progress
from heygen_lipsync.mcp.results import (
    BatchCreated,
    BatchInfo,
    BatchItemInfo,
    DeleteResult,
    DownloadInfo,
    LipsyncCreated,
    LipsyncInfo,
    LipsyncInfoResult,
    LipsyncList,
    UploadInfo,
    WaitResult,
)
from heygen_lipsync.mcp.spending import spending
from heygen_lipsync.mcp.state import AppState, guarded, ok, state_of

if TYPE_CHECKING:
    from heygen_lipsync.client import AsyncLipsyncClient
    from heygen_lipsync.models import DownloadResult, Lipsync
    from heygen_lipsync.request import LipsyncRequest

__all__ = ["TOOLS"]

NewJob = Annotated[
    bool,
    Field(
        description="Make a new job even when an identical earlier create exists (by default that job is "
        "returned with reused=true). Only when the user wants another copy."
    ),
]


DeleteUploads = Annotated[
    bool,
    Field(
        description="Delete the files this create uploads from HeyGen once the job is done: done by the "
        "download_lipsync call that saves it (assets passed by id, or still used by another job, are kept)."
    ),
]


async def _delete_uploads_if_asked(state: AppState, client: AsyncLipsyncClient, lipsync_id: str) -> str:
    """Apply create_lipsync's delete_uploads wish for a finished job; the sentence that says so, or ""."""
    if lipsync_id not in state.delete_uploads_when_finished:
        return ""
    try:
        deleted = await client.delete_uploads(lipsync_id)
    except APIError as exc:  # kept: the next wait/download call tries again
        return f" Its uploads could not be deleted yet ({exc}); the next call tries again."
    state.delete_uploads_when_finished.discard(lipsync_id)
    return f" Deleted its uploads from HeyGen: {', '.join(deleted)}." if deleted else " It had no uploads to delete."


@request_arguments()
async def _ask_before_create(ctx: Context, **values: Any) -> Elicit[SpendApproval] | NotAsked:
    return await ask_user(ctx, lambda state: [build_request(state.files, values)])


def _upload_size(request: LipsyncRequest) -> int:
    """The bytes a create uploads: its files' sizes when they were opened (no path is read again)."""
    return sum(getattr(source.path, "size", 0) for source in request.file_sources.values())


@guarded
@request_arguments(after="approval")
async def create_lipsync(
    ctx: Context,
    approval: Annotated[ElicitationResult[SpendApproval], Resolve(_ask_before_create)],
    idempotency_key: IdempotencyKey = None,
    confirm_spend: ConfirmSpend = False,
    approval_token: ApprovalToken = None,
    new_job: NewJob = False,
    delete_uploads: DeleteUploads = False,
    **values: Any,  # every create argument, from the field table (request_arguments)
) -> Annotated[CallToolResult, LipsyncCreated]:
    state = state_of(ctx)
    client = await state.require_client()
    request = await off_loop(build_request, state.files, values)
    async with spending(
        ctx,
        [request],
        approval,
        confirm_spend=confirm_spend,
        approval_token=approval_token,
        idempotency_key=idempotency_key,
        new_job=new_job,
    ) as spend:
        (job,) = spend.jobs
        outcome = await with_upload_progress(
            ctx,
            _upload_size(job.request),
            state.settings.poll_interval,
            lambda relay: client.submit(
                job, idempotency_key=idempotency_key, on_upload_progress=relay, new_job=new_job,
                approve=spend.approval,
            ),
        )  # fmt: skip
        spend.created(reused=outcome.reused, idempotency_key=outcome.idempotency_key)
    lipsync_id = outcome.id
    step = f"The job is running (it usually takes minutes). Call wait_for_lipsync with lipsync_id={lipsync_id!r}"
    if outcome.reused:
        step = "An identical request was made earlier: this is its job, nothing new was spent (new_job=true makes "
        step += f"another). Call wait_for_lipsync with lipsync_id={lipsync_id!r}"
    if delete_uploads:
        # MCP create returns at once: the wish is applied by the call that sees the job finished.
        state.delete_uploads_when_finished.add(lipsync_id)
        step = "Its uploads are deleted by the download_lipsync call that saves it. " + step
    return ok(
        LipsyncCreated(
            lipsync_id=lipsync_id,
            reused=outcome.reused,
            next_step=step + "; call it again while still_running is true.",
            **spend.outcome(),
        )
    )


@guarded
async def get_lipsync(ctx: Context, lipsync_id: LipsyncId) -> Annotated[CallToolResult, LipsyncInfoResult]:
    client = await state_of(ctx).require_client()
    lipsync = await client.get(lipsync_id)
    return ok(LipsyncInfoResult(lipsync=LipsyncInfo.of(lipsync), next_step=_next_for_status(lipsync)))


def _next_for_status(lipsync: Lipsync) -> str:
    if lipsync.is_completed:
        return f"Completed: call download_lipsync with lipsync_id={lipsync.id!r} to save the video locally."
    if lipsync.is_failed:
        return "Failed: tell the user the failure_message; a new job needs create_lipsync (and credits) again."
    return f"Still {lipsync.status}: call wait_for_lipsync with lipsync_id={lipsync.id!r}."


@guarded
async def list_lipsyncs(
    ctx: Context,
    limit: Annotated[int, Field(ge=1, le=100, description="Jobs per page (1-100).")] = 10,
    token: Annotated[str | None, Field(description="next_token from the previous page.")] = None,
) -> Annotated[CallToolResult, LipsyncList]:
    client = await state_of(ctx).require_client()
    page = await client.list(limit=limit, token=token)
    more = page.has_more and page.next_token
    return ok(
        LipsyncList.of(
            page,
            next_step="More jobs exist: call list_lipsyncs again with token=next_token."
            if more
            else "That is every job. Use get_lipsync, wait_for_lipsync or download_lipsync with an id.",
        )
    )


@guarded
async def update_lipsync(
    ctx: Context,
    lipsync_id: LipsyncId,
    title: Annotated[str, Field(min_length=1, max_length=255, description="The new title.")],
) -> Annotated[CallToolResult, LipsyncInfoResult]:
    client = await state_of(ctx).require_client()
    lipsync = await client.update(lipsync_id, title=title)
    return ok(LipsyncInfoResult(lipsync=LipsyncInfo.of(lipsync), next_step="Renamed. " + _next_for_status(lipsync)))


@guarded
async def delete_lipsync(ctx: Context, lipsync_id: LipsyncId) -> Annotated[CallToolResult, DeleteResult]:
    state = state_of(ctx)
    client = await state.require_client()
    ledger = client.ledger
    try:
        deleted = await client.delete(lipsync_id)
    except NotFoundError:
        # "Already gone" only for a job this install saw deleted (a retry after a lost answer); an
        # id HeyGen does not know is not a deletion, or a mistyped id would read as a success.
        record = await off_loop(ledger.find_by_id, lipsync_id) if ledger is not None else None
        made_here = record is not None and record.lipsync_id == lipsync_id
        if lipsync_id in state.deleted_ids or (made_here and record is not None and record.status == "deleted"):
            step = "That job is already gone: an earlier call deleted it. Nothing else to do."
            return ok(DeleteResult(deleted_id=lipsync_id, already_gone=True, next_step=step))
        raise _not_on_heygen(lipsync_id, made_here) from None
    state.deleted_ids.add(deleted)
    if ledger is not None:
        await off_loop(ledger.set_status, deleted, "deleted")
    return ok(
        DeleteResult(
            deleted_id=deleted,
            next_step="Deleted on HeyGen; files already downloaded stay on disk. Nothing else to do.",
        )
    )


def _not_on_heygen(lipsync_id: str, made_here: bool) -> ToolFailure:
    if made_here:
        return ToolFailure(
            "not_found",
            f"lipsync {lipsync_id} is not on HeyGen any more: this install created it, but it was deleted elsewhere "
            "(not by this server) or has expired; nothing was deleted now",
            param="lipsync_id",
            next_action="Tell the user that job no longer exists on HeyGen; there is nothing left to delete.",
        )
    return ToolFailure(
        "not_found",
        f"there is no lipsync {lipsync_id!r} on this account; nothing was deleted",
        param="lipsync_id",
        next_action="Check the id: list_lipsyncs shows this account's jobs. Do not tell the user a job was deleted.",
    )


class _WaitProgress:
    """wait_for_lipsync's progress notifications: increasing, bounded by the wait, saying the job's status.

    A job seen finished is reported as complete (progress == total) at that poll, so a client's
    bar does not creep on towards the wait's end after the work is done.
    """

    def __init__(self, ctx: Context, bound: float) -> None:
        self.ctx, self.bound, self.last, self.waited = ctx, bound, -1.0, 0.0

    async def __call__(self, lipsync: Lipsync, elapsed: float) -> None:
        self.waited = elapsed
        # Progress must increase; the polls' elapsed times do, but guard against a repeat.
        value = self.bound if lipsync.is_finished else round(min(max(elapsed, self.last + 0.001), self.bound), 3)
        if value > self.last:
            self.last = value
            await self.ctx.report_progress(
                value, self.bound, f"{lipsync.id} is {lipsync.status} (waited {elapsed:.0f} s)"
            )


@guarded
async def wait_for_lipsync(
    ctx: Context,
    lipsync_id: LipsyncId,
    timeout_seconds: Annotated[
        float | None,
        Field(gt=0, description="Seconds this call may wait (see the description)."),
    ] = None,
) -> Annotated[CallToolResult, WaitResult]:
    state = state_of(ctx)
    client = await state.require_client()
    bound, cut = wait_bound(ctx, timeout_seconds)
    progress = _WaitProgress(ctx, bound)
    try:
        lipsync = await client.wait(
            lipsync_id, timeout=bound, on_progress=progress, poll_interval=state.settings.poll_interval
        )
    except WaitTimeoutError as exc:
        return _still_running(lipsync_id, exc, bound, cut)
    # Read-only: it never deletes (hosts run read-only tools unasked). A delete_uploads wish is
    # applied by download_lipsync, which the next step names.
    later = (
        " download_lipsync also deletes its uploads, as asked."
        if lipsync_id in state.delete_uploads_when_finished
        else ""
    )
    finished = LipsyncInfo.of(lipsync)
    result = WaitResult(
        lipsync_id=lipsync.id,
        status=lipsync.status,
        still_running=False,
        waited_seconds=round(progress.waited, 1),
        lipsync=finished,
        timeout_note=cut,
        next_step=_next_for_status(lipsync) + (later if lipsync.is_completed else ""),
    )
    return ok(result)


def _still_running(lipsync_id: str, exc: WaitTimeoutError, bound: float, cut: str | None) -> CallToolResult:
    return ok(
        WaitResult(
            lipsync_id=lipsync_id,
            status=exc.last_status or "running",
            still_running=True,
            waited_seconds=round(exc.elapsed, 1),
            timeout_note=cut,
            next_step=(cut + ". " if cut else "")
            + f"Still running, not failed: this call waits at most {bound:g} s. Tell the user it is in "
            f"progress, then call wait_for_lipsync again with lipsync_id={lipsync_id!r}.",
        )
    )


@guarded
async def upload_asset(
    ctx: Context,
    path: Annotated[str, Field(min_length=1, description="Local media file inside the allowed directories.")],
    idempotency_key: IdempotencyKey = None,
) -> Annotated[CallToolResult, UploadInfo]:
    state = state_of(ctx)
    client = await state.require_client()
    local = await off_loop(state.files.input_file, path, param="path")  # opened: the upload reads it
    try:
        asset = await with_upload_progress(
            ctx,
            local.size,
            state.settings.poll_interval,
            lambda relay: client.upload(local, idempotency_key=idempotency_key, on_progress=relay),
        )
        audio_type = await off_loop(_local_audio_type, local)  # while the opened file is still open
    except ValidationError as exc:
        arg = "idempotency_key" if exc.field == "idempotency_key" else "path"
        raise ToolFailure("invalid_argument", exc.reason, param=arg, next_action=f"Fix {arg} and call again.") from None
    finally:
        local.close()
    argument = "audio_asset_id" if audio_type else "video_asset_id"  # a WAV is never a video
    step = f"Pass {argument}={asset.asset_id!r} to create_lipsync."
    mime = audio_type if audio_type and not (asset.mime_type or "").startswith("audio/") else asset.mime_type
    # What the file holds (PyAV reads it now, off the event loop); a create from the asset is priced from it.
    probe = await off_loop(client.remembered_probe, asset.asset_id)
    media = MediaInfo.of(probe) if probe is not None else None
    return ok(UploadInfo.of(asset, path=str(local), mime_type=mime, media=media, next_step=step))


_AUDIO_SUFFIXES = frozenset({".m4a", ".mp3", ".wav", ".aac", ".ogg", ".flac", ".opus"})


def _local_audio_type(local: Path) -> str | None:
    """The file's audio media type when it is audio (by content, then name); None for a video.

    The local file decides, not the upload's reported type: an .m4a is an MP4 container that
    HeyGen may report as video/mp4, but it holds only sound. Blocking: run it off the loop.
    """
    from heygen_lipsync.sources import sniff_media_type

    sniffed = sniff_media_type(local) or ""
    if sniffed.startswith("audio/"):
        return sniffed
    if local.suffix.lower() in _AUDIO_SUFFIXES:
        return "audio/mp4" if local.suffix.lower() == ".m4a" else sniffed or f"audio/{local.suffix.lower()[1:]}"
    return None


_VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".webm", ".mkv"})


def _with_extension(filename: str | None) -> tuple[str | None, str | None]:
    """The filename the video is saved under, and a note when it was changed.

    The video always keeps a video extension: "dubbed_fr" gets .mp4 (a file no player would
    recognise otherwise), and "notes.txt" or "talk.srt" become .mp4 too, so the MP4 is never
    saved as text and the captions' own file (<stem>.srt beside it) can never be the video.
    """
    named = (filename or "").strip()
    if not named or named.endswith(("/", "\\", ".")):
        return filename, None
    suffix = Path(named).suffix
    if not suffix:
        return named + ".mp4", None
    if suffix.lower() in _VIDEO_SUFFIXES:
        return filename, None
    fixed = named[: -len(suffix)] + ".mp4"
    return fixed, f"filename {named!r} is not a video name, so the video was saved as {Path(fixed).name!r}"


def _destination(files: FileSandbox, filename: str | None, default: str, *, overwrite: bool, captions: bool) -> Path:
    dest = files.output_file(filename, default_name=default, overwrite=overwrite, param="filename")
    if captions:
        files.output_file(str(dest.with_suffix(".srt")), default_name="", overwrite=overwrite, param="filename")
    return files.open_output(dest, param="filename")  # written through its folder's descriptor


def _sizes(result: DownloadResult) -> tuple[int, int]:
    video = Path(result.video_path).stat().st_size
    caption = Path(result.caption_path).stat().st_size if result.caption_path else 0
    return video, caption


def _saved(
    lipsync_id: str, result: DownloadResult, sizes: tuple[int, int], note: str | None, deleted: str = ""
) -> CallToolResult:
    video = Path(result.video_path)
    caption = Path(result.caption_path) if result.caption_path else None
    links: list[ContentBlock] = [
        ResourceLink(type="resource_link", uri=video.as_uri(), name=video.name, mime_type="video/mp4")
    ]
    if caption is not None:
        links.append(
            ResourceLink(
                type="resource_link", uri=caption.as_uri(), name=caption.name, mime_type="application/x-subrip"
            )
        )
    info = DownloadInfo(
        lipsync_id=lipsync_id,
        video_path=str(video),
        caption_path=str(caption) if caption else None,
        bytes_written=result.bytes_written,
        video_bytes=sizes[0],
        caption_bytes=sizes[1] if caption else None,
        filename_note=note,
        next_step=(note + ". " if note else "")
        + f"Saved. Tell the user where: {video}"
        + (f" (captions: {caption})." if caption else ".")
        + deleted,
    )
    return ok(info, *links)


@guarded
async def download_lipsync(
    ctx: Context,
    lipsync_id: LipsyncId,
    filename: Annotated[
        str | None,
        Field(
            description="File name in the output directory (default <lipsync_id>.mp4; always a video extension). "
            "Captions go beside it as <name>.srt."
        ),
    ] = None,
    overwrite: Annotated[bool, Field(description="Replace an existing file (only if the user agrees).")] = False,
    captions: Annotated[bool, Field(description="Also save the job's SRT captions.")] = True,
) -> Annotated[CallToolResult, DownloadInfo]:
    state = state_of(ctx)
    client = await state.require_client()
    (filename, renamed), default = _with_extension(filename), f"{lipsync_id}.mp4"
    # Where it would go first (overwrite=True: only the location is checked), then the job: for an
    # unfinished job "wait" is the answer, not "that file exists, overwrite?".
    await off_loop(state.files.output_file, filename, default_name=default, overwrite=True, param="filename")
    lipsync = await client.get(lipsync_id)
    if not lipsync.is_completed:
        failure = f": {lipsync.failure_message}" if lipsync.failure_message else ""
        if lipsync.is_failed:
            message = f"lipsync {lipsync_id} failed{failure}; there is no video to download"
        else:
            message = f"lipsync {lipsync_id} has not finished yet (status: {lipsync.status}); nothing to download yet"
        raise ToolFailure("not_completed", message, param="lipsync_id", next_action=_next_for_status(lipsync))
    with_captions = bool(captions and lipsync.caption_url)
    dest = await off_loop(_destination, state.files, filename, default, overwrite=overwrite, captions=with_captions)
    result = await client.download(lipsync, dest, overwrite=overwrite, captions=with_captions)
    deleted = await _delete_uploads_if_asked(state, client, lipsync_id)
    return _saved(lipsync_id, result, await off_loop(_sizes, result), renamed, deleted)


@guarded
async def create_lipsync_batch(
    ctx: Context,
    approval: Annotated[ElicitationResult[SpendApproval], Resolve(ask_before_items)],
    items: Annotated[
        list[BatchItemInput],
        Field(min_length=1, max_length=100, description="1-100 jobs, each with the same inputs as create_lipsync."),
    ],
    title: Annotated[str | None, Field(min_length=1, max_length=255, description="A name for the batch.")] = None,
    callback_url: BatchCallbackUrl = None,
    idempotency_key: IdempotencyKey = None,
    confirm_spend: ConfirmSpend = False,
    approval_token: ApprovalToken = None,
    new_job: NewJob = False,
) -> Annotated[CallToolResult, BatchCreated]:
    state = state_of(ctx)
    client = await state.require_client()
    requests = await off_loop(build_requests, state.files, items)
    async with spending(
        ctx,
        requests,
        approval,
        confirm_spend=confirm_spend,
        approval_token=approval_token,
        idempotency_key=idempotency_key,
        new_job=new_job,
        kind="batch",
        identity=f"{title}\n{callback_url}",
    ) as spend:
        outcome = await client.submit_batch(
            spend.jobs,
            title=title,
            callback_url=callback_url,
            idempotency_key=idempotency_key,
            new_job=new_job,
            approve=spend.approval,
        )
        spend.created(reused=outcome.reused, idempotency_key=outcome.idempotency_key)
    batch_id = outcome.id
    state.batches.remember(batch_id, [item.model_dump() for item in items])
    step = f"The batch is running. Call wait_for_lipsync_batch with batch_id={batch_id!r} to wait for it; each "
    step += "item's lipsync_id works with wait_for_lipsync and download_lipsync."
    if outcome.reused:
        step = "An identical batch was made earlier: this is it, nothing new was spent (new_job=true makes another). "
        step += f"Call wait_for_lipsync_batch with batch_id={batch_id!r}."
    return ok(
        BatchCreated(batch_id=batch_id, items=len(items), reused=outcome.reused, next_step=step, **spend.outcome())
    )


@guarded
async def get_lipsync_batch(
    ctx: Context,
    batch_id: Annotated[str, Field(min_length=1, max_length=200, pattern=ID_PATTERN, description="The batch id.")],
    limit: Annotated[int | None, Field(ge=1, le=100, description="Items per page (1-100).")] = None,
    token: Annotated[str | None, Field(description="next_token from the previous page of items.")] = None,
) -> Annotated[CallToolResult, BatchInfo]:
    state = state_of(ctx)
    client = await state.require_client()
    batch = await client.get_batch(batch_id, limit=limit, token=token)
    if batch.has_more and batch.next_token:
        step = "More items: call get_lipsync_batch again with token=next_token."
    elif batch.status == "processing":
        step = f"Still processing: call wait_for_lipsync_batch with batch_id={batch_id!r} to wait for it."
    else:
        step = "Finished: call download_lipsync for each completed item's lipsync_id."
    items = [BatchItemInfo.of(item, **vars(state.batches.label(batch_id, item.item_index))) for item in batch.items]
    return ok(BatchInfo.of(batch, items=items, next_step=step))


_READ = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)

# name, function, title, annotations, description
TOOLS: tuple[tuple[str, Callable[..., Any], str, ToolAnnotations, str], ...] = (
    (
        "create_lipsync",
        create_lipsync,
        "Create a lipsync (dub a video)",
        # Adds a new job and spends credits; never changes or removes anything. Not idempotent:
        # each call is a new paid job (unless the same idempotency_key is reused).
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True),
        "Start a HeyGen lipsync job: re-animate the speaker's lips in a video to match new audio. Use it when the "
        "user wants a video dubbed or re-voiced. Give exactly one video source (video_url, video_asset_id or "
        "video_path) and exactly one audio source (audio_url, audio_asset_id or audio_path); local paths are "
        "uploaded first (relative ones start at the first allowed directory, {first_dir}; list_media shows the "
        "files). At most {max_jobs} jobs per session. This SPENDS the user's HeyGen credits: the server shows a cost "
        "estimate and asks the user, "
        "or, when it cannot ask, refuses until you call again with confirm_spend=true after the user agreed. "
        "Returns the lipsync_id at once, without waiting. Next: wait_for_lipsync with that id.",
    ),
    (
        "get_lipsync",
        get_lipsync,
        "Get a lipsync job",
        _READ,
        "One job's status now, without waiting (when completed: duration and a download link). Next: "
        "wait_for_lipsync while it runs, download_lipsync when completed.",
    ),
    (
        "list_lipsyncs",
        list_lipsyncs,
        "List lipsync jobs",
        _READ,
        "The account's jobs, newest first, a page at a time: to find a job's id. has_more: call again with "
        "token=next_token.",
    ),
    (
        "update_lipsync",
        update_lipsync,
        "Rename a lipsync job",
        # Replaces only the title label; the same call twice leaves the same state.
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True),
        "Change a job's title (the only field that can change), when the user wants a job renamed.",
    ),
    (
        "delete_lipsync",
        delete_lipsync,
        "Delete a lipsync job",
        ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True),
        "Permanently delete a lipsync job and its output on HeyGen, only when the user asked; cannot be undone. "
        "Downloaded files are kept. Repeating it is safe (already_gone: true); an id HeyGen does not know is a "
        "not_found error, so nothing was deleted.",
    ),
    (
        "wait_for_lipsync",
        wait_for_lipsync,
        "Wait for a lipsync job",
        # Only polls; the job runs on HeyGen's side whether or not anyone waits.
        _READ,
        "Wait for a job to finish, with progress notifications: default {wait:g} s, timeout_seconds at most "
        "{max_wait:g} s (longer is cut; many clients give up on a call after 60 s). Jobs take minutes: "
        "still_running: true is not "
        "an error; tell the user and call again. Completed: next download_lipsync. Failed: an error with "
        "HeyGen's reason.",
    ),
    (
        "upload_asset",
        upload_asset,
        "Upload a local file to HeyGen",
        # Creates a new asset each call (unless idempotency_key is reused); changes nothing local.
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True),
        "Upload a local file (inside {dirs}) for an asset id, to reuse one file in several jobs (for one job, "
        "give create_lipsync video_path/audio_path). Next: create_lipsync with video_asset_id or audio_asset_id.",
    ),
    (
        "download_lipsync",
        download_lipsync,
        "Download a finished lipsync video",
        # Writes a new local file; it replaces an existing one only when overwrite=true is passed
        # explicitly, so it is not marked destructive. Repeating it leaves the same file.
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True),
        "Save a completed job's video (and SRT captions, if any) in {output}; returns the path. Never "
        "overwrites a file unless overwrite=true. Next: tell the user where it is.",
    ),
    (
        "create_lipsync_batch",
        create_lipsync_batch,
        "Create a batch of lipsync jobs",
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True),
        "Start 1-100 lipsync jobs in one request (e.g. one video dubbed into several languages). Each item takes "
        "the same inputs as create_lipsync. SPENDS credits for every item: the same cost confirmation applies "
        "(confirm_spend=true only after the user agreed). Every item counts towards the session's {max_jobs}-job cap. "
        "Returns a batch_id. Next: wait_for_lipsync_batch.",
    ),
    (
        "get_lipsync_batch",
        get_lipsync_batch,
        "Get a batch's progress",
        _READ,
        "A batch's progress now, without waiting: counts and each item's status and lipsync_id. To wait: "
        "wait_for_lipsync_batch; then download_lipsync each completed item.",
    ),
)
