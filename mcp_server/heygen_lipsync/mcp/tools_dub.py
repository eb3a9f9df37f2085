"""The ``dub_many`` and ``get_dub_run`` tools: a whole set of videos dubbed in the server's background.

``dub_many`` checks every row, passes the spend gate once for the whole set, starts
``campaign.dub_many`` as a task owned by the server (``Campaigns`` on the lifespan's state,
cancelled when the server stops) and returns a run id at once. ``get_dub_run`` waits a
bounded time, like ``wait_for_lipsync``, and reports the run's totals and finished outputs.
The run's state is ``dub-report.jsonl`` in its folder of the output directory, so calling
``dub_many`` again with the same rows resumes a run the server lost (it restarted).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import Context, ElicitationResult, Resolve
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from heygen_lipsync.jobs.preflight import Preflight
from heygen_lipsync.mcp.asking import SpendApproval
from heygen_lipsync.mcp.campaigns import BackgroundCampaign, Campaigns
from heygen_lipsync.mcp.cost import CostEstimate
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.files import off_loop
from heygen_lipsync.mcp.inputs import (
    ITEMS_DESCRIPTION,
    ApprovalTokenAsInCreate,
    BatchItemInput,
    ConfirmSpend,
    ask_before_items,
    build_requests,
)
from heygen_lipsync.mcp.spending import spending
from heygen_lipsync.mcp.state import AppState, guarded, ok, state_of

__all__ = ["DUB_TOOLS", "dub_many", "get_dub_run"]

_FOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_MAX_ROWS = 1000


class DubStarted(BaseModel):
    """A run started in the server's background."""

    run_id: str
    rows: int
    folder: str = Field(description="Where the outputs and dub-report.jsonl go, inside the output directory.")
    sandbox: bool
    estimate: CostEstimate | None = Field(default=None, description="The cost estimate shown before starting.")
    jobs_left_in_session: int
    next_step: str


class DubRunInfo(BaseModel):
    """A run's progress."""

    run_id: str
    still_running: bool = Field(description="True while rows are queued or running: not a failure.")
    totals: dict[str, Any] = Field(description="rows, queued, running, done, failed, spent_seconds, eta_seconds.")
    outputs: dict[int, str] = Field(description="Row number (0-based) -> downloaded video path, for finished rows.")
    failures: dict[int, str] = Field(description="Row number -> why it failed.")
    recent_events: list[str]
    report: str = Field(description="The run's dub-report.jsonl.")
    error: str | None = Field(default=None, description="Why the run stopped early, when it did.")
    next_step: str


def _runs(state: AppState) -> Campaigns:
    runs = getattr(state, "campaigns", None)
    if not isinstance(runs, Campaigns):
        raise ToolFailure("unavailable", "this server has no background runs", next_action="Restart the server.")
    return runs


def _priced_rows(requests: list[Any], pre: Preflight | None) -> list[Any]:
    """The run's rows, each with its output length by the preflight (None where it is unknown)."""
    from heygen_lipsync.jobs.campaign import DubRow

    seconds = [item.output_seconds for item in pre.items] if pre is not None else [None] * len(requests)
    return [DubRow(request, estimate_seconds=s) for request, s in zip(requests, seconds, strict=True)]


def _run_id(folder: Path, requests: list[Any]) -> str:
    digest = hashlib.sha256(f"{folder}\n{requests!r}".encode()).hexdigest()
    return f"dub_{digest[:16]}"


