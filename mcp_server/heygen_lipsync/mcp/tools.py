"""The job tools: each parses its arguments, makes one library call and shapes the result.

What the model reads about each tool (title, description, annotations) is in ``TOOLS`` at
the end; the functions carry no docstrings of their own. Nothing escapes a tool: ``guarded``
turns every exception into a tool error. The creates spend through ``spending.spending``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import Field

from heygen_lipsync.errors import NotFoundError, WaitTimeoutError
from heygen_lipsync.mcp.asking import NotAsked, SpendApproval, ask_user
from heygen_lipsync.mcp.batch_wait import wait_bound
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.files import off_loop
from heygen_lipsync.mcp.inputs import (
    ApprovalToken,
    ConfirmSpend,
    IdempotencyKey,
    LipsyncId,
    NewJob,
    build_request,
    request_arguments,
)
from heygen_lipsync.mcp.progress import with_upload_progress
from heygen_lipsync.mcp.results import (
    DeleteResult,
    LipsyncCreated,
    LipsyncInfo,
    LipsyncInfoResult,
    LipsyncList,
    WaitResult,
    priced,
)
from heygen_lipsync.mcp.spending import spending
from heygen_lipsync.mcp.state import guarded, ok, state_of
from heygen_lipsync.mcp.tools_batch import create_lipsync_batch, get_lipsync_batch
from heygen_lipsync.mcp.tools_files import download_lipsync, next_for_status, upload_asset

if TYPE_CHECKING:
    from heygen_lipsync.models import Lipsync
    from heygen_lipsync.request import LipsyncRequest

__all__ = ["TOOLS"]


DeleteUploads = Annotated[
    bool,
    Field(
        description="Delete this job's uploads from HeyGen once download_lipsync saves it (assets given by id "
        "or used elsewhere stay)."
    ),
]


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
    return ok(LipsyncInfoResult(lipsync=await priced(state_of(ctx), lipsync), next_step=next_for_status(lipsync)))


@guarded
async def list_lipsyncs(
    ctx: Context,
    limit: Annotated[int, Field(ge=1, le=100, description="Jobs per page.")] = 10,
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
    return ok(LipsyncInfoResult(lipsync=LipsyncInfo.of(lipsync), next_step="Renamed. " + next_for_status(lipsync)))


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
    finished = await priced(state, lipsync)
    result = WaitResult(
        lipsync_id=lipsync.id,
        status=lipsync.status,
        still_running=False,
        waited_seconds=round(progress.waited, 1),
        lipsync=finished,
        timeout_note=cut,
        next_step=next_for_status(lipsync) + (later if lipsync.is_completed else ""),
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
        "Dub a video: re-animate the speaker's lips to match new audio. Give exactly one video_* and one audio_* "
        "source; local paths are uploaded (relative ones start at the first allowed directory, {first_dir}; see "
        "list_media). At most {max_jobs} jobs per session. SPENDS the user's credits: the server asks the user, "
        "or refuses with a cost preview: call again with confirm_spend=true and its approval_token once the user "
        "agreed. Returns the lipsync_id at once. Next: wait_for_lipsync.",
    ),
    (
        "get_lipsync",
        get_lipsync,
        "Get a lipsync job",
        _READ,
        "A job's status and cost now, without waiting. Next: wait_for_lipsync while it runs, download_lipsync "
        "once completed.",
    ),
    (
        "list_lipsyncs",
        list_lipsyncs,
        "List lipsync jobs",
        _READ,
        "The account's jobs, newest first, a page at a time (to find an id). has_more: call again with "
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
        "Permanently delete a job and its output on HeyGen, only when the user asked (downloaded files stay). "
        "Repeating it is safe (already_gone: true); an unknown id is a not_found error.",
    ),
    (
        "wait_for_lipsync",
        wait_for_lipsync,
        "Wait for a lipsync job",
        # Only polls; the job runs on HeyGen's side whether or not anyone waits.
        _READ,
        "Wait for a job to finish, with progress: default {wait:g} s, timeout_seconds at most {max_wait:g} s "
        "(longer is cut; many clients give up on a call after 60 s). Jobs take minutes: still_running: true is "
        "not an error: tell the user, call again. Completed: next download_lipsync; failed: an error saying why.",
    ),
    (
        "upload_asset",
        upload_asset,
        "Upload a local file to HeyGen",
        # Creates a new asset each call (unless idempotency_key is reused); changes nothing local.
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True),
        "Upload a local file for an asset id, to reuse it in several jobs (for one job, pass the path to "
        "create_lipsync). Next: create_lipsync with video_asset_id or audio_asset_id.",
    ),
    (
        "download_lipsync",
        download_lipsync,
        "Download a finished lipsync video",
        # Writes a new local file; it replaces an existing one only when overwrite=true is passed
        # explicitly, so it is not marked destructive. Repeating it leaves the same file.
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True),
        "Save a completed job's video (and SRT captions) in the output directory, never over an existing file "
        "unless overwrite=true. Next: tell the user the path it returns.",
    ),
    (
        "create_lipsync_batch",
        create_lipsync_batch,
        "Create a batch of lipsync jobs",
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True),
        "Start 1-100 lipsync jobs in one request (e.g. a video in several languages). SPENDS credits for each "
        "item, confirmed as in create_lipsync; each counts towards the session's {max_jobs}-job cap. Next: "
        "wait_for_lipsync_batch with the batch_id.",
    ),
    (
        "get_lipsync_batch",
        get_lipsync_batch,
        "Get a batch's progress",
        _READ,
        "A batch's progress now, without waiting: counts, each item's status and lipsync_id. Next: "
        "wait_for_lipsync_batch, then download_lipsync each completed item.",
    ),
)
