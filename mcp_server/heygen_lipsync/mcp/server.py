"""``build_server()``: the heygen-lipsync MCP server, independent of the transport it runs on.

A lifespan owns one ``LipsyncClient`` (and the embedded sandbox under ``--sandbox``). Each
tool is a thin shell over one library call: check the arguments and paths, call, shape the
result. Every failure goes through ``errors.error_result``. Heavy imports (the client, the
generated package, PyAV, the sandbox) happen inside the lifespan and the tools, so that
the server starts about as fast as an empty one.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

import pydantic
from mcp.server import MCPServer
from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, Resolve
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult, ContentBlock, InputRequiredResult, ResourceLink, TextContent, ToolAnnotations
from mcp_types.version import is_version_at_least
from pydantic import BaseModel, ConfigDict, Field

from heygen_lipsync import __version__
from heygen_lipsync.errors import ConfigurationError, HeyGenError, ValidationError, WaitTimeoutError
from heygen_lipsync.mcp.errors import ToolFailure, error_result
from heygen_lipsync.mcp.files import FileSandbox
from heygen_lipsync.mcp.results import (
    BatchCreated,
    BatchInfo,
    DeleteResult,
    DownloadInfo,
    LipsyncCreated,
    LipsyncInfo,
    LipsyncInfoResult,
    LipsyncList,
    UploadInfo,
    WaitResult,
)
from heygen_lipsync.mcp.settings import ServerSettings, load_server_settings
from heygen_lipsync.mcp.spend import (
    CONFIRM_SPEND_DESCRIPTION,
    CostEstimate,
    JobCounter,
    SpendApproval,
    audio_duration,
    estimate_cost,
)

if TYPE_CHECKING:
    import httpx

    from heygen_lipsync.client import LipsyncClient
    from heygen_lipsync.config import Settings
    from heygen_lipsync.sandbox import SandboxConfig
    from heygen_lipsync.sources import LipsyncRequest, MediaSource

__all__ = ["SERVER_NAME", "AppState", "build_server"]

logger = logging.getLogger("heygen_lipsync.mcp")

SERVER_NAME = "heygen-lipsync"
_DEFAULT_SESSION = "default"


@dataclass
class AppState:
    """What the lifespan hands every tool."""

    settings: ServerSettings
    files: FileSandbox
    jobs: JobCounter
    sandbox: bool
    client: LipsyncClient | None
    startup_error: HeyGenError | None
    secrets: tuple[str, ...]

    def require_client(self) -> LipsyncClient:
        """The client, or the configuration error that kept it from being built.

        Raises:
            HeyGenError: the client could not be built (e.g. no API key).
        """
        if self.client is None:
            raise self.startup_error or ConfigurationError("the HeyGen client is not available")
        return self.client


def _state(ctx: Context) -> AppState:
    return cast(AppState, ctx.request_context.lifespan_context)


def _session_key(ctx: Context) -> str:
    """One job counter per MCP session: the HTTP session id, or the process for stdio."""
    try:
        headers = ctx.headers
    except ValueError:
        return _DEFAULT_SESSION
    return (headers.get("mcp-session-id") if headers else None) or _DEFAULT_SESSION


def _ok(result: BaseModel, *extra: ContentBlock) -> CallToolResult:
    """A successful result: the model as structuredContent, and as JSON text for text-only clients."""
    text = TextContent(type="text", text=result.model_dump_json(exclude_none=True))
    return CallToolResult(content=[text, *extra], structured_content=result.model_dump(mode="json"))


def _guarded(fn: Callable[..., Awaitable[CallToolResult]]) -> Callable[..., Awaitable[CallToolResult]]:
    """Turn whatever a tool raises into a tool error (``errors.error_result``)."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> CallToolResult:
        try:
            return await fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the one boundary where every failure becomes a tool error
            secrets: tuple[str, ...] = ()
            for value in kwargs.values():
                if isinstance(value, Context):
                    with suppress(ValueError, AttributeError):
                        secrets = _state(value).secrets
            return error_result(exc, tool=fn.__name__, secrets=secrets)

    return wrapper


# --- argument types shared by create_lipsync and the batch items -------------------------------

