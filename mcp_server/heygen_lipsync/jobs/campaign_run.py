"""One campaign's run: slots under the account's concurrency cap, each row's create and download, statuses.

The driver (``campaign.dub_many``) starts rows as slots free up; ``CampaignRun.poll`` asks for every job in
flight in one statuses request per round and hands finished ones to ``finish_row``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heygen_lipsync.errors import APIConnectionError, APIError, HeyGenError, NotFoundError, RateLimitError, ServerError
from heygen_lipsync.jobs.report import (
    DubRow,
    RowRecord,
    RowStatus,
    save_report,
)
from heygen_lipsync.media.paths import expand_user
from heygen_lipsync.polling import _pause as pause
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.sources import AssetSource, FileSource

if TYPE_CHECKING:
    from heygen_lipsync.client import AsyncLipsyncClient

# Polling: a round costs one request however many jobs are in flight. Before any job has
# finished, rounds start at _FIRST_POLL and double; then they follow the jobs' observed length.
_MIN_POLL = 0.05
# Once the next job is due, rounds come at this fraction of the shortest job seen: a job is
# seen finished at most a fiftieth of its length late (the brisk phase is short: it begins
# when the job is due), where a twentieth cost a 3 s job's slot 0.15 s at every refill.
_BRISK_FRACTION = 1 / 50
_MAX_POLL = 10.0
_FIRST_POLL = 0.5
_TRANSIENT = (APIConnectionError, ServerError, RateLimitError)
_DOWNLOAD_ATTEMPTS = 3


@dataclass(frozen=True)
class DubTotals:
    """The run's counts at one moment; ``spent_seconds`` is the known output length of the jobs created."""

    rows: int
    queued: int
    running: int
    done: int
    failed: int
    spent_seconds: float
    elapsed: float
    eta_seconds: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "rows": self.rows,
            "queued": self.queued,
            "running": self.running,
            "done": self.done,
            "failed": self.failed,
            "spent_seconds": round(self.spent_seconds, 3),
            "elapsed": round(self.elapsed, 3),
            "eta_seconds": None if self.eta_seconds is None else round(self.eta_seconds, 1),
        }


