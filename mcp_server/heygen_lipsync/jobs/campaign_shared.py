"""A campaign shared by many workers: each row a DBOS workflow on a queue capped at the account's concurrency.

When the store is a shared PostgreSQL database (``HEYGEN_LIPSYNC_DATABASE_URL``), ``dub_many``
runs here instead of in one process: every worker that runs the same campaign (the same output
folder, on shared storage) enqueues the same rows under the same workflow ids, so each row is
one workflow however many workers enqueue it, and DBOS's queue lets at most ``max_concurrent``
rows run at once across all workers together (HeyGen's concurrency limit is the account's, not
a process's). A row's workflow uploads and creates (one checkpointed step: a recovered
workflow never creates again; the create also passes the spend authority under the row's key),
waits for the job in this worker's one statuses round, then hands the download to a workflow
on an uncapped queue so the account's slot frees as soon as the job finished.

Workers are told apart by a slot number each claims with a PostgreSQL advisory lock held for
its life. A worker that dies releases its lock with its connection; a restarted worker takes
the lowest free slot (its old one) and DBOS recovers that slot's rows at launch, and meanwhile
any live worker that finds rows pending on a slot nobody holds recovers them itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dbos import DBOS, SetWorkflowID

from heygen_lipsync.errors import APIError, HeyGenError, NotFoundError
from heygen_lipsync.jobs.campaign_run import CampaignRun, DubEvent
from heygen_lipsync.jobs.campaign_worker import (
    APP,
    QUEUE_POLL,
    StatusBoard,
    WorkerSlot,
    engine_schema,
    register_queues_ahead,
    rescue_dead_workers,
)
from heygen_lipsync.jobs.report import RowStatus, row_key, save_report
from heygen_lipsync.media.paths import expand_user
from heygen_lipsync.sources import AssetSource, FileSource

__all__ = ["campaign_id", "reserve_engine", "run_shared"]


# How often each worker reads the campaign's state (every row's workflow) to report progress.
_WATCH_EVERY = 0.25
# How often a worker looks for rows left pending by a worker that died.
_RESCUE_EVERY = 5.0
# While enqueueing, how many rows between two looks at what other workers enqueued already.
_REFRESH_EVERY = 25
# A row whose upload's workflow is nowhere after this long stops waiting for it (the row fails, saying why).
_UPLOAD_MISSING_SECONDS = 60.0

# This process's part in each campaign it runs: DBOS finds it by the campaign id in the workflow's input.
_RUNS: dict[str, CampaignRun] = {}
_BOARDS: dict[str, StatusBoard] = {}
_DOWNLOADS: dict[str, Any] = {}  # campaign id -> its downloads queue
# Upload workflow id -> its asset: a finished upload's output never changes (the id names the
# file's path, size and times), so this process reads each at most once.
_ASSETS: dict[str, str] = {}


def reserve_engine() -> bool:
    """Take the engine for one shared campaign (``run_shared`` gives it back), or False when this process
    runs one already: the engine is one per process, and a second campaign at once (two in one MCP
    server) runs in-process instead (``dub_many`` says so in its log)."""
    if _RESERVED:
        return False
    _RESERVED.append(True)
    return True


_RESERVED: list[bool] = []


def campaign_id(out_dir: Path) -> str:
    """A campaign is its output folder: workers running the same command share it."""
    return hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]


# -- the workflows (their names are stored with each row: keep them stable) --------------------


@DBOS.step(name="heygen_lipsync.dub_create")
async def _create(campaign: str, index: int, attempt: int, assets: dict[str, str]) -> dict[str, Any]:
    run = _run(campaign)
    record = run.records[index]
    key = row_key(run.rows[index], Path(record.output), attempt)
    request = run.rows[index].request
    if assets:
        request = request.with_sources(**{name: AssetSource(asset) for name, asset in assets.items()})
    try:
        (job,) = await run.client.prepare([run.rows[index].request])
        try:
            outcome = await run.client.submit(job, idempotency_key=key, sources=request, new_job=attempt > 1)
        finally:
            job.close()
    except HeyGenError as exc:
        if isinstance(exc, APIError) and exc.idempotency_key is not None:
            return {"status": RowStatus.INCOMPLETE, "message": f"{exc} (outcome unknown: rerun to resume)"}
        return {"status": RowStatus.FAILED, "message": str(exc)}
    # Reported now; the report file follows at the watcher's next round (it writes once per round).
    run.records[index] = record.with_status(RowStatus.RUNNING, job_id=outcome.id, key=key, attempt=attempt)
    run.emit("created", index)
    return {"status": RowStatus.RUNNING, "job_id": outcome.id}


@DBOS.step(name="heygen_lipsync.dub_upload")
async def _upload(campaign: str, path: str) -> dict[str, Any]:
    upload_id = _upload_id(campaign, path)
    try:
        asset = await _run(campaign).client.upload(Path(path), idempotency_key=upload_id)
    except HeyGenError as exc:
        return {"error": str(exc)}
    _ASSETS[upload_id] = asset.asset_id
    return {"asset_id": asset.asset_id}


@DBOS.workflow(name="heygen_lipsync.dub_upload_file")
async def _upload_file(campaign: str, path: str) -> dict[str, Any]:
    return await _upload(campaign, path)


@DBOS.step(name="heygen_lipsync.dub_assets")
async def _uploaded(ids: dict[str, str]) -> dict[str, str] | str:
    """The asset of each of a row's files (``{field: asset id}``), once their uploads have finished, or
    what stopped one (a message naming the field).

    One recorded step, however many looks it takes (the engine records each read a workflow
    makes itself, and a recovered row must make the same ones: it replays this step's answer).
    """
    # Assets already known to this process (uploaded here, or read for an earlier row: the one
    # audio of every row) need no read at all.
    assets = {name: _ASSETS[wid] for name, wid in ids.items() if wid in _ASSETS}
    left = {name: wid for name, wid in ids.items() if name not in assets}
    deadline = time.monotonic() + _UPLOAD_MISSING_SECONDS
    while left:
        flows = {w.workflow_id: w for w in await DBOS.list_workflows_async(workflow_ids=list(left.values()))}
        missing = [name for name, wid in left.items() if wid not in flows]
        if missing and time.monotonic() > deadline:  # never enqueued (a store cleaned meanwhile): say so
            return f"{missing[0]}: its upload is not in the campaign's store; run the command again"
        if all(flows.get(wid) is not None and flows[wid].status in ("SUCCESS", "ERROR") for wid in left.values()):
            for name, wid in left.items():
                output = flows[wid].output if flows[wid].status == "SUCCESS" else None
                if not isinstance(output, dict) or "asset_id" not in output:
                    error = output.get("error") if isinstance(output, dict) else flows[wid].error
                    return f"{name}: {error}"
                assets[name] = _ASSETS[wid] = output["asset_id"]
            break
        await asyncio.sleep(QUEUE_POLL)
    return assets


def _upload_id(campaign: str, path: str) -> str:
    """One upload per distinct file in the whole campaign, whichever worker gets to it (a file changed
    since, or one that could not be uploaded and was fixed, is another upload)."""
    try:
        stat = os.stat(path)
        version = f"{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        version = "missing"
    return f"dub:{campaign}:upload:{hashlib.sha256(f'{path}|{version}'.encode()).hexdigest()[:32]}"


def _local_files(run: CampaignRun, index: int) -> dict[str, str]:
    request = run.rows[index].request
    return {
        name: str(expand_user(source.path).resolve())
        for name, source in (("video", request.video), ("audio", request.audio))
        if isinstance(source, FileSource)
    }


@DBOS.workflow(name="heygen_lipsync.dub_row")
async def _dub_row(campaign: str, index: int, attempt: int, files: dict[str, str]) -> dict[str, Any]:
    # The row's files were uploaded ahead on the uploads queue (each file once in all): their assets.
    uploads = await _uploaded(files)
    if isinstance(uploads, str):
        return {"status": RowStatus.FAILED, "message": uploads}
    created = await _create(campaign, index, attempt, uploads)
    job_id = created.get("job_id")
    if job_id is None:
        return created
    await _BOARDS[campaign].finished(job_id)
    # The account's slot frees when this workflow ends: the download runs on the uncapped queue.
    with SetWorkflowID(f"{DBOS.workflow_id}:download"):
        await _DOWNLOADS[campaign].enqueue_async(_download_row, campaign, index, job_id)
    return created


@DBOS.step(name="heygen_lipsync.dub_download")
async def _fetch(campaign: str, index: int, job_id: str) -> dict[str, Any]:
    run = _run(campaign)
    record = run.records[index]
    last: HeyGenError | None = None
    for _ in range(3):
        try:
            detail = await run.client.get(job_id)
            if detail.is_failed:
                return {"status": RowStatus.FAILED, "message": detail.failure_message or "the job failed"}
            if not detail.is_completed:  # the statuses round ran ahead of the detail: ask again shortly
                await asyncio.sleep(1.0)
                continue
            result = await run._download(detail, Path(record.output))
        except NotFoundError as exc:
            return {"status": RowStatus.FAILED, "message": str(exc)}
        except HeyGenError as exc:  # an expired URL, a storage hiccup: fresh URLs, again
            last = exc
            continue
        return {"status": RowStatus.DONE, "caption": str(result.caption_path) if result.caption_path else None}
    return {"status": RowStatus.INCOMPLETE, "message": f"download failed: {last}; rerun to download it again"}


@DBOS.workflow(name="heygen_lipsync.dub_download_row")
async def _download_row(campaign: str, index: int, job_id: str) -> dict[str, Any]:
    return {**await _fetch(campaign, index, job_id), "job_id": job_id}


def _run(campaign: str) -> CampaignRun:
    run = _RUNS.get(campaign)
    if run is None:  # a row of a campaign this process does not run (never dequeued: queues are per campaign)
        raise RuntimeError(f"this worker does not run campaign {campaign}")
    return run


def _queue_names(campaign: str) -> tuple[str, str, str]:
    return f"hl-dub-{campaign}", f"hl-dub-{campaign}-downloads", f"hl-dub-{campaign}-uploads"


# -- one worker ---------------------------------------------------------------------------------


async def run_shared(run: CampaignRun, url: str, *, retry_failed: bool) -> AsyncIterator[DubEvent]:
    """Run ``run``'s rows as this worker's part of the shared campaign; yields events as ``dub_many`` does.

    Raises:
        CampaignStoppedError: the report cannot be written, or the engine cannot start.
    """
    campaign = campaign_id(run.out_dir)
    try:
        slot = await asyncio.to_thread(WorkerSlot, url, campaign)
    except BaseException:
        _RESERVED.clear()
        raise
    board = StatusBoard(run.client, run.poll_interval, run.waker)
    _RUNS[campaign], _BOARDS[campaign] = run, board
    rows_queue, downloads_queue, uploads_queue = _queue_names(campaign)
    try:
        DBOS(
            config={
                "name": APP,
                "system_database_url": url,
                "dbos_system_schema": engine_schema(url),
                "executor_id": slot.executor,
                # Recovery resumes only workflows of the same version: every worker of one release agrees.
                "application_version": f"heygen-lipsync-campaign-1-{_version()}",
                "log_level": os.environ.get("HEYGEN_LIPSYNC_DBOS_LOG_LEVEL", "ERROR"),
            }
        )
        queues: dict[str, dict[str, Any]] = {
            rows_queue: {"global_concurrency": run.max_concurrent},
            downloads_queue: {},
            uploads_queue: {"worker_concurrency": run.upload_concurrency},
        }
        # Registered before launch when the engine's tables exist already: its queue thread then
        # finds them at once, not at its next look for new queues a second later.
        await asyncio.to_thread(register_queues_ahead, url, queues)
        DBOS.listen_queues(list(queues))
        DBOS.launch()  # from this loop's thread: the rows' coroutines run on this loop, with this client
        registered = {
            name: await DBOS.register_queue_async(
                name, polling_interval_sec=QUEUE_POLL, on_conflict="always_update", **limits
            )
            for name, limits in queues.items()
        }
        _DOWNLOADS[campaign], uploads = registered[downloads_queue], registered[uploads_queue]
        attempts = await _enqueue(run, campaign, rows_queue, uploads, retry_failed=retry_failed)
        async for event in _watch(run, campaign, attempts, slot):
            yield event
    finally:
        board.close()
        with contextlib.suppress(Exception):
            DBOS.destroy()
        # The engine made its thread pool this loop's default and has now shut it down: give the
        # loop a working one back (the caller's later to_thread calls, a next campaign).
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(thread_name_prefix="heygen-lipsync"))
        _RUNS.pop(campaign, None)
        _BOARDS.pop(campaign, None)
        _DOWNLOADS.pop(campaign, None)
        _RESERVED.clear()
        slot.close()


async def _enqueue(
    run: CampaignRun, campaign: str, queue_name: str, uploads: Any, *, retry_failed: bool
) -> dict[int, str]:
    """Enqueue every row without a verdict yet; returns each row's workflow id.

    A row's workflow id is ``dub:<campaign>:<row>:<attempt>.<try>``. An id already there (any
    worker's) is that row: enqueued once in all. A try that ended without a verdict (the create's
    outcome unknown, a download that failed) gets the next try under the same attempt, hence
    the same Idempotency-Key, so the API replays the job; only ``retry_failed`` moves a failed
    row to its next attempt, a new job.
    """
    earlier = {w.workflow_id: w for w in await _flows(campaign)}
    queue = await DBOS.retrieve_queue_async(queue_name)
    assert queue is not None  # registered just before
    ids: dict[int, str] = {}
    for index, record in enumerate(run.records):
        attempt, attempt_try = 1, 1
        while True:
            wid = f"dub:{campaign}:{record.row_id}:{attempt}.{attempt_try}"
            outcome = _outcome(earlier.get(wid), earlier.get(f"{wid}:download"))
            status = outcome.get("status") if outcome else None
            if status == RowStatus.INCOMPLETE:
                attempt_try += 1
            elif status == RowStatus.FAILED and retry_failed:
                attempt, attempt_try = attempt + 1, 1
            else:
                break
        ids[index] = wid
        if index % _REFRESH_EVERY == _REFRESH_EVERY - 1:  # other workers enqueue the same rows meanwhile
            seen = await DBOS.list_workflows_async(
                workflow_id_prefix=f"dub:{campaign}:", load_input=False, load_output=False
            )
            earlier.update({w.workflow_id: w for w in seen if w.workflow_id not in earlier})
        if wid not in earlier:
            files = {name: _upload_id(campaign, path) for name, path in _local_files(run, index).items()}
            for path, upload in zip(_local_files(run, index).values(), files.values(), strict=True):
                if upload not in earlier:  # in row order, ahead of the creates; each file once
                    earlier[upload] = None
                    with SetWorkflowID(upload):
                        await uploads.enqueue_async(_upload_file, campaign, path)
            with SetWorkflowID(wid):  # the row names its uploads: the ones enqueued, whatever the files do later
                await queue.enqueue_async(_dub_row, campaign, index, attempt, files)
    return ids


async def _flows(campaign: str) -> list[Any]:
    return list(await DBOS.list_workflows_async(workflow_id_prefix=f"dub:{campaign}:", load_input=False))


def _outcome(row: Any, download: Any) -> dict[str, Any] | None:
    """A row's verdict from its workflows: None while it runs."""
    if row is None:
        return None
    if row.status == "ERROR" or (download is not None and download.status == "ERROR"):
        error = (download if download is not None and download.status == "ERROR" else row).error
        return {"status": RowStatus.INCOMPLETE, "message": f"{error}; rerun to resume"}
    if row.status != "SUCCESS":
        return None
    output = row.output or {}
    if output.get("status") != RowStatus.RUNNING:  # failed or refused at create
        return dict(output)
    if download is None or download.status != "SUCCESS":
        return None
    return dict(download.output or {})