_ID_PATTERN = r"^[^/\\?#\s]*[^/\\?#\s.][^/\\?#\s]*$"
LipsyncId = Annotated[str, Field(min_length=1, max_length=200, pattern=_ID_PATTERN, description="The lipsync id.")]
IdempotencyKey = Annotated[
    str | None,
    Field(
        default=None,
        pattern=r"^[A-Za-z0-9_:.-]{1,255}$",
        description="Optional key (1-255 of A-Z a-z 0-9 _ : . -). Reuse the same key when retrying after a network "
        "error or timeout, so the request is not run twice.",
    ),
]
ConfirmSpend = Annotated[bool, Field(default=False, description=CONFIRM_SPEND_DESCRIPTION)]
VideoUrl = Annotated[str | None, Field(default=None, description="Public https URL of the source video.")]
VideoAssetId = Annotated[str | None, Field(default=None, description="HeyGen asset id of the video (upload_asset).")]
VideoPath = Annotated[
    str | None,
    Field(default=None, description="Local video file (mp4, mov, webm) in the allowed directories; uploaded first."),
]
AudioUrl = Annotated[str | None, Field(default=None, description="Public https URL of the new audio.")]
AudioAssetId = Annotated[str | None, Field(default=None, description="HeyGen asset id of the audio (upload_asset).")]
AudioPath = Annotated[
    str | None,
    Field(
        default=None,
        description="Local audio file (mp3, wav, m4a, or a video with sound) inside the allowed directories; "
        "uploaded first. A local file lets the server estimate the cost.",
    ),
]
Title = Annotated[str | None, Field(default=None, min_length=1, max_length=255, description="A name for the job.")]
Mode = Annotated[
    Literal["speed", "precision"] | None,
    Field(default=None, description="speed (default, cheaper) or precision (better lips, about twice the price)."),
]
CallbackUrl = Annotated[
    str | None, Field(default=None, description="https URL HeyGen POSTs to when the job completes or fails.")
]
CallbackId = Annotated[str | None, Field(default=None, description="Your id, echoed back in the callback.")]
Flag = Annotated[bool | None, Field(default=None)]
Seconds = Annotated[float | None, Field(default=None, ge=0)]
FpsMode = Annotated[
    Literal["vfr", "cfr", "passthrough"] | None, Field(default=None, description="Frame-rate handling of the output.")
]
FolderId = Annotated[str | None, Field(default=None, description="HeyGen folder to file the result in.")]

_SOURCE_KINDS = ("url", "asset_id", "path")


class BatchItemInput(BaseModel):
    """One video of a batch: the same inputs as create_lipsync."""

    model_config = ConfigDict(extra="forbid")

    video_url: VideoUrl = None
    video_asset_id: VideoAssetId = None
    video_path: VideoPath = None
    audio_url: AudioUrl = None
    audio_asset_id: AudioAssetId = None
    audio_path: AudioPath = None
    title: Title = None
    mode: Mode = None
    callback_url: CallbackUrl = None
    callback_id: CallbackId = None
    enable_caption: Flag = None
    keep_the_same_format: Flag = None
    enable_dynamic_duration: Flag = None
    disable_music_track: Flag = None
    enable_speech_enhancement: Flag = None
    enable_watermark: Flag = None
    start_time: Seconds = None
    end_time: Seconds = None
    fps_mode: FpsMode = None
    folder_id: FolderId = None


_REQUEST_FIELDS = tuple(name for name in BatchItemInput.model_fields if not name.startswith(("video_", "audio_")))


def _source(files: FileSandbox, kind: str, values: dict[str, Any], prefix: str) -> tuple[MediaSource, str]:
    """The one source given for ``kind`` (video or audio), and the argument it came from."""
    from heygen_lipsync.sources import AssetSource, FileSource, UrlSource

    names = [f"{kind}_{suffix}" for suffix in _SOURCE_KINDS]
    given = [name for name in names if values.get(name) is not None]
    if len(given) != 1:
        got = "none was given" if not given else "got " + " and ".join(prefix + n for n in given)
        raise ToolFailure(
            "invalid_argument",
            f"give exactly one of {', '.join(prefix + n for n in names)}: {got}",
            param=prefix + (given[1] if len(given) > 1 else names[0]),
            next_action=f"Call again with exactly one {kind} source.",
        )
    name = given[0]
    value = str(values[name])
    if name.endswith("_url"):
        return UrlSource(value.strip()), name
    if name.endswith("_asset_id"):
        return AssetSource(value.strip()), name
    return FileSource(files.input_file(value, param=prefix + name)), name


def _build_request(files: FileSandbox, values: dict[str, Any], prefix: str = "") -> tuple[LipsyncRequest, Path | None]:
    """A validated library request from flattened arguments, and the local audio file if any.

    Raises:
        ToolFailure: a source is missing or doubled, a path is refused, or a value is invalid.
    """
    from heygen_lipsync.sources import FileSource, LipsyncRequest

    video, video_arg = _source(files, "video", values, prefix)
    audio, audio_arg = _source(files, "audio", values, prefix)
    request = LipsyncRequest(video=video, audio=audio, **{name: values.get(name) for name in _REQUEST_FIELDS})
    try:
        request.validate()
    except ValidationError as exc:
        root = exc.field.split(".")[0]
        arg = {"video": video_arg, "audio": audio_arg}.get(root, exc.field)
        raise ToolFailure(
            "invalid_argument",
            exc.reason,
            param=prefix + arg,
            next_action=f"Fix {prefix + arg} and call again.",
        ) from None
    return request, (audio.path if isinstance(audio, FileSource) else None)


