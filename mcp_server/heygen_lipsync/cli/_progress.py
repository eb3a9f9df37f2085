"""Progress on stderr: upload/download bars and the live status line of a wait."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from heygen_lipsync.cli._render import stderr_console

if TYPE_CHECKING:  # uploads (and the generated upload calls) load when a command uploads
    from heygen_lipsync.resources.uploads import UploadEvent, UploadEvents

__all__ = ["WaitLine", "WaitReporter", "slot_wait_notes", "transfer_progress", "upload_progress"]


def _bar_columns() -> tuple[Any, ...]:
    """Fresh columns per bar display (rich columns keep per-display state)."""
    return (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )


@contextmanager
def transfer_progress(label: str) -> Iterator[Callable[[int, int | None], None]]:
    """Progress of uploads/downloads on stderr; yields ``on_progress(done, total_or_None)``.

    On a terminal it is a live bar; otherwise one line when a transfer starts and one when it
    ends. ``done`` going backwards means the next file (``create`` uploads video, then audio).
    """
    console = stderr_console()
    last: dict[str, int | None] = {}
    if not console.is_terminal:

        def log(done: int, total: int | None) -> None:
            if _next_file(last, done, total):
                console.print(f"{label}: {total if total is not None else 'unknown'} bytes", markup=False)
            if total and done >= total:
                console.print(f"{label}: done", markup=False)

        yield log
        return
    with Progress(*_bar_columns(), console=console, transient=False) as progress:
        tasks: list[TaskID] = []

        def update(done: int, total: int | None) -> None:
            if _next_file(last, done, total) or not tasks:
                tasks.append(progress.add_task(label, total=None))
            progress.update(tasks[-1], completed=done, total=total or None)

        yield update


@contextmanager
def upload_progress() -> Iterator[UploadEvents]:
    """Progress of ``create``'s uploads on stderr, one bar (or start and end line) per file, named by it.

    The events say which field and file the bytes are for and which attempt sends them, so a
    bar never has to guess where one file ends (a retry starts a bar of its own).
    """
    from heygen_lipsync.models import ASSET_WAITING_STATUSES
    from heygen_lipsync.resources.uploads import UploadEvents

    console = stderr_console()
    started: set[tuple[str, str, int]] = set()
    waited: set[str] = set()

    def asset_wait(asset_id: str, status: str, elapsed: float) -> None:
        # One line per asset: the bar has ended, and HeyGen may take a while before the create.
        if status in ASSET_WAITING_STATUSES and asset_id not in waited:
            waited.add(asset_id)
            console.print(f"waiting for HeyGen to finish processing asset {asset_id} ({status})", markup=False)

    def label(event: UploadEvent) -> str:
        again = f" (attempt {event.attempt})" if event.attempt > 1 else ""
        return f"uploading {event.field} {event.path.name}{again}"

    if not console.is_terminal:

        def log(event: UploadEvent) -> None:
            key = (event.field, str(event.path), event.attempt)
            if key not in started:
                started.add(key)
                console.print(f"{label(event)}: {event.total} bytes", markup=False)
            if event.total and event.sent >= event.total:
                console.print(f"{label(event)}: done", markup=False)

        yield UploadEvents(log, on_asset_wait=asset_wait)
        return
    with Progress(*_bar_columns(), console=console, transient=False) as progress:
        tasks: dict[tuple[str, str, int], TaskID] = {}

        def update(event: UploadEvent) -> None:
            key = (event.field, str(event.path), event.attempt)
            if key not in tasks:
                tasks[key] = progress.add_task(label(event), total=event.total or None)
            progress.update(tasks[key], completed=event.sent)

        yield UploadEvents(update, on_asset_wait=asset_wait)


@contextmanager
def slot_wait_notes() -> Iterator[None]:
    """Inside, a create that meets a 429 (HeyGen's cap on running jobs) says it waits for a slot.

    Without it the command looks hung: the client waits out Retry-After silently.
    """
    from heygen_lipsync.upload_events import rate_limit_wait

    console = stderr_console()

    def say(where: str, seconds: float) -> None:
        if where.startswith("POST /v3/lipsync"):
            what = "HeyGen's limit of running jobs is reached (jobs already running); waiting for a slot"
        else:
            what = f"HeyGen asks to slow down ({where})"
        console.print(f"{what}: retrying in {seconds:.0f}s", markup=False)

    token = rate_limit_wait.set(say)
    try:
        yield
    finally:
        rate_limit_wait.reset(token)


def _next_file(last: dict[str, int | None], done: int, total: int | None) -> bool:
    """Whether this progress report starts a new file (the first, or one after a finished file)."""
    new = not last or last["total"] != total or (last["done"] or 0) > done or last["finished"] == 1
    last.update(done=done, total=total, finished=int(bool(total) and done >= (total or 0)))
    return new


class WaitLine:
    """The wait's status line, worded at each render: its seconds count from the job's ``created_at``.

    A rich renderable: the live display re-renders it several times a second, so the count
    ticks every second between polls (which may be a minute apart for a long job), and it
    says how long the job has existed, not how long this command has waited.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._id = "?"
        self._status = "unknown"
        self._since: float | None = None  # the job's created_at (epoch seconds), else the first poll

    def update(self, lipsync: Any, elapsed: float) -> None:
        """Take the latest poll's job (id, status, created_at) and the wait's own elapsed seconds."""
        self._id = str(getattr(lipsync, "id", "?"))
        self._status = str(getattr(lipsync, "status", "unknown"))
        created = getattr(lipsync, "created_at", None)
        if isinstance(created, int | float) and not isinstance(created, bool) and created > 0:
            self._since = float(created)
        elif self._since is None:
            self._since = self._clock() - elapsed

    @property
    def status(self) -> str:
        """The job's status at the latest poll."""
        return self._status

    def plain(self) -> str:
        """The line as text now, e.g. ``ls_1: processing (1m05s)``."""
        seconds = max(0, int(self._clock() - self._since)) if self._since is not None else 0
        return f"{self._id}: {self._status} ({_age(seconds)})"

    def __rich__(self) -> Text:
        return Text(self.plain())


def _age(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class WaitReporter:
    """The live status line of ``wait`` / ``create --wait`` on stderr.

    On a terminal, a spinner line that ticks every second (see ``WaitLine``); otherwise one
    line per change of status, so logs stay short. Use as ``on_progress(lipsync, elapsed)``.
    """

    def __init__(self) -> None:
        self._console = stderr_console()
        self._last: str | None = None
        self._line = WaitLine()
        self._polled = False
        self._status: Any = None

    def __enter__(self) -> WaitReporter:
        if self._console.is_terminal:
            self._status = self._console.status("waiting for the job ...")
            self._status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(None, None, None)
            if self._polled:
                self._console.print(self._line.plain(), markup=False)  # the spinner vanishes; its last word stays

    def __call__(self, lipsync: Any, elapsed: float) -> None:
        self._line.update(lipsync, elapsed)
        self._polled = True
        if self._status is not None:
            self._status.update(self._line)  # re-rendered by the live display: it ticks between polls
        elif self._line.status != self._last:
            self._console.print(self._line.plain(), markup=False)
        self._last = self._line.status