@dataclass(frozen=True)
class DubEvent:
    """Something that happened to a row (``kind``: skipped, resumed, uploaded, created, done, failed,
    incomplete) or to the run (``finished``, with ``row`` None), with the totals after it."""

    kind: str
    totals: DubTotals
    row: int | None = None
    job_id: str | None = None
    output: str | None = None
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (one JSON line of the CLI's event stream)."""
        out: dict[str, Any] = {"event": self.kind}
        for name in ("row", "job_id", "output", "message"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out["totals"] = self.totals.to_dict()
        return out


def next_round(
    fixed: float | None,
    durations: Sequence[float],
    created_at: Mapping[str, float],
    in_flight: Iterable[str],
    start: float,
    rounds: int,
) -> float:
    """Seconds until the next statuses round (``fixed`` when given).

    Before any job has finished, rounds start at half a second and double. Then the shortest
    job seen is the best guess of how long the next takes: sleep until the next job in flight
    is due, then poll briskly until it is seen to finish.
    """
    if fixed is not None:
        return fixed
    if not durations:
        return min(_MAX_POLL, _FIRST_POLL * (1 << min(rounds, 5)))
    shortest = min(durations[-50:])
    now = time.monotonic()
    due = min((created_at.get(job_id, start) + shortest - now for job_id in in_flight), default=_MAX_POLL)
    if due > _MIN_POLL:
        return min(_MAX_POLL, due)
    return min(_MAX_POLL, max(_MIN_POLL, shortest * _BRISK_FRACTION))


class Slots:
    """The account's concurrency as seen by this run: rows wait for a slot; resumed jobs take one regardless."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._freed = asyncio.Event()

    async def acquire(self) -> None:
        while self.used >= self.limit:
            self._freed.clear()
            await self._freed.wait()
        self.used += 1

    def take(self) -> None:
        """Count a job that is already running (resumed from an earlier run) without waiting."""
        self.used += 1

    def release(self) -> None:
        self.used -= 1
        self._freed.set()


@dataclass
class CampaignRun:
    """The mutable state of one run: records, the jobs in flight, the event queue."""

    client: AsyncLipsyncClient
    out_dir: Path
    rows: Sequence[DubRow]
    records: list[RowRecord]
    captions: bool
    max_concurrent: int
    upload_concurrency: int
    poll_interval: float | None
    events: asyncio.Queue[DubEvent | None] = field(default_factory=asyncio.Queue)
    in_flight: dict[str, int] = field(default_factory=dict)  # job id -> row
    report_error: OSError | None = None  # the report could not be written: the run stops
    # Outputs no file held when the run started (a file there then that this product did not save
    # refused the run): one that appears meanwhile was saved by this product (another run of this
    # campaign, or a download this process stopped just as it finished).
    missing_at_start: frozenset[str] = frozenset()
    # Rows whose job is another row's (the same content: one job, paid once, saved to each output).
    followers: dict[str, list[int]] = field(default_factory=dict)
    created_at: dict[str, float] = field(default_factory=dict)
    durations: list[float] = field(default_factory=list)
    assets: dict[str, asyncio.Task[str]] = field(default_factory=dict)
    start: float = field(default_factory=time.monotonic)
    finished_this_run: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    # Deliveries (HEYGEN_LIPSYNC_CALLBACK_LISTEN: the rows' callback_url POSTs) end a round's pause
    # early; each stays a hint, confirmed by the next statuses round.
    waker: Any = None

    def __post_init__(self) -> None:
        self.slots = Slots(self.max_concurrent)
        self.upload_pool = asyncio.Semaphore(self.upload_concurrency)

    # -- state and events ---------------------------------------------------------------

    def totals(self) -> DubTotals:
        counts = {status: 0 for status in (RowStatus.QUEUED, RowStatus.RUNNING, RowStatus.DONE, RowStatus.FAILED)}
        spent = 0.0
        for record in self.records:
            bucket = RowStatus.FAILED if record.status == RowStatus.INCOMPLETE else record.status
            counts[bucket] = counts.get(bucket, 0) + 1
            if record.job_id and record.estimate_seconds:
                spent += record.estimate_seconds
        elapsed = time.monotonic() - self.start
        left = counts[RowStatus.QUEUED] + counts[RowStatus.RUNNING]
        eta = None
        if self.finished_this_run and left:
            eta = elapsed / self.finished_this_run * left
        elif not left:
            eta = 0.0
        return DubTotals(
            rows=len(self.records),
            queued=counts[RowStatus.QUEUED],
            running=counts[RowStatus.RUNNING],
            done=counts[RowStatus.DONE],
            failed=counts[RowStatus.FAILED],
            spent_seconds=spent,
            elapsed=elapsed,
            eta_seconds=eta,
        )

    def update(self, index: int, record: RowRecord, kind: str | None = None, message: str | None = None) -> None:
        """Record a row's new state on disk first, then report it.

        A report that cannot be written (a full disk) stops the run: no new row starts, the rows
        in flight keep their state in memory, and ``dub_many`` ends with one clear error.
        """
        self.records[index] = record
        try:
            save_report(self.out_dir, self.records)
        except OSError as exc:
            self.report_error = self.report_error or exc
        if kind is not None:
            self.emit(kind, index, message=message)

    def emit(self, kind: str, index: int | None, *, message: str | None = None) -> None:
        record = self.records[index] if index is not None else None
        self.events.put_nowait(
            DubEvent(
                kind=kind,
                totals=self.totals(),
                row=index,
                job_id=record.job_id if record else None,
                output=record.output if record and record.status == RowStatus.DONE else None,
                message=message if message is not None else (record.failure_message if record else None),
            )
        )

    # -- uploads ------------------------------------------------------------------------

    async def _asset_for(self, source: FileSource, key: str, field_name: str) -> str:
        path = str(expand_user(source.path).resolve())
        task = self.assets.get(path)
        if task is None:
            # One upload per distinct file for the whole run (one audio for every video is common).
            task = asyncio.ensure_future(self._upload(Path(path), f"{key}:{field_name}"))
            self.assets[path] = task
        return await asyncio.shield(task)

    async def _upload(self, path: Path, key: str) -> str:
        async with self.upload_pool:
            return (await self.client.upload(path, idempotency_key=key)).asset_id

    async def prepared(self, index: int) -> LipsyncRequest:
        """The row's request with its local files replaced by uploaded assets."""
        request = self.rows[index].request
        key = self.records[index].row_id
        sources = {name: src for name, src in (("video", request.video), ("audio", request.audio))}
        replaced = {
            name: AssetSource(await self._asset_for(src, key, name))
            for name, src in sources.items()
            if isinstance(src, FileSource)
        }
        return request.with_sources(**replaced) if replaced else request

    # -- one row ------------------------------------------------------------------------

    async def start_row(self, index: int, ready: asyncio.Task[LipsyncRequest]) -> None:
        """Create the row's job once a slot is free; a failure is recorded on the row, never raised."""
        record = self.records[index]
        try:
            request = await ready  # uploads first: a slot is not held idle while a file goes up
        except HeyGenError as exc:
            self._create_failed(index, exc)
            return
        await self.slots.acquire()
        try:
            # The job is the row's content (files hashed, not the assets this run uploaded), so two runs
            # of one folder, or a run and an earlier create of the same files, meet in the spend
            # authority: the second waits for or reuses the first's job instead of paying again.
            (job,) = await self.client.prepare([self.rows[index].request])
            try:
                # Under the row's key (a rerun replays a create whose answer was lost); a retry of a failed
                # row is a new job on purpose, never the failed one again.
                outcome = await self.client.submit(
                    job, idempotency_key=record.key, sources=request, new_job=record.attempt > 1
                )
            finally:
                job.close()
            job_id = outcome.id
        except HeyGenError as exc:
            self.slots.release()
            self._create_failed(index, exc)
            return
        except BaseException:
            self.slots.release()
            raise
        running = record.with_status(RowStatus.RUNNING, job_id=job_id, failure_message=None)
        if job_id in self.in_flight:  # another row of this run has the very same job: follow it
            self.slots.release()
            self.followers.setdefault(job_id, []).append(index)
            self.update(index, running, "created")
            return
        self.created_at[job_id] = time.monotonic()
        self.in_flight[job_id] = index
        self.update(index, running, "created")
        self.wake.set()

    def _create_failed(self, index: int, exc: HeyGenError) -> None:
        record = self.records[index]
        message = str(exc)
        if isinstance(exc, APIError) and exc.idempotency_key is not None:
            # The job may exist: only a rerun with the same key (which replays it) is safe.
            status, message = RowStatus.INCOMPLETE, f"{message} (outcome unknown: rerun to resume with the same key)"
        else:
            status = RowStatus.FAILED
        self.update(index, record.with_status(status, failure_message=message), status)

    async def finish_row(self, job_id: str, index: int) -> None:
        """Fetch a finished job and download its output; a failure is recorded on the row."""
        record = self.records[index]
        last: HeyGenError | None = None
        for _ in range(_DOWNLOAD_ATTEMPTS):
            try:
                detail = await self.client.get(job_id)
                if detail.is_failed:
                    message = detail.failure_message or "the job failed (HeyGen gave no reason)"
                    self.update(index, record.with_status(RowStatus.FAILED, failure_message=message), "failed")
                    return
                if not detail.is_completed:  # statuses ran ahead of the detail: poll it again
                    if job_id in self.in_flight:
                        self.followers.setdefault(job_id, []).append(index)
                    else:
                        self.slots.take()
                        self.in_flight[job_id] = index
                    return
                result = await self._download(detail, Path(record.output))
            except NotFoundError as exc:
                self.update(index, record.with_status(RowStatus.FAILED, failure_message=str(exc)), "failed")
                return
            except HeyGenError as exc:  # expired URL, storage hiccup: fetch fresh URLs and try again
                last = exc
                continue
            caption = str(result.caption_path) if result.caption_path else None
            done = record.with_status(RowStatus.DONE, failure_message=None, caption=caption)
            self.update(index, done, "done")
            return
        message = f"download failed: {last}; rerun to download it again (the job is not paid twice)"
        self.update(index, record.with_status(RowStatus.INCOMPLETE, failure_message=message), "incomplete")

    async def _download(self, detail: Any, target: Path) -> Any:
        from heygen_lipsync.models import DownloadResult

        ledger = self.client.ledger
        mine = (
            ledger is not None and (saved := ledger.find_download(target)) is not None and saved.lipsync_id == detail.id
        ) or (str(target) in self.missing_at_start and target.exists())
        if mine and (not self.captions or target.with_suffix(".srt").exists()):
            # This product saved this job's video there (downloads are renamed into place only when complete).
            srt = target.with_suffix(".srt")
            return DownloadResult(video_path=target, caption_path=srt if srt.exists() else None)
        target.parent.mkdir(parents=True, exist_ok=True)
        # A file this product did not write for this job is never replaced: the row fails, saying so.
        return await self.client.download(detail, target, captions=self.captions, overwrite=mine)

    # -- polling ------------------------------------------------------------------------

    def _interval(self, rounds: int) -> float:
        return next_round(self.poll_interval, self.durations, self.created_at, self.in_flight, self.start, rounds)

    async def poll(self, finishing: set[asyncio.Task[None]]) -> None:
        """One statuses request per round for every job in flight, until the run ends."""
        rounds = 0
        reached = False
        while True:
            if not self.in_flight:
                self.wake.clear()
                await self.wake.wait()
                continue
            await pause(self._interval(rounds), self.waker, list(self.in_flight))
            rounds += 1
            ids = list(self.in_flight)
            try:
                entries = await self.client.statuses(lipsync_ids=ids)
            except _TRANSIENT:
                if not reached:
                    raise  # never reached the API: an outage or a wrong URL should not spin forever
                continue
            reached = True
            for entry in entries:
                job_id = entry.lipsync_id
                if (
                    job_id is None
                    or job_id not in self.in_flight
                    or not (entry.is_finished or entry.status == "not_found")
                ):
                    continue
                index = self.in_flight.pop(job_id)
                # The account's slot is free as soon as the job finished: start the next row now.
                self.slots.release()
                if job_id in self.created_at:
                    self.durations.append(time.monotonic() - self.created_at.pop(job_id))
                for row in (index, *self.followers.pop(job_id, ())):
                    self.finished_this_run += 1
                    task = asyncio.ensure_future(self.finish_row(job_id, row))
                    finishing.add(task)
                    task.add_done_callback(self.settled(finishing.discard))

    def settled(self, then: Callable[[Any], object] | None = None) -> Callable[[Any], None]:
        """A done-callback that wakes the event loop of ``_drive`` (so it sees the run settle)."""

        def callback(task: Any) -> None:
            if then is not None:
                then(task)
            self.events.put_nowait(None)

        return callback