async def _estimate(state: AppState, audio_files: Sequence[Path | None], mode: str | None) -> CostEstimate:
    import anyio.to_thread

    durations: list[float | None] = []
    for path in audio_files:
        durations.append(None if path is None else await anyio.to_thread.run_sync(audio_duration, path))
    return estimate_cost(durations, mode=mode, rate=state.settings.rate_for(mode))


# The first protocol revision that carries elicitation in InputRequiredResult.
_INPUT_REQUIRED_VERSION = "2026-07-28"


def _can_elicit(ctx: Context) -> bool:
    """Whether the client takes form elicitations (a bare ``elicitation: {}`` means form)."""
    caps = ctx.client_capabilities
    elicitation = caps.elicitation if caps is not None else None
    if elicitation is None or (elicitation.form is None and elicitation.url is not None):
        return False
    version = ctx.protocol_version
    if version is not None and is_version_at_least(version, _INPUT_REQUIRED_VERSION):
        return True  # asked through InputRequiredResult: works on every transport, stateless included
    # Older protocols ask mid-call over a back-channel, which stateless HTTP does not have.
    return bool(ctx.session.can_send_request)


class NotAsked:
    """The gate did not ask the user (sandbox, no elicitation, or arguments the tool will refuse)."""


def _approval_message(estimate: CostEstimate) -> str:
    return (
        f"{estimate.summary} This spends credits on your HeyGen account and cannot be undone once the job "
        "starts. Start it?"
    )


async def _ask(
    ctx: Context, jobs: int, build: Callable[[AppState], Awaitable[CostEstimate]]
) -> Elicit[SpendApproval] | NotAsked:
    state = _state(ctx)
    if state.sandbox or not _can_elicit(ctx):
        return NotAsked()
    try:
        state.jobs.check(_session_key(ctx), jobs)
        estimate = await build(state)
    except (ToolFailure, HeyGenError):
        return NotAsked()  # the tool body reports it; never ask the user about a request that will be refused
    return Elicit(_approval_message(estimate), SpendApproval)


def _check_approval(state: AppState, approval: object, confirm_spend: bool, estimate: CostEstimate) -> None:
    """Let the spend go ahead, or raise.

    Raises:
        ToolFailure: the user declined, or the model did not confirm when it had to.
    """
    if state.sandbox:
        return
    if isinstance(approval, AcceptedElicitation):
        if isinstance(approval.data, SpendApproval):
            if approval.data.approve:
                return
        elif confirm_spend:
            return
        else:
            raise ToolFailure(
                "confirmation_required",
                f"{estimate.summary} Nothing was created: this job spends the user's HeyGen credits and needs "
                "their approval.",
                param="confirm_spend",
                next_action="Tell the user the estimated cost and ask whether to go ahead. Only if they agree, "
                "call again with the same arguments and confirm_spend=true.",
            )
    raise ToolFailure(
        "spend_declined",
        f"The user did not approve the spend; nothing was created. ({estimate.summary})",
        next_action="Do not retry unless the user asks for it.",
    )


# --- tools --------------------------------------------------------------------------------------


async def _ask_before_create(
    ctx: Context,
    video_url: str | None,
    video_asset_id: str | None,
    video_path: str | None,
    audio_url: str | None,
    audio_asset_id: str | None,
    audio_path: str | None,
    mode: str | None,
) -> Elicit[SpendApproval] | NotAsked:
    values = dict(
        video_url=video_url,
        video_asset_id=video_asset_id,
        video_path=video_path,
        audio_url=audio_url,
        audio_asset_id=audio_asset_id,
        audio_path=audio_path,
    )

    async def build(state: AppState) -> CostEstimate:
        _, audio = _build_request(state.files, values)
        return await _estimate(state, [audio], mode)

    return await _ask(ctx, 1, build)


