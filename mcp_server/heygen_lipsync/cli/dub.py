"""`heygen-lipsync dub`: dub a folder of videos or a manifest of any size, resumably (``campaign.dub_many``).

The command builds the rows (videos paired with audio by stem, or a manifest), shows one
summary and asks once before anything is spent, then follows the run: a live display on a
terminal, JSON lines of events on stdout otherwise. Exit codes: 0 every row done, 1 some
failed (``dub-report.jsonl`` says which and why), 4 stopped by ``--timeout``, 130 on Ctrl-C;
after 4 or 130 the same command resumes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import shlex
import sys
from contextlib import aclosing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import typer

from heygen_lipsync.cli import _dub_display as view
from heygen_lipsync.cli._errors import UsageProblem, error_boundary
from heygen_lipsync.cli._fields import field_flags, request_field_options
from heygen_lipsync.cli._group import CompactFlagsCommand
from heygen_lipsync.cli._input import build_request, local_path, merge_body, parse_duration, read_manifest
from heygen_lipsync.cli._render import emit, note, stderr_console
from heygen_lipsync.cli._run import run_client
from heygen_lipsync.cli._state import state
from heygen_lipsync.errors import ValidationError
from heygen_lipsync.jobs.campaign import (
    DEFAULT_MAX_CONCURRENT,
    DubEvent,
    DubRow,
    dub_many,
    plan_rows,
    preflight_seconds,
)
from heygen_lipsync.jobs.report import REPORT_NAME, load_report, output_paths, row_key

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient
    from heygen_lipsync.jobs.preflight import Preflight

__all__ = ["register"]

_AUDIO_SUFFIXES = (".mp3", ".wav", ".m4a", ".aac", ".mp4", ".mov", ".webm")
_VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".mkv")
_MAX_ROWS = 100_000
_TITLE_MAX = 255  # HeyGen's limit on a job's title

_EXAMPLES = """\
Examples:

  heygen-lipsync dub talks/*.mp4 --audio dubs/ --out dubbed/

  heygen-lipsync dub talks/*.mp4 --audio voice_fr.mp3 --out dubbed/ --mode precision --yes

  heygen-lipsync dub --manifest jobs.csv --out dubbed/ --captions --timeout 2h

Each video is paired with the audio of the same stem in --audio (a folder), or with the one
--audio file. A manifest is a CSV or JSON as `batch create` reads, of any length, with an
optional `output` column. Rerun the same command to resume: nothing finished is redone,
nothing in flight is created again; failed rows are retried with --retry-failed.
"""


def _pair(videos: list[str], audio: str) -> list[dict[str, Any]]:
    """Each video with its audio: the same stem in a folder, else the one audio for all.

    Raises:
        UsageProblem: a video has no audio of its stem in the folder.
    """
    folder = local_path(audio, param="--audio")
    if not folder.is_dir():
        return [{"video": video, "audio": audio} for video in videos]
    by_stem = {p.stem: p for p in sorted(folder.iterdir()) if p.suffix.lower() in _AUDIO_SUFFIXES}
    jobs = []
    for video in videos:
        match = by_stem.get(Path(video).stem)
        if match is None:
            raise UsageProblem(f"--audio: no audio named {Path(video).stem}.* in {folder} for {video}", param="audio")
        jobs.append({"video": video, "audio": str(match)})
    return jobs


def _expand_folders(videos: list[str]) -> list[str]:
    """VIDEOS as files: a folder given (``dub talks/``) stands for the videos in it, by name.

    Raises:
        UsageProblem: a folder holds no video.
    """
    found: list[str] = []
    for video in videos:
        folder = local_path(video, param="VIDEOS") if "://" not in video else None
        if folder is None or not folder.is_dir():
            found.append(video)
            continue
        inside = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _VIDEO_SUFFIXES)
        if not inside:
            pattern = shlex.quote(video.rstrip("/") + "/") + "*.mp4"
            raise UsageProblem(
                f"VIDEOS: {video} is a folder with no videos in it ({', '.join(_VIDEO_SUFFIXES)}); "
                f"pass the files to dub, e.g. {pattern}",
                param="videos",
            )
        found += [str(path) for path in inside]
    return found


def _row_error(index: int, field: str, reason: str) -> ValidationError:
    """A row's error, counted from 1 as the progress lines count (``param`` keeps the 0-based path)."""
    error = ValidationError(f"row {index + 1}: {field}", reason)
    error.field = f"rows[{index}].{field}"
    return error


def _title_of(video: Any) -> str | None:
    """A dub job's default title: the video's file name without its extension (so `list` tells episodes apart)."""
    text = str(video)
    name = urlsplit(text).path.rstrip("/").rsplit("/", 1)[-1] if "://" in text else Path(text).name
    stem = Path(name).stem if "." in name else None  # an asset id has no name worth showing
    return stem[:_TITLE_MAX] if stem else None


def _rows(
    videos: list[str], audio: str | None, manifest: str | None, flags: dict[str, Any], *, titles: bool = True
) -> list[DubRow]:
    """The rows to dub, each a validated request and its optional output path.

    ``titles``: a row without a title gets its video's name as one (see ``_as_started``).

    Raises:
        UsageProblem: neither videos nor a manifest, or both; videos without --audio.
        ValidationError: a row's field (``row 1: audio: ...``, param ``rows[0].audio``).
    """
    if bool(videos) == bool(manifest):
        raise UsageProblem("give either VIDEOS... with --audio, or --manifest FILE", param="manifest")
    if manifest:
        jobs, _ = read_manifest(manifest, limit=_MAX_ROWS)
    else:
        videos = _expand_folders(videos)
        if not audio:
            raise UsageProblem(
                "--audio is required with VIDEOS (a folder of audio by stem, or one file)", param="audio"
            )
        jobs = _pair(videos, audio)
    rows = []
    for index, job in enumerate(jobs):
        output = job.pop("output", None)
        if titles and not job.get("title") and not flags.get("title") and (title := _title_of(job.get("video"))):
            job["title"] = title
        try:
            request = build_request(merge_body(job, flags))
        except ValidationError as exc:
            raise _row_error(index, exc.field, exc.reason) from None
        rows.append(DubRow(request, Path(str(output)) if output else None))
    return rows


def _started_untitled(untitled: list[DubRow], out_dir: Path) -> bool:
    """Whether the report in ``out_dir`` is of a run started before jobs got default titles.

    A title is part of each row's identity (its Idempotency-Key); resuming such a run with
    titled rows would not find its rows and would create (and pay for) every job again.
    """
    earlier = load_report(out_dir)
    paths = output_paths(untitled, out_dir)
    return any(row_key(row, path) in earlier for row, path in zip(untitled, paths, strict=True))


def _preflight(rows: list[DubRow]) -> Preflight:
    """The library's preflight of every row; the first error refuses the run, named ``rows[i].<field>``.

    Raises:
        ValidationError: a row HeyGen would refuse or fail (before anything is sent).
    """
    from heygen_lipsync.jobs.preflight import preflight_batch  # loaded when `dub` runs, not at start-up

    pre = preflight_batch([row.request for row in rows])
    for finding in pre.errors:
        where = re.match(r"lipsyncs\[(\d+)\]\.(.+)", finding.field)
        if where is None:
            raise ValidationError(finding.field, finding.message)
        raise _row_error(int(where.group(1)), where.group(2), finding.message)
    return pre


def register(app: typer.Typer) -> None:
    """Add `dub` to the app."""
    app.command("dub", epilog=_EXAMPLES, cls=CompactFlagsCommand)(dub)


@request_field_options(after="manifest")
def dub(
    ctx: typer.Context,
    videos: Annotated[
        list[str] | None, typer.Argument(help="Videos to dub (files, URLs or asset ids).", show_default=False)
    ] = None,
    manifest: Annotated[
        str | None, typer.Option("--manifest", help="A .csv or .json manifest of rows (any number).", metavar="FILE")
    ] = None,
    out: Annotated[str, typer.Option("--out", help="Output folder (holds dub-report.jsonl).", metavar="DIR")] = ".",
    max_concurrent: Annotated[
        int,
        typer.Option(
            "--max-concurrent",
            min=1,
            envvar="HEYGEN_LIPSYNC_MAX_CONCURRENT",
            help="Unfinished jobs at most (your account's limit); with a shared store, across all workers.",
        ),
    ] = DEFAULT_MAX_CONCURRENT,
    captions: Annotated[bool, typer.Option("--captions", help="Also download each job's captions (.srt).")] = False,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Retry rows that failed in an earlier run (pays again).")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before spending.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the summary and stop; nothing is sent.")] = False,
    timeout: Annotated[
        str | None, typer.Option("--timeout", help="Stop after this long (e.g. 2h); rerun to resume.")
    ] = None,
    **fields: Any,
) -> None:
    """Dub many videos: pair, upload, create at your concurrency limit, download; rerun to resume."""
    st = state(ctx)
    with error_boundary(st):
        # --audio pairs with VIDEOS; with a manifest it is a flag like the others, for every row.
        audio = fields.pop("audio", None) if videos else None
        flags = field_flags({k: v for k, v in fields.items() if k != "video"})
        if fields.get("video"):
            raise UsageProblem("give the videos as arguments, not --video", param="video")
        rows = _rows(list(videos or []), audio, manifest, flags)
        out_dir = local_path(out, param="--out")
        if (out_dir / REPORT_NAME).is_file():
            untitled = _rows(list(videos or []), audio, manifest, flags, titles=False)
            rows = untitled if _started_untitled(untitled, out_dir) else rows  # resume it as it was started
        seconds = parse_duration(timeout) if timeout else None
        pre = _preflight(rows)
        plan_rows(rows, out_dir)  # two rows naming one output are refused here, before any request
        if dry_run:  # sends nothing, so no balance
            report = view.summary(pre)
            note(view.summary_line(report))
            planned = view.pairs(rows, out_dir)
            if st.is_human:  # which audio goes with which video, and where each dub goes
                table = [{**pair, **{k: view.shown(pair[k]) for k in ("video", "audio", "output")}} for pair in planned]
                emit(st, table, columns=("row", "video", "audio", "output", "title"), title="dry run: nothing sent")
            else:
                emit(st, {**report, "pairs": planned})
            return
        if not (yes or st.sandbox) and not stdin_is_terminal():
            raise UsageProblem("confirm the spend with --yes (stdin is not a terminal to ask on)", param="yes")

    async def work(client: AsyncLipsyncClient) -> int:
        # The balance is read (never a spend) so the one question shows it; an estimate above it is refused.
        from heygen_lipsync.jobs.preflight import check_spend, with_balance

        fresh = await _rows_to_pay(client, rows, out_dir, retry_failed=retry_failed)
        if not fresh:
            note("every row was created in an earlier run: nothing new to pay for; following them")
        else:
            priced = await with_balance(dataclasses.replace(pre, items=tuple(pre.items[i] for i in fresh)), client)
            note(view.summary_line(view.summary(priced)))
            check_spend(priced)
            if not (yes or st.sandbox) and not typer.confirm("Start these jobs?", default=False, err=True):
                note("nothing was sent")  # as `create` says on a no
                raise typer.Exit(1)
        display = view.Display(st)
        last: DubEvent | None = None
        try:
            async with (
                asyncio.timeout(seconds),
                aclosing(
                    dub_many(
                        client,
                        rows,
                        out_dir,
                        max_concurrent=max_concurrent,
                        captions=captions,
                        retry_failed=retry_failed,
                        measure=preflight_seconds,
                    )
                ) as events,
            ):
                async for event in events:
                    display.show(event)
                    last = event
        except TimeoutError:
            display.close()
            note(f"stopped by --timeout; resume with: {_resume_command()}")
            return 4
        finally:
            display.close()  # Ctrl-C too: the live view stops before the last line is written
        failed = last.totals.failed if last else 0
        note(f"{view.totals_line(last) if last else 'nothing to do'}; report: {out_dir / REPORT_NAME}")
        return 1 if failed else 0

    try:
        code = run_client(ctx, work)
    except typer.Exit as exc:
        if exc.exit_code == 130:
            # The terminal echoed "^C" where the cursor was: start the line below it.
            newline = "\n" if stderr_console().is_terminal else ""
            note(f"{newline}interrupted; resume with: {_resume_command()}")
        raise
    raise typer.Exit(code)


async def _rows_to_pay(
    client: AsyncLipsyncClient, rows: list[DubRow], out_dir: Path, *, retry_failed: bool
) -> list[int]:
    """The rows a run would create (and pay for): not created in an earlier run, nor covered by an earlier job.

    The run's report says which rows have a job (or may: an unknown outcome is resent under its
    key, not paid again); the ledger says which rows' content another create already made.
    """
    from heygen_lipsync.jobs.report import RowStatus, load_report

    report = load_report(out_dir)
    done = {RowStatus.RUNNING, RowStatus.DONE, RowStatus.INCOMPLETE}
    if not retry_failed:
        done.add(RowStatus.FAILED)
    records = plan_rows(rows, out_dir)
    left = [i for i, r in enumerate(records) if (report.get(r.row_id) is None or report[r.row_id].status not in done)]
    if not left:
        return []
    jobs = await client.prepare([rows[i].request for i in left], batch=True)
    try:
        quote = await client.quote(jobs)
    finally:
        for job in jobs:
            job.close()
    return [row for n, row in enumerate(left) if n not in quote.reused]


def stdin_is_terminal() -> bool:
    """Whether a person can answer the question (``lipsyncs.stdin_is_terminal``: the one seam tests patch)."""
    from heygen_lipsync.cli.lipsyncs import stdin_is_terminal as seam

    return seam()


def _resume_command() -> str:
    return shlex.join(["heygen-lipsync", *sys.argv[1:]])
