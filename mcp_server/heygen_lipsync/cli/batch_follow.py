"""`heygen-lipsync batch wait ID` and `batch download ID DIR`: follow a batch to the end, then save it.

``batch wait`` asks the statuses endpoint about every item at once each round (see
``batch_waiting``) and keeps one line of counts on stderr; it exits like ``wait``: 0 when every
item completed, 1 when any failed, 4 when the time ran out. ``batch download`` saves every
completed item into a directory, named by the item's title (or ``item-<index>``), never over
an existing file.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from heygen_lipsync._transport.pages import PageTokens
from heygen_lipsync.checks import check_id as check_lipsync_id
from heygen_lipsync.cli._errors import ExitCode, error_boundary
from heygen_lipsync.cli._hints import command
from heygen_lipsync.cli._input import local_path, parse_duration
from heygen_lipsync.cli._limits import check_id
from heygen_lipsync.cli._render import emit, note
from heygen_lipsync.cli._run import run_client
from heygen_lipsync.cli._state import state
from heygen_lipsync.cli._workflows import download_job
from heygen_lipsync.errors import APIError, ValidationError
from heygen_lipsync.polling import DEFAULT_POLL_INTERVAL

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient
    from heygen_lipsync.jobs.batch_wait import BatchRound

__all__ = ["register"]

_BatchId = Annotated[str, typer.Argument(help="The batch id.", show_default=False, metavar="ID", callback=check_id)]


class _CountsLine:
    """The live line of counts: rewritten in place on a terminal, one line per change elsewhere."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = ""

    def __call__(self, batch_round: BatchRound) -> None:
        text = f"{batch_round.batch_id}: {batch_round.summary()} after {batch_round.elapsed:.0f}s"
        if self.tty:
            sys.stderr.write("\r\x1b[2K" + text)
        elif batch_round.summary() != self.last:
            sys.stderr.write(text + "\n")
        self.last = batch_round.summary()
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty and self.last:
            sys.stderr.write("\n")


def wait(
    ctx: typer.Context,
    batch_id: _BatchId,
    timeout: Annotated[str, typer.Option("--timeout", help="How long to wait: seconds, or 90s, 20m, 1h.")] = "20m",
    poll_interval: Annotated[
        float, typer.Option("--poll-interval", min=1, clamp=True, help="Seconds before the first check (>= 1).")
    ] = DEFAULT_POLL_INTERVAL,
    listen: Annotated[
        str | None,
        typer.Option(
            "--listen",
            metavar="HOST:PORT",
            help="Also wake on deliveries to http://HOST:PORT/heygen-callback (the batch's --callback-url, or a "
            "webhook endpoint for batch.finished); each is confirmed with a GET. Default: "
            "HEYGEN_LIPSYNC_CALLBACK_LISTEN (polls only, with a warning, when that address is taken).",
        ),
    ] = None,
) -> None:
    """Wait for every item of a batch (a live line of counts on stderr). Exit 1 if any failed, 4 on timeout."""
    st = state(ctx)
    with error_boundary(st):
        seconds = parse_duration(timeout)

    async def work(client: AsyncLipsyncClient) -> BatchRound:
        from heygen_lipsync.jobs.batch_wait import wait_batch  # loaded when `batch wait` runs
        from heygen_lipsync.jobs.listener import caught_up_receiver

        waker = await caught_up_receiver(client, [batch_id], listen, field="--listen")
        if waker is not None:
            note(f"listening for {batch_id}'s batch.finished at {waker.url}")
        line = _CountsLine()
        try:
            last = await wait_batch(
                client, batch_id, timeout=seconds, on_round=line, poll_interval=poll_interval, waker=waker
            )
        finally:
            line.close()
        if last.finished and client.ledger is not None:  # `jobs` shows the batch's own final status
            client.ledger.set_status(batch_id, (await client.get_batch(batch_id, limit=1)).status)
        return last

    last = run_client(ctx, work)
    emit(st, [item.to_dict() for item in last.items], title=f"batch {batch_id}")
    if not last.finished:
        note(
            f"batch {batch_id} is still running ({last.summary()}); "
            f"resume with: {command(st, 'batch', 'wait', batch_id)}"
        )
        raise typer.Exit(int(ExitCode.WAIT_TIMEOUT))
    if last.counts.get("failed"):
        note(
            f"batch {batch_id}: {last.summary()}; save the completed ones with: "
            f"{command(st, 'batch', 'download', batch_id, '.')}"
        )
        raise typer.Exit(int(ExitCode.ERROR))
    note(f"batch {batch_id} completed; next: {command(st, 'batch', 'download', batch_id, '.')}")