@_guarded
async def create_lipsync(
    ctx: Context,
    approval: Annotated[ElicitationResult[SpendApproval], Resolve(_ask_before_create)],
    video_url: VideoUrl = None,
    video_asset_id: VideoAssetId = None,
    video_path: VideoPath = None,
    audio_url: AudioUrl = None,
    audio_asset_id: AudioAssetId = None,
    audio_path: AudioPath = None,
    title: Title = None,
    mode: Mode = None,
    callback_url: CallbackUrl = None,
    callback_id: CallbackId = None,
    enable_caption: Annotated[bool | None, Field(description="Also produce SRT captions.")] = None,
    keep_the_same_format: Annotated[bool | None, Field(description="Keep the source's resolution/format.")] = None,
    enable_dynamic_duration: Annotated[bool | None, Field(description="Let output length follow the audio.")] = None,
    disable_music_track: Annotated[bool | None, Field(description="Drop the source's music track.")] = None,
    enable_speech_enhancement: Annotated[bool | None, Field(description="Clean up the new audio's speech.")] = None,
    enable_watermark: Annotated[bool | None, Field(description="Add HeyGen's watermark.")] = None,
    start_time: Annotated[float | None, Field(ge=0, description="Start of the video segment, seconds.")] = None,
    end_time: Annotated[float | None, Field(ge=0, description="End of the video segment, seconds.")] = None,
    fps_mode: FpsMode = None,
    folder_id: FolderId = None,
    idempotency_key: IdempotencyKey = None,
    confirm_spend: ConfirmSpend = False,
) -> Annotated[CallToolResult, LipsyncCreated]:
    values = dict(locals())
    state = _state(ctx)
    client = state.require_client()
    request, audio = _build_request(state.files, values)
    estimate = None if state.sandbox else await _estimate(state, [audio], mode)
    if estimate is not None:
        _check_approval(state, approval, confirm_spend, estimate)
    session = _session_key(ctx)
    state.jobs.check(session, 1)
    state.jobs.reserve(session, 1)
    created = False
    try:
        lipsync_id = await client.create(request, idempotency_key=idempotency_key)
        created = True
    finally:
        state.jobs.settle(session, 1, created=created)
    return _ok(
        LipsyncCreated(
            lipsync_id=lipsync_id,
            sandbox=state.sandbox,
            estimate=estimate,
            jobs_left_in_session=state.jobs.remaining(session),
            next_step=f"The job is running (it usually takes minutes). Call wait_for_lipsync with "
            f"lipsync_id={lipsync_id!r}; call it again while still_running is true.",
        )
    )


@_guarded
async def get_lipsync(ctx: Context, lipsync_id: LipsyncId) -> Annotated[CallToolResult, LipsyncInfoResult]:
    lipsync = await _state(ctx).require_client().get(lipsync_id)
    return _ok(LipsyncInfoResult(lipsync=LipsyncInfo.of(lipsync), next_step=_next_for_status(lipsync)))


def _next_for_status(lipsync: Any) -> str:
    if lipsync.is_completed:
        return f"Completed: call download_lipsync with lipsync_id={lipsync.id!r} to save the video locally."
    if lipsync.is_failed:
        return "Failed: tell the user the failure_message; a new job needs create_lipsync (and credits) again."
    return f"Still {lipsync.status}: call wait_for_lipsync with lipsync_id={lipsync.id!r}."


@_guarded
async def list_lipsyncs(
    ctx: Context,
    limit: Annotated[int, Field(ge=1, le=100, description="Jobs per page (1-100).")] = 10,
    token: Annotated[str | None, Field(description="next_token from the previous page.")] = None,
) -> Annotated[CallToolResult, LipsyncList]:
    page = await _state(ctx).require_client().list(limit=limit, token=token)
    return _ok(
        LipsyncList(
            items=[LipsyncInfo.of(item) for item in page.items],
            has_more=page.has_more,
            next_token=page.next_token,
            next_step=(
                "More jobs exist: call list_lipsyncs again with token=next_token."
                if page.has_more and page.next_token
                else "That is every job. Use get_lipsync, wait_for_lipsync or download_lipsync with an id."
            ),
        )
    )


@_guarded
async def update_lipsync(
    ctx: Context,
    lipsync_id: LipsyncId,
    title: Annotated[str, Field(min_length=1, max_length=255, description="The new title.")],
) -> Annotated[CallToolResult, LipsyncInfoResult]:
    lipsync = await _state(ctx).require_client().update(lipsync_id, title=title)
    return _ok(LipsyncInfoResult(lipsync=LipsyncInfo.of(lipsync), next_step="Renamed. " + _next_for_status(lipsync)))


@_guarded
async def delete_lipsync(ctx: Context, lipsync_id: LipsyncId) -> Annotated[CallToolResult, DeleteResult]:
    deleted = await _state(ctx).require_client().delete(lipsync_id)
    return _ok(
        DeleteResult(
            deleted_id=deleted,
            next_step="Deleted on HeyGen; files already downloaded stay on disk. Nothing else to do.",
        )
    )


@_guarded
async def wait_for_lipsync(
    ctx: Context,
    lipsync_id: LipsyncId,
    timeout_seconds: Annotated[
        float | None,
        Field(gt=0, description="How long this call may wait (seconds). Default and maximum: see the description."),
    ] = None,
) -> Annotated[CallToolResult, WaitResult]:
    state = _state(ctx)
    client = state.require_client()
    bound = min(timeout_seconds or state.settings.wait_seconds, state.settings.max_wait_seconds)
    last = -1.0

    async def progress(lipsync: Any, elapsed: float) -> None:
        nonlocal last
        # Progress must increase; the polls' elapsed times do, but guard against a repeat.
        value = round(min(max(elapsed, last + 0.001), bound), 3)
        if value > last:
            last = value
            await ctx.report_progress(value, bound, f"{lipsync.id}: {lipsync.status} after {elapsed:.0f} s")

    try:
        lipsync = await client.wait(
            lipsync_id, timeout=bound, on_progress=progress, poll_interval=state.settings.poll_interval
        )
    except WaitTimeoutError as exc:
        return _ok(
            WaitResult(
                lipsync_id=lipsync_id,
                status=exc.last_status or "running",
                still_running=True,
                waited_seconds=round(exc.elapsed, 1),
                next_step=f"Still running, not failed: this call waits at most {bound:g} s. Tell the user it is in "
                f"progress, then call wait_for_lipsync again with lipsync_id={lipsync_id!r}.",
            )
        )
    return _ok(
        WaitResult(
            lipsync_id=lipsync.id,
            status=lipsync.status,
            still_running=False,
            waited_seconds=round(max(last, 0.0), 1),
            lipsync=LipsyncInfo.of(lipsync),
            next_step=_next_for_status(lipsync),
        )
    )