@guarded
async def dub_many(
    ctx: Context,
    approval: Annotated[ElicitationResult[SpendApproval], Resolve(ask_before_items)],
    items: Annotated[
        list[BatchItemInput],
        Field(min_length=1, max_length=_MAX_ROWS, description=f"The videos to dub, {ITEMS_DESCRIPTION}."),
    ],
    folder: Annotated[
        str | None,
        Field(description="Folder name in the output directory (default: from the rows)."),
    ] = None,
    max_concurrent: Annotated[int, Field(ge=1, le=100, description="Unfinished jobs at most (account limit).")] = 10,
    captions: Annotated[bool, Field(description="Also download each job's SRT captions.")] = False,
    retry_failed: Annotated[bool, Field(description="Retry rows that failed in an earlier run (pays again).")] = False,
    confirm_spend: ConfirmSpend = False,
    approval_token: ApprovalTokenAsInCreate = None,
) -> Annotated[CallToolResult, DubStarted]:
    from heygen_lipsync.jobs.campaign import DubRow
    from heygen_lipsync.jobs.campaign import dub_many as run_rows

    state = state_of(ctx)
    runs = _runs(state)
    client = await state.require_client()
    if folder is not None and not _FOLDER.match(folder):
        raise ToolFailure(
            "invalid_argument",
            f"folder {folder!r} must be a plain name",
            param="folder",
            next_action="Give letters, digits, '.', '_' or '-', e.g. 'episode-4'.",
        )
    requests = await off_loop(build_requests, state.files, items)
    run_id = _run_id(state.files.output_dir / (folder or ""), requests)
    out = state.files.output_dir / (folder or run_id)
    rows: list[DubRow] = []  # filled once the spend gate has priced them

    async def work(run: BackgroundCampaign) -> None:
        try:
            async for event in run_rows(
                client, rows, out, max_concurrent=max_concurrent, captions=captions, retry_failed=retry_failed
            ):
                run.totals = event.totals.to_dict()
                if event.row is not None and event.kind == "done" and event.output:
                    run.outputs[event.row] = event.output
                elif event.row is not None and event.kind in ("failed", "incomplete"):
                    run.failures[event.row] = event.message or event.kind
                run.recent.append(f"{event.kind} row {event.row + 1}" if event.row is not None else event.kind)
                run.changed.set()
        except Exception as exc:  # noqa: BLE001 - a background run reports its end, it has no caller to raise to
            run.error = f"{type(exc).__name__}: {exc}; call dub_many again with the same items to resume"

    async with spending(
        ctx,
        requests,
        approval,
        confirm_spend=confirm_spend,
        approval_token=approval_token,
        kind="dub",
        new_job=retry_failed,  # a retry makes new jobs under new keys: never covered by an earlier yes
    ) as spend:
        # The token pays once for the whole run: used up here; each row then passes the library's
        # spend authority (caps, dedupe) as it is created, priced by this same preflight.
        await client.authority.consume(spend.approval, run_id)
        rows.extend(_priced_rows(requests, spend.quote.preflight))
        runs.start(BackgroundCampaign(run_id=run_id, folder=out, rows=len(items)), work)
        spend.created()
    step = f"The run is going in the background. Call get_dub_run with run_id={run_id!r} to follow it."
    return ok(DubStarted(run_id=run_id, rows=len(items), folder=str(out), next_step=step, **spend.outcome()))


@guarded
async def get_dub_run(
    ctx: Context,
    run_id: Annotated[str, Field(min_length=1, max_length=64, description="The run_id dub_many returned.")],
    timeout_seconds: Annotated[
        float | None, Field(gt=0, description="Seconds this call may wait for the run to finish.")
    ] = None,
) -> Annotated[CallToolResult, DubRunInfo]:
    state = state_of(ctx)
    run = _runs(state).runs.get(run_id)
    if run is None:
        raise ToolFailure(
            "not_found",
            f"no dub run {run_id!r} in this server",
            param="run_id",
            next_action="Call dub_many again with the same items: it resumes from the run's report.",
        )
    bound = min(timeout_seconds or state.settings.wait_seconds, state.settings.max_wait_seconds)
    if run.task is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(run.task), bound)
    from heygen_lipsync.jobs.report import REPORT_NAME

    running = not run.finished
    if running:
        step = f"Still running, not failed: call get_dub_run again with run_id={run_id!r}."
    elif run.failures or run.error:
        step = "Finished with failures: tell the user which rows failed and why"
        step += " (dub_many with retry_failed=true retries them, and pays again)."
    else:
        step = "Every row is done: tell the user where the files are."
    return ok(
        DubRunInfo(
            run_id=run_id,
            still_running=running,
            totals=run.totals,
            outputs=dict(run.outputs),
            failures=dict(run.failures),
            recent_events=list(run.recent),
            report=str(run.folder / REPORT_NAME),
            error=run.error,
            next_step=step,
        )
    )


DUB_TOOLS: tuple[tuple[str, Callable[..., Any], str, ToolAnnotations, str], ...] = (
    (
        "dub_many",
        dub_many,
        "Dub many videos (background run)",
        ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True),
        "Dub a set of videos in the server's background, at the account's concurrency limit (at most {max_jobs} "
        "new paid jobs per session). SPENDS credits for each item: one confirmation for the set, as in "
        "create_lipsync. The same items again resume without paying twice. Next: get_dub_run with the run_id.",
    ),
    (
        "get_dub_run",
        get_dub_run,
        "Follow a dub run",
        ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True),
        "A dub_many run's progress and finished outputs, waiting a bounded time (default {wait:g} s, at most "
        "{max_wait:g} s) for it to end. still_running: true is not an error: call again.",
    ),
)