_UNSAFE = re.compile(r"[^\w.-]+")


def _free_name(folder: Path, stem: str, taken: set[Path]) -> Path:
    """``<stem>.mp4`` in ``folder``, or ``<stem>-2.mp4``... : never an existing file (nor its .srt)."""
    n = 1
    while True:
        name = stem if n == 1 else f"{stem}-{n}"
        path = folder / f"{name}.mp4"
        if path not in taken and not path.exists() and not path.with_suffix(".srt").exists():
            taken.add(path)
            return path
        n += 1


async def _every_item(client: AsyncLipsyncClient, batch_id: str) -> list[Any]:
    """Every item of the batch, page after page; a page token seen before is a cycle (an error)."""
    items: list[Any] = []
    tokens = PageTokens(f"GET /v3/lipsyncs/batches/{batch_id}")
    token: str | None = None
    while True:
        batch = await client.get_batch(batch_id, token=token)
        items += batch.items
        if client.ledger is not None and token is None:  # `jobs` shows the batch's status as last seen
            client.ledger.set_status(batch_id, batch.status)
        token = tokens.next(batch.next_token, has_more=batch.has_more)
        if token is None:
            return items


def _item_id(batch_id: str, item: Any) -> str:
    """The item's lipsync id, when it is one (a server string: checked before it is used anywhere).

    Raises:
        APIError: ``unexpected_response`` naming the item's ``video_id``.
    """
    try:
        return check_lipsync_id(item.lipsync_id, "video_id")
    except ValidationError:
        raise APIError(
            f"unexpected response: item {item.item_index} of batch {batch_id} has the video_id "
            f"{item.lipsync_id!r}, which is not a lipsync id; nothing was saved for it",
            code="unexpected_response",
        ) from None


def download(
    ctx: typer.Context,
    batch_id: _BatchId,
    folder: Annotated[str, typer.Argument(help="The directory to save into (created if missing).", metavar="DIR")],
    captions: Annotated[bool, typer.Option("--captions", help="Also save each item's SRT captions.")] = False,
) -> None:
    """Save every completed item of a batch into DIR, named by title (or item index); never overwrites."""
    st = state(ctx)
    with error_boundary(st):
        dest = local_path(folder, param="DIR")

    async def work(client: AsyncLipsyncClient) -> list[dict[str, Any]]:
        items = await _every_item(client, batch_id)
        dest.mkdir(parents=True, exist_ok=True)
        saved: list[dict[str, Any]] = []
        taken: set[Path] = set()
        for item in sorted(items, key=lambda i: i.item_index):
            if item.status != "completed" or not item.lipsync_id:
                continue
            lipsync_id = _item_id(batch_id, item)
            lipsync = await client.get(lipsync_id)
            stem = _UNSAFE.sub("_", lipsync.title or "").strip("._") or f"item-{item.item_index}"
            path = _free_name(dest, stem[:100], taken)
            result = await download_job(client, lipsync, path, overwrite=False, captions=captions)
            saved.append({"item_index": item.item_index, "lipsync_id": lipsync_id, **result})
        skipped = len(items) - len(saved)
        if skipped:
            note(f"{skipped} of {len(items)} items were not completed and were not saved")
        return saved

    emit(st, run_client(ctx, work), title=f"batch {batch_id} saved")


def register(app: typer.Typer) -> None:
    """Add ``wait`` and ``download`` to the ``batch`` command group."""
    app.command("wait", epilog="Examples:\n\n  heygen-lipsync batch wait b_123 --timeout 1h")(wait)
    app.command("download", epilog="Examples:\n\n  heygen-lipsync batch download b_123 dubbed/ --captions")(download)