@_guarded
async def upload_asset(
    ctx: Context,
    path: Annotated[str, Field(min_length=1, description="Local media file inside the allowed directories.")],
    idempotency_key: IdempotencyKey = None,
) -> Annotated[CallToolResult, UploadInfo]:
    state = _state(ctx)
    client = state.require_client()
    local = state.files.input_file(path, param="path")
    try:
        asset = await client.upload(local, idempotency_key=idempotency_key)
    except ValidationError as exc:
        arg = "idempotency_key" if exc.field == "idempotency_key" else "path"
        raise ToolFailure("invalid_argument", exc.reason, param=arg, next_action=f"Fix {arg} and call again.") from None
    return _ok(
        UploadInfo(
            asset_id=asset.asset_id,
            path=str(local),
            mime_type=asset.mime_type,
            size_bytes=asset.size_bytes,
            url=asset.url,
            next_step=f"Pass video_asset_id={asset.asset_id!r} or audio_asset_id={asset.asset_id!r} to create_lipsync.",
        )
    )


@_guarded
async def download_lipsync(
    ctx: Context,
    lipsync_id: LipsyncId,
    filename: Annotated[
        str | None,
        Field(description="File name inside the output directory (default <lipsync_id>.mp4)."),
    ] = None,
    overwrite: Annotated[bool, Field(description="Replace an existing file. Only with the user's go-ahead.")] = False,
    captions: Annotated[bool, Field(description="Also save the SRT captions when the job has them.")] = True,
) -> Annotated[CallToolResult, DownloadInfo]:
    state = _state(ctx)
    client = state.require_client()
    dest = state.files.output_file(filename, default_name=f"{lipsync_id}.mp4", overwrite=overwrite, param="filename")
    lipsync = await client.get(lipsync_id)
    if not lipsync.is_completed:
        raise ToolFailure(
            "not_completed",
            f"lipsync {lipsync_id} is {lipsync.status}, not completed"
            + (f": {lipsync.failure_message}" if lipsync.failure_message else ""),
            param="lipsync_id",
            next_action=_next_for_status(lipsync),
        )
    with_captions = bool(captions and lipsync.caption_url)
    if with_captions:
        state.files.output_file(str(dest.with_suffix(".srt")), default_name="", overwrite=overwrite, param="filename")
    dest.parent.mkdir(parents=True, exist_ok=True)
    result = await client.download(lipsync, dest, overwrite=overwrite, captions=with_captions)
    video = Path(result.video_path)
    links: list[ContentBlock] = [
        ResourceLink(type="resource_link", uri=video.as_uri(), name=video.name, mime_type="video/mp4")
    ]
    caption = Path(result.caption_path) if result.caption_path else None
    if caption is not None:
        links.append(
            ResourceLink(
                type="resource_link", uri=caption.as_uri(), name=caption.name, mime_type="application/x-subrip"
            )
        )
    return _ok(
        DownloadInfo(
            lipsync_id=lipsync_id,
            video_path=str(video),
            caption_path=str(caption) if caption else None,
            bytes_written=result.bytes_written,
            next_step=f"Saved. Tell the user where: {video}" + (f" (captions: {caption})." if caption else "."),
        ),
        *links,
    )


async def _ask_before_batch(ctx: Context, items: list[BatchItemInput]) -> Elicit[SpendApproval] | NotAsked:
    async def build(state: AppState) -> CostEstimate:
        audio = [_build_request(state.files, item.model_dump())[1] for item in items]
        return await _batch_estimate(state, audio, items)

    return await _ask(ctx, len(items), build)


async def _batch_estimate(state: AppState, audio: list[Path | None], items: list[BatchItemInput]) -> CostEstimate:
    modes = {item.mode or "speed" for item in items}
    # One rate per estimate: a mixed batch is priced at the dearer rate, so it never looks cheaper than it is.
    mode = "precision" if "precision" in modes else "speed"
    return await _estimate(state, audio, mode)


