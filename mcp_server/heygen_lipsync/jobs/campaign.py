"""``dub_many``: dub many videos at the account's concurrency limit, resumably, paying for each once.

The run keeps at most ``max_concurrent`` unfinished jobs (HeyGen's pay-as-you-go limit is
10): local inputs are uploaded ahead in a bounded pool (each distinct file once), a create
is sent as soon as a slot is free, one statuses request per round covers every job in
flight, and each finished job frees its slot at once and is downloaded while the next
rows start. Every change is written to ``dub-report.jsonl`` (``dub_report``) before it is
reported, so a rerun with the same rows and output directory resumes: finished rows are
skipped, jobs in flight are followed rather than created again, and a create whose answer
was lost is sent again with the same derived key, which the API replays.

Creates are single, not batched: a single create's key belongs to one row, so a rerun
replays exactly the jobs that were sent, whichever rows happened to start together; a
batch's key would cover a group that another run would form differently. With the slots
refilled as each job finishes, single creates keep the account's concurrency full.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heygen_lipsync.errors import CampaignStoppedError
from heygen_lipsync.jobs.report import (
    DubRow,
    RowRecord,
    RowStatus,
    describe_source,
    load_report,
    output_paths,
    row_key,
    save_report,
)
from heygen_lipsync.media.paths import expand_user
from heygen_lipsync.request import LipsyncRequest

if TYPE_CHECKING:
    from heygen_lipsync.client import AsyncLipsyncClient

from heygen_lipsync.jobs.campaign_run import CampaignRun, DubEvent, DubTotals

__all__ = [
    "DEFAULT_MAX_CONCURRENT",
    "DEFAULT_UPLOAD_CONCURRENCY",
    "DubEvent",
    "DubRow",
    "DubTotals",
    "dub_many",
    "plan_rows",
    "preflight_seconds",
]

logger = logging.getLogger("heygen_lipsync")

DEFAULT_MAX_CONCURRENT = 10  # HeyGen's pay-as-you-go concurrency
DEFAULT_UPLOAD_CONCURRENCY = 4


def preflight_seconds(request: LipsyncRequest) -> float | None:
    """A row's output length by the library's preflight (probe + HeyGen's rule), None when unknown."""
    from heygen_lipsync.jobs.preflight import preflight_item

    return preflight_item(request).output_seconds


def plan_rows(
    rows: Sequence[DubRow], out_dir: Path, *, measure: Callable[[LipsyncRequest], float | None] | None = None
) -> list[RowRecord]:
    """The report records of these rows as a fresh run would start them (no request is made).

    ``measure(request)`` gives a row's output length in seconds when it can be known locally
    (the estimate); the preflight's probing is the intended one. Without it, a row's own
    ``estimate_seconds`` (from a preflight already run) is the estimate.

    Raises:
        ValidationError: no rows, or two rows name the same output.
    """
    from heygen_lipsync.errors import ValidationError

    if not rows:
        raise ValidationError("rows", "give at least one row to dub")
    outputs = output_paths(rows, out_dir)
    records = []
    for index, (row, output) in enumerate(zip(rows, outputs, strict=True)):
        key = row_key(row, output)
        records.append(
            RowRecord(
                row=index,
                row_id=key,
                key=key,
                video=describe_source(row.request.video),
                audio=describe_source(row.request.audio),
                output=str(output),
                estimate_seconds=measure(row.request) if measure else row.estimate_seconds,
            )
        )
    return records


async def dub_many(
    client: AsyncLipsyncClient,
    rows: Sequence[DubRow],
    out_dir: Path | str,
    *,
    max_concurrent: int = DEFAULT_MAX_CONCURRENT,
    captions: bool = False,
    retry_failed: bool = False,
    upload_concurrency: int = DEFAULT_UPLOAD_CONCURRENCY,
    poll_interval: float | None = None,
    measure: Callable[[LipsyncRequest], float | None] | None = None,
) -> AsyncGenerator[DubEvent, None]:
    """Dub every row into ``out_dir``, yielding an event for each change; resumable by running it again.

    ```python
    rows = [DubRow(LipsyncRequest(video=v, audio="voice_fr.mp3")) for v in Path("talks").glob("*.mp4")]
    async for event in dub_many(client, rows, "dubbed"):
        print(event.kind, event.row, event.totals.done, "/", event.totals.rows)
    ```

    The state lives in ``out_dir/dub-report.jsonl``. Running again with the same rows and
    directory skips finished rows, follows the jobs in flight, replays lost creates with
    their derived keys, and retries failed rows only with ``retry_failed`` (a new attempt,
    a new key, a new charge). The last event is ``finished``; stopping the iteration (or
    cancelling it) leaves the run resumable. ``poll_interval`` fixes the statuses round;
    by default it follows the jobs' observed length.

    Raises:
        ValidationError: no rows, two rows with one output, or max_concurrent below 1.
        OSError: ``out_dir`` cannot be created or written.
        APIConnectionError, ServerError: the first statuses request could not reach the API.
        APIStatusError: an error the run cannot record on a row (e.g. a rejected API key).
    """
    from heygen_lipsync.errors import ValidationError

    if max_concurrent < 1:
        raise ValidationError("max_concurrent", f"must be 1 or more, got {max_concurrent}")
    out = expand_user(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # HeyGen makes captions for every job now (enable_caption is deprecated and ignored): ``captions``
    # only says whether each job's captions are downloaded beside its video.
    fresh = plan_rows(rows, out, measure=measure)
    earlier = load_report(out)
    records = []
    for record in fresh:
        before = earlier.get(record.row_id)
        if before is not None:
            before.row, before.output = record.row, record.output
            if before.estimate_seconds is None:
                before.estimate_seconds = record.estimate_seconds
            if before.status == RowStatus.FAILED and retry_failed:
                attempt = before.attempt + 1
                key = row_key(rows[record.row], Path(record.output), attempt)
                before = before.with_status(RowStatus.QUEUED, attempt=attempt, key=key, job_id=None)
            record = before
        records.append(record)
    for record in records:  # before any request: a file there that this product did not write is the user's
        target = Path(record.output)
        ours = client.ledger is not None and client.ledger.find_download(target) is not None
        if record.status != RowStatus.DONE and target.exists() and not ours:
            raise ValidationError(
                f"rows[{record.row}].output",
                f"{target} already exists and was not saved by heygen-lipsync; nothing was sent: move it, or "
                "choose another output folder",
            )
    run = CampaignRun(client, out, rows, records, captions, max_concurrent, upload_concurrency, poll_interval)
    from heygen_lipsync.jobs.listener import listening_receiver

    # With HEYGEN_LIPSYNC_CALLBACK_LISTEN set, rows created with that callback_url wake the rounds.
    run.waker = listening_receiver()
    run.missing_at_start = frozenset(r.output for r in records if not Path(r.output).exists())
    try:
        save_report(out, records)
    except OSError as exc:
        raise _stopped(out, exc) from None
    shared = _shared_store(client)
    events = None
    if shared is not None:  # many workers may run this campaign: its rows are shared through the store
        from heygen_lipsync.jobs.campaign_shared import reserve_engine, run_shared

        if not reserve_engine():
            logger.warning(
                "another shared campaign runs in this process: this one runs here alone (each row is still "
                "paid once through the shared store, but other workers do not share its rows)"
            )
        else:
            events = run_shared(run, shared, retry_failed=retry_failed)
    if events is None:
        events = _drive(run)
    async for event in events:
        yield event
    if run.report_error is not None:
        raise _stopped(out, run.report_error)


def _shared_store(client: AsyncLipsyncClient) -> str | None:
    """The URL of the client's store when it is shared by many processes (PostgreSQL), else None."""
    from heygen_lipsync.store.postgres import PostgresDialect  # psycopg itself loads only with such a store

    ledger = client.ledger
    if ledger is None or ledger.failure is not None or not isinstance(ledger.dialect, PostgresDialect):
        return None
    url = ledger.dialect.url
    try:
        import dbos  # noqa: F401
    except ImportError:
        raise CampaignStoppedError(
            "HEYGEN_LIPSYNC_DATABASE_URL names a shared store, whose campaigns run on DBOS, which is not "
            "installed: pip install 'heygen-lipsync[postgres]'"
        ) from None
    return url


def _stopped(out: Path, exc: OSError) -> CampaignStoppedError:
    return CampaignStoppedError(
        f"could not write the run's report in {out}: {exc.strerror or exc}; the run stopped. Nothing is lost: free "
        "some space and run the same command again (finished and running jobs are not created or paid again)"
    )


async def _drive(run: CampaignRun) -> AsyncIterator[DubEvent]:
    finishing: set[asyncio.Task[None]] = set()
    starting: list[asyncio.Task[None]] = []
    queued: list[int] = []
    for index, record in enumerate(run.records):
        if record.status == RowStatus.DONE:
            run.emit("skipped", index, message="already done")
        elif record.status == RowStatus.FAILED:
            run.emit("skipped", index, message=f"failed earlier: {record.failure_message} (retry with retry_failed)")
        elif record.job_id and record.job_id in run.in_flight:  # another row's job too: follow it
            run.followers.setdefault(record.job_id, []).append(index)
            run.records[index] = record.with_status(RowStatus.RUNNING)
            run.emit("resumed", index)
        elif record.job_id:  # in flight (or downloaded half): follow it, never create it again
            run.slots.take()
            run.in_flight[record.job_id] = index
            run.records[index] = record.with_status(RowStatus.RUNNING)
            run.emit("resumed", index)
        else:
            queued.append(index)
            if record.status != RowStatus.QUEUED:
                run.records[index] = record.with_status(RowStatus.QUEUED)
    poller = asyncio.ensure_future(run.poll(finishing))
    # Rows are prepared (uploaded) a window ahead of the slots, never all at once.
    window = asyncio.Semaphore(run.max_concurrent * 2)

    async def row(index: int) -> None:
        ready = asyncio.ensure_future(run.prepared(index))
        try:
            await run.start_row(index, ready)
        finally:
            ready.cancel()
            window.release()

    async def feed() -> None:
        # In row order, a bounded window ahead of the slots: uploads run ahead, not all at once.
        for index in queued:
            await window.acquire()
            if run.report_error is not None:  # the report cannot be written: start nothing more
                break
            task = asyncio.ensure_future(row(index))
            task.add_done_callback(run.settled())
            starting.append(task)

    feeder = asyncio.ensure_future(feed())
    feeder.add_done_callback(run.settled())
    try:
        while True:
            getter = asyncio.ensure_future(run.events.get())
            await asyncio.wait({getter, poller}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                event = getter.result()
                if event is not None:
                    yield event
            else:
                getter.cancel()
            if poller.done():
                poller.result()  # raises what stopped polling
            if _all_settled(run, feeder, starting, finishing):
                break
        while not run.events.empty():
            event = run.events.get_nowait()
            if event is not None:
                yield event
        run.emit("finished", None)
        final = run.events.get_nowait()
        if final is not None:
            yield final
    finally:
        for task in (poller, feeder, *starting, *finishing, *run.assets.values()):
            task.cancel()
        for task in (poller, feeder, *starting, *finishing, *run.assets.values()):
            with contextlib.suppress(BaseException):
                await task


def _all_settled(
    run: CampaignRun, feeder: asyncio.Task[None], starting: list[asyncio.Task[None]], finishing: set[Any]
) -> bool:
    if not feeder.done() or finishing or run.in_flight or not run.events.empty():
        return False
    if any(not task.done() for task in starting):
        return False
    return all(record.status not in (RowStatus.QUEUED, RowStatus.RUNNING) for record in run.records)