async def _watch(run: CampaignRun, campaign: str, ids: dict[int, str], slot: WorkerSlot) -> AsyncIterator[DubEvent]:
    """Read the campaign's state until every row has its verdict, reporting each change.

    Each round reads the statuses of the workflows still unfinished (no outputs: cheap), then the
    outputs of those that finished since; the report is written once per round that changed it
    (the engine's tables are the campaign's truth; the report is what a person reads).
    """
    reported: dict[int, str] = {}
    finished: dict[str, Any] = {}  # workflow id -> its final state (with its output)
    rescued_at = time.monotonic()
    while True:
        watched = [w for wid in ids.values() for w in (wid, f"{wid}:download") if w not in finished]
        flows = {w.workflow_id: w for w in await _statuses(watched)}
        done_now = [wid for wid, flow in flows.items() if flow.status in ("SUCCESS", "ERROR")]
        if done_now:
            finished.update({w.workflow_id: w for w in await _statuses(done_now, outputs=True)})
        left, changed = 0, False
        for index, wid in ids.items():
            outcome = _outcome(finished.get(wid), finished.get(f"{wid}:download"))
            if outcome is None:
                left += 1
                flow = flows.get(wid) or finished.get(wid)
                if flow is not None and flow.status != "ENQUEUED" and run.records[index].status == RowStatus.QUEUED:
                    run.records[index] = run.records[index].with_status(RowStatus.RUNNING)  # another worker's
                continue
            status = outcome["status"]
            if reported.get(index) == status:
                continue
            reported[index], changed = status, True
            changes: dict[str, Any] = {"failure_message": outcome.get("message")}
            if outcome.get("job_id"):
                changes["job_id"] = outcome["job_id"]
            if status == RowStatus.DONE:
                changes["caption"] = outcome.get("caption")
            run.finished_this_run += 1
            run.records[index] = run.records[index].with_status(status, **changes)
            run.emit(status, index)
        if changed or not left:
            _save(run)
        while not run.events.empty():
            event = run.events.get_nowait()
            if event is not None:
                yield event
        if run.report_error is not None:
            return
        if not left:
            break
        if time.monotonic() - rescued_at > _RESCUE_EVERY:
            rescued_at = time.monotonic()
            await rescue_dead_workers(flows.values(), slot)
        await asyncio.sleep(_WATCH_EVERY)
    run.emit("finished", None)
    final = run.events.get_nowait()
    if final is not None:
        yield final


async def _statuses(workflow_ids: list[str], *, outputs: bool = False) -> list[Any]:
    if not workflow_ids:
        return []
    return list(await DBOS.list_workflows_async(workflow_ids=workflow_ids, load_input=False, load_output=outputs))


def _save(run: CampaignRun) -> None:
    try:
        save_report(run.out_dir, run.records)
    except OSError as exc:  # a full disk: the run stops (dub_many says so), rows stay in the engine
        run.report_error = run.report_error or exc


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("heygen-lipsync")
    except PackageNotFoundError:  # pragma: no cover - a source tree without its metadata
        return "0"