@_guarded
async def create_lipsync_batch(
    ctx: Context,
    approval: Annotated[ElicitationResult[SpendApproval], Resolve(_ask_before_batch)],
    items: Annotated[
        list[BatchItemInput],
        Field(min_length=1, max_length=100, description="1-100 jobs, each with the same inputs as create_lipsync."),
    ],
    title: Annotated[str | None, Field(min_length=1, max_length=255, description="A name for the batch.")] = None,
    callback_url: CallbackUrl = None,
    idempotency_key: IdempotencyKey = None,
    confirm_spend: ConfirmSpend = False,
) -> Annotated[CallToolResult, BatchCreated]:
    state = _state(ctx)
    client = state.require_client()
    built = [_build_request(state.files, item.model_dump(), prefix=f"items[{i}].") for i, item in enumerate(items)]
    estimate = None if state.sandbox else await _batch_estimate(state, [audio for _, audio in built], items)
    if estimate is not None:
        _check_approval(state, approval, confirm_spend, estimate)
    session = _session_key(ctx)
    state.jobs.check(session, len(items))
    state.jobs.reserve(session, len(items))
    created = False
    try:
        batch_id = await client.create_batch(
            [request for request, _ in built], title=title, callback_url=callback_url, idempotency_key=idempotency_key
        )
        created = True
    finally:
        state.jobs.settle(session, len(items), created=created)
    return _ok(
        BatchCreated(
            batch_id=batch_id,
            items=len(items),
            sandbox=state.sandbox,
            estimate=estimate,
            jobs_left_in_session=state.jobs.remaining(session),
            next_step=f"The batch is running. Call get_lipsync_batch with batch_id={batch_id!r} to follow it; each "
            "item's lipsync_id works with wait_for_lipsync and download_lipsync.",
        )
    )


@_guarded
async def get_lipsync_batch(
    ctx: Context,
    batch_id: Annotated[str, Field(min_length=1, max_length=200, pattern=_ID_PATTERN, description="The batch id.")],
    limit: Annotated[int | None, Field(ge=1, le=100, description="Items per page (1-100).")] = None,
    token: Annotated[str | None, Field(description="next_token from the previous page of items.")] = None,
) -> Annotated[CallToolResult, BatchInfo]:
    batch = await _state(ctx).require_client().get_batch(batch_id, limit=limit, token=token)
    if batch.has_more and batch.next_token:
        step = "More items: call get_lipsync_batch again with token=next_token."
    elif batch.status == "processing":
        step = f"Still processing: call get_lipsync_batch with batch_id={batch_id!r} again in a minute."
    else:
        step = "Finished: call download_lipsync for each completed item's lipsync_id."
    return _ok(BatchInfo.of(batch, step))


def dub_video(video: str, audio: str, mode: str = "speed") -> str:
    """Walk through dubbing one video: inputs, cost, create, wait, download."""
    return (
        f"Dub this video with HeyGen Lipsync so the speaker's lips match new audio.\n"
        f"Video: {video}\nAudio: {audio}\nMode: {mode}\n\n"
        "Steps:\n"
        "1. Decide each input's kind: an https URL -> video_url/audio_url; a local file -> video_path/audio_path "
        "(it must be inside the server's allowed directories; it is uploaded for you); a HeyGen asset id -> "
        "video_asset_id/audio_asset_id.\n"
        "2. Call create_lipsync with exactly one video source and one audio source"
        f" and mode={mode!r}. It spends the user's credits: if the result is a confirmation_required error, tell the "
        "user the estimated cost it reports and ask for approval; only after they agree, call again with "
        "confirm_spend=true. The call returns a lipsync_id at once.\n"
        "3. Call wait_for_lipsync with that id. Each call waits under a minute; while still_running is true, tell "
        "the user it is in progress and call it again.\n"
        "4. When it is completed, call download_lipsync and tell the user where the file was saved.\n"
        "If any tool returns an error, follow its 'Next' advice instead of guessing."
    )


# --- the server ----------------------------------------------------------------------------------

_READ = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)

# name, function, title, annotations, description
_TOOLS: tuple[tuple[str, Callable[..., Any], str, ToolAnnotations, str], ...] = (
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
        "uploaded first. This SPENDS the user's HeyGen credits: the server shows a cost estimate and asks the user, "
        "or, when it cannot ask, refuses until you call again with confirm_spend=true after the user agreed. "
        "Returns the lipsync_id at once, without waiting. Next: wait_for_lipsync with that id.",
    ),
    (
        "get_lipsync",
        get_lipsync,
        "Get a lipsync job",
        _READ,
        "Look up one lipsync job's status, title, and (when completed) its duration and download link. Use it to "
        "check on a job without waiting. Next: wait_for_lipsync while it runs, download_lipsync when completed.",
    ),
    (
        "list_lipsyncs",
        list_lipsyncs,
        "List lipsync jobs",
        _READ,
        "List the account's lipsync jobs, newest first, one page at a time. Use it to find a job's id. When "
        "has_more is true, call again with token=next_token for the next page.",
    ),
    (
        "update_lipsync",
        update_lipsync,
        "Rename a lipsync job",
        # Replaces only the title label; the same call twice leaves the same state.
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True),
        "Change a lipsync job's title (the only editable field). Use it when the user wants a job renamed.",
    ),
    (
        "delete_lipsync",
        delete_lipsync,
        "Delete a lipsync job",
        ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True),
        "Permanently delete a lipsync job and its output on HeyGen. Only when the user asked for it; it cannot be "
        "undone. Local files saved by download_lipsync are kept.",
    ),
    (
        "wait_for_lipsync",
        wait_for_lipsync,
        "Wait for a lipsync job",
        # Only polls; the job runs on HeyGen's side whether or not anyone waits.
        _READ,
        "Wait for a lipsync job to finish, for a bounded time (default {wait:g} s, at most {max_wait:g} s via "
        "timeout_seconds), sending progress notifications while it waits. Jobs usually take minutes. If the time "
        "runs out the result says still_running: true (not an error): tell the user and call it again. When "
        "completed, next: download_lipsync. A failed job comes back as an error with HeyGen's reason.",
    ),
    (
        "upload_asset",
        upload_asset,
        "Upload a local file to HeyGen",
        # Creates a new asset each call (unless idempotency_key is reused); changes nothing local.
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True),
        "Upload a local media file (inside the allowed directories: {dirs}) and get a HeyGen asset id. Use it to "
        "reuse one file in several jobs; for a single job, pass video_path/audio_path to create_lipsync instead. "
        "Next: create_lipsync with video_asset_id or audio_asset_id.",
    ),
    (
        "download_lipsync",
        download_lipsync,
        "Download a finished lipsync video",
        # Writes a new local file; it replaces an existing one only when overwrite=true is passed
        # explicitly, so it is not marked destructive. Repeating it leaves the same file.
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True),
        "Save a completed lipsync's video (and its SRT captions, when it has them) into the output directory "
        "({output}). Returns the local path and a resource link. Never overwrites an existing file unless "
        "overwrite=true. Next: tell the user where the file is.",
    ),
    (
        "create_lipsync_batch",
        create_lipsync_batch,
        "Create a batch of lipsync jobs",
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True),
        "Start 1-100 lipsync jobs in one request (e.g. one video dubbed into several languages). Each item takes "
        "the same inputs as create_lipsync. SPENDS credits for every item: the same cost confirmation applies "
        "(confirm_spend=true only after the user agreed). Returns a batch_id. Next: get_lipsync_batch.",
    ),
    (
        "get_lipsync_batch",
        get_lipsync_batch,
        "Get a batch's progress",
        _READ,
        "Show a batch's progress: counts by status and each item's status and lipsync_id. Call it again later "
        "while the batch is processing; then download_lipsync each completed item.",
    ),
)


def _instructions(settings: ServerSettings, sandbox: bool) -> str:
    dirs = ", ".join(str(d) for d in settings.allowed_dirs)
    text = (
        "HeyGen Lipsync: re-animate a speaker's lips in a video to match new audio (dubbing).\n"
        "Workflow: (1) inputs: local files (video_path/audio_path; or upload_asset to reuse one), https URLs "
        "(video_url/audio_url) or asset ids; (2) create_lipsync returns a lipsync_id at once and costs the user's "
        "credits, so it is confirmed with the user first; (3) wait_for_lipsync, again while still_running is true "
        "(jobs take minutes; each call waits under a minute); (4) download_lipsync saves the MP4 and returns its "
        "path. Use get_lipsync/list_lipsyncs to look jobs up, the batch tools for many videos at once.\n"
        f"Files: the server reads and writes only inside: {dirs}. Downloads go to {settings.output_dir}.\n"
        "Errors carry a code and a 'Next' line: follow it."
    )
    if sandbox:
        text += "\nSANDBOX MODE: a local imitation of HeyGen; nothing is spent and lips are not re-animated."
    return text


def _argument_failure(tool: Tool, arguments: dict[str, Any]) -> ToolFailure | None:
    """A clear error naming the argument, for unknown, missing and mistyped arguments."""
    accepted = list(tool.parameters.get("properties", {}))
    unknown = sorted(set(arguments) - set(accepted))
    if unknown:
        return ToolFailure(
            "invalid_argument",
            f"unknown argument(s) {', '.join(unknown)}; {tool.name} accepts: {', '.join(accepted)}",
            param=unknown[0],
            next_action="Remove the unknown argument(s) (check the spelling) and call again.",
        )
    try:
        tool.fn_metadata.validate_arguments(arguments)
    except pydantic.ValidationError as exc:
        problems: list[str] = []
        params: list[str] = []
        for err in exc.errors(include_url=False):
            loc = ""
            for part in err["loc"]:
                loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
            params.append(loc)
            if err["type"] == "missing":
                problems.append(f"missing required argument {loc}")
            elif err["type"] == "extra_forbidden":
                problems.append(f"unknown field {loc}")
            else:
                problems.append(f"{loc}: {err['msg']}")
        return ToolFailure(
            "invalid_argument",
            "; ".join(problems),
            param=params[0] if params else None,
            next_action="Fix the named argument(s) to match the tool's input schema and call again.",
        )
    return None


class _LipsyncServer(MCPServer[AppState]):
    """MCPServer whose argument errors name the argument and refuse unknown ones."""

    def __init__(self, *args: Any, tools: list[Tool], **kwargs: Any) -> None:
        super().__init__(*args, tools=tools, **kwargs)
        self._by_name = {tool.name: tool for tool in tools}

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[AppState, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        tool = self._by_name.get(name)
        if tool is not None:
            failure = _argument_failure(tool, arguments)
            if failure is not None:
                return error_result(failure, tool=name)
        return await super().call_tool(name, arguments, context)


def build_server(
    settings: ServerSettings | None = None,
    *,
    sandbox: bool | SandboxConfig = False,
    library_settings: Settings | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> MCPServer[AppState]:
    """Build the MCP server; run it with any transport (``server.run()``, ``streamable_http_app()``, ...).

    Args:
        settings: the server's own settings; default from the environment.
        sandbox: run against an embedded sandbox (True, or a ``SandboxConfig``); nothing is spent.
        library_settings: the client's settings (API key, base URL, ...); default from the environment.
        http_transport: an httpx transport for the client (tests count requests with it).

    Raises:
        ConfigurationError: a setting is malformed.
    """
    server_settings = settings or load_server_settings()
    fmt = {
        "wait": server_settings.wait_seconds,
        "max_wait": server_settings.max_wait_seconds,
        "dirs": ", ".join(str(d) for d in server_settings.allowed_dirs),
        "output": str(server_settings.output_dir),
    }
    tools: list[Tool] = []
    for name, fn, title, hints, description in _TOOLS:
        tool = Tool.from_function(
            fn,
            name=name,
            title=title,
            description=description.format(**fmt),
            annotations=hints.model_copy(update={"title": title}),
            structured_output=True,
        )
        # Unknown arguments are refused (see _argument_failure); say so in the schema too.
        tool.parameters["additionalProperties"] = False
        tools.append(tool)

    @asynccontextmanager
    async def lifespan(_server: MCPServer[AppState]) -> AsyncIterator[AppState]:
        async with AsyncExitStack() as stack:
            client: LipsyncClient | None = None
            startup_error: HeyGenError | None = None
            lib = library_settings
            try:
                from heygen_lipsync.client import LipsyncClient
                from heygen_lipsync.config import resolve_settings

                if lib is None:
                    lib = resolve_settings()
                if sandbox is not False:
                    from heygen_lipsync.sandbox import EmbeddedSandbox, SandboxConfig

                    try:
                        # Like the CLI's --sandbox: HEYGEN_LIPSYNC_SANDBOX_* settings, jobs kept between runs.
                        config = sandbox if isinstance(sandbox, SandboxConfig) else SandboxConfig.from_env()
                    except ValueError as exc:
                        raise ConfigurationError(str(exc)) from None
                    box = await stack.enter_async_context(EmbeddedSandbox(config))
                    client = LipsyncClient(base_url=box.base_url, api_key=box.api_key, transport=http_transport)
                else:
                    if not lib.has_credentials and not lib.is_loopback:
                        lib.auth_headers()  # raises the ConfigurationError that says what to set
                    client = LipsyncClient(settings=lib, transport=http_transport)
                await stack.enter_async_context(client)
            except HeyGenError as exc:
                startup_error = exc
                client = None
                logger.warning("the HeyGen client is not available: %s", exc)
            secrets = tuple(s for s in (lib.api_key, lib.bearer_token) if s) if lib else ()
            if server_settings.mcp_token:
                secrets += (server_settings.mcp_token,)
            logger.info(
                "heygen-lipsync MCP server ready (%s); files limited to %s",
                "sandbox" if sandbox is not False else (lib.base_url if lib else "unconfigured"),
                fmt["dirs"],
            )
            yield AppState(
                settings=server_settings,
                files=FileSandbox(server_settings.allowed_dirs, server_settings.output_dir),
                jobs=JobCounter(server_settings.max_jobs_per_session),
                sandbox=sandbox is not False,
                client=client,
                startup_error=startup_error,
                secrets=secrets,
            )

    server = _LipsyncServer(
        SERVER_NAME,
        title="HeyGen Lipsync",
        instructions=_instructions(server_settings, sandbox is not False),
        version=__version__,
        tools=tools,
        lifespan=lifespan,
        log_level=cast(Any, server_settings.log_level),
    )
    server.prompt(name="dub_video", title="Dub a video")(dub_video)
    return server
