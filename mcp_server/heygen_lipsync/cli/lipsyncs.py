"""Commands on lipsync jobs and assets: create, get, list, update, delete, wait, download, upload, status."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..waiting import DEFAULT_POLL_INTERVAL
from ._confirm import DryRunOption, SpendQuestion, YesOption
from ._destinations import check_folder_named
from ._errors import UsageProblem, error_boundary
from ._fields import field_flags, request_field_options
from ._group import CompactFlagsCommand
from ._hints import command
from ._input import build_request, local_path, merge_body, read_body
from ._limits import check_id, check_ids, check_token
from ._progress import transfer_progress
from ._render import emit, note
from ._run import run_client
from ._schema import schema_option
from ._state import CliState, state
from ._workflows import CreatePlan, create_job, delete_job_uploads, download_job, wait_and_save

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from ..client import AsyncLipsyncClient

__all__ = ["register"]

# Shared option types.
_Id = Annotated[
    str,
    typer.Argument(help="The lipsync's id (e.g. ls_abc123).", show_default=False, metavar="ID", callback=check_id),
]
_Timeout = Annotated[
    str, typer.Option("--timeout", help="How long to wait: seconds, or forms like 90s, 20m, 1h.", show_default=True)
]
_PollInterval = Annotated[
    float,
    # The floor: 0 made a 3-second job cost 2,258 polls (clamped, so scripts passing 0 keep working).
    typer.Option(
        "--poll-interval",
        min=1,
        clamp=True,
        help="Seconds before the first status check, at least 1 s (less counts as 1); doubles up to 30 s.",
    ),
]
_Overwrite = Annotated[bool, typer.Option("--overwrite", help="Replace an existing file at the destination.")]
_IdemKey = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key", help="Repeat-safe key (1-255 of A-Za-z0-9_:.-): a retry replays the first response."
    ),
]
_DeleteUploads = Annotated[
    bool,
    typer.Option(
        "--delete-uploads",
        help="Once the job has finished (and is saved, with --download), delete the files this create uploaded "
        "from HeyGen (never assets passed by id).",
    ),
]
_Data = Annotated[
    str | None,
    typer.Option("-d", "--data", help="Request body: inline JSON, a file path, or - for stdin. Flags override it."),
]
_LIPSYNC_COLUMNS = ("id", "status", "title", "duration", "created_at")
_DETAIL = "LipsyncDetail"


@request_field_options(after="data")
def create(
    ctx: typer.Context,
    data: _Data = None,
    idempotency_key: _IdemKey = None,
    new: Annotated[
        bool,
        typer.Option("--new", help="Make a new job even if the ledger holds an identical earlier one (it is reused)."),
    ] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Wait until the job finishes; print the finished job.")] = False,
    timeout: _Timeout = "20m",
    poll_interval: _PollInterval = DEFAULT_POLL_INTERVAL,
    download: Annotated[
        str | None,
        typer.Option("--download", metavar="PATH", help="Save the output video here when done (implies --wait)."),
    ] = None,
    overwrite: _Overwrite = False,
    delete_uploads: _DeleteUploads = False,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    request_schema: Annotated[bool, schema_option("request", "CreateLipsyncRequest")] = False,
    response_schema: Annotated[bool, schema_option("response", "create")] = False,
    **fields: Any,
) -> None:
    """Create a lipsync job: dub VIDEO with AUDIO. Shows the estimate and asks first (not in the sandbox).

    Prints {"lipsync_id"}, or the finished job with --wait.
    """
    st = state(ctx)
    with error_boundary(st):
        flags = field_flags(fields)  # one flag per request field of the spec (see _fields.py)
        request = build_request(merge_body(read_body(data) if data is not None else None, flags))
        plan = CreatePlan.of(
            idempotency_key=idempotency_key,
            wait=wait,
            timeout=timeout,
            poll_interval=poll_interval,
            download=download,
            overwrite=overwrite,
            new_job=new,
            st=st,
            delete_uploads=delete_uploads,
        )
        question = SpendQuestion.of(st, yes=yes, dry_run=dry_run)
    emit(
        st,
        run_client(ctx, lambda client: question.run(client, [request], lambda: create_job(st, client, request, plan))),
    )


@request_field_options(after="data")
def estimate(
    ctx: typer.Context,
    data: _Data = None,
    **fields: Any,
) -> None:
    """The preflight of a create as JSON: checks, output length, price and balance. Sends nothing."""
    st = state(ctx)
    with error_boundary(st):
        request = build_request(merge_body(read_body(data) if data is not None else None, field_flags(fields)))
    question = SpendQuestion(sandbox=st.sandbox, yes=True, dry_run=True)

    async def work(client: AsyncLipsyncClient) -> Any:
        return (await question.run(client, [request], _never))["preflight"]

    emit(st, run_client(ctx, work))


async def _never() -> dict[str, Any]:
    raise AssertionError("estimate never creates")  # pragma: no cover - dry_run returns first


def get(
    ctx: typer.Context, lipsync_id: _Id, response_schema: Annotated[bool, schema_option("response", _DETAIL)] = False
) -> None:
    """Show one lipsync job: its status and, once completed, its video URL."""
    emit(state(ctx), run_client(ctx, lambda client: _dict(client.get(lipsync_id)), subject=lipsync_id))


def list_(
    ctx: typer.Context,
    limit: Annotated[int | None, typer.Option("--limit", min=1, max=100, help="Jobs per page (1-100).")] = None,
    token: Annotated[
        str | None, typer.Option("--token", help="The next_token of the previous page.", callback=check_token)
    ] = None,
    all_pages: Annotated[bool, typer.Option("--all", help="Follow every page; prints all jobs as one page.")] = False,
    response_schema: Annotated[bool, schema_option("response", "list")] = False,
) -> None:
    """List lipsync jobs, newest first, one page at a time ({"data", "has_more", "next_token"})."""
    st = state(ctx)
    if all_pages and token:
        with error_boundary(st):
            raise UsageProblem("--all follows every page from the first; drop --token", param="token")

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        if all_pages:
            items = [job.to_dict() async for job in client.iter_lipsyncs(page_size=limit)]
            return {"data": items, "has_more": False, "next_token": None}
        return (await client.list(limit=limit, token=token)).to_dict()

    _emit_page(st, run_client(ctx, work), limit)


def _emit_page(st: CliState, page: dict[str, Any], limit: int | None) -> None:
    """A page as JSON, or for a person its jobs as a table and the command for the next page."""
    if not st.is_human:
        emit(st, page)
        return
    emit(st, page["data"], columns=_LIPSYNC_COLUMNS, title="lipsyncs")
    if page["has_more"]:
        same_size = ["--limit", str(limit)] if limit is not None else []  # the next page as long as this one
        note(f"more: {command(st, 'list', *same_size, '--token', page['next_token'])}")


def update(
    ctx: typer.Context,
    lipsync_id: _Id,
    title: Annotated[str, typer.Option("--title", help="The new title.", show_default=False)],
    request_schema: Annotated[bool, schema_option("request", "UpdateLipsyncRequest")] = False,
    response_schema: Annotated[bool, schema_option("response", _DETAIL)] = False,
) -> None:
    """Rename a lipsync job."""
    emit(state(ctx), run_client(ctx, lambda client: _dict(client.update(lipsync_id, title=title)), subject=lipsync_id))


def delete(
    ctx: typer.Context,
    lipsync_id: _Id,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Do not ask; needed when stdin is not a terminal.")
    ] = False,
    response_schema: Annotated[bool, schema_option("response", "LipsyncDeleteResponse")] = False,
) -> None:
    """Delete a lipsync job. Asks y/N on a terminal; elsewhere it refuses without --force."""
    st = state(ctx)
    if not force:
        if not stdin_is_terminal():
            with error_boundary(st):
                raise UsageProblem(f"not deleting {lipsync_id}: no terminal to confirm on; pass --force", param="force")
        # The title says which job this is: an id alone is easy to mistype for another.
        title = run_client(ctx, lambda client: _title_of(client, lipsync_id), subject=lipsync_id)
        if not typer.confirm(f"Delete lipsync {_named(lipsync_id, title)}?", default=False, err=True):
            note("not deleted")
            raise typer.Exit(1)
    else:
        title = None
    deleted = run_client(ctx, lambda client: client.delete(lipsync_id), subject=lipsync_id)
    note(f"deleted {_named(deleted, title)}")
    emit(st, {"id": deleted})


async def _title_of(client: AsyncLipsyncClient, lipsync_id: str) -> str | None:
    return (await client.get(lipsync_id)).title


def _named(lipsync_id: str, title: str | None) -> str:
    return f'{lipsync_id} ("{title}")' if title else lipsync_id


def wait(
    ctx: typer.Context,
    lipsync_id: _Id,
    timeout: _Timeout = "20m",
    poll_interval: _PollInterval = DEFAULT_POLL_INTERVAL,
    download: Annotated[
        str | None, typer.Option("--download", help="Then save the video to this file or directory.", metavar="PATH")
    ] = None,
    overwrite: _Overwrite = False,
    delete_uploads: _DeleteUploads = False,
    response_schema: Annotated[bool, schema_option("response", _DETAIL)] = False,
) -> None:
    """Wait for a job to finish (live status on stderr); print it. Exit 1 if it failed, 4 on timeout."""
    st = state(ctx)
    with error_boundary(st):
        plan = CreatePlan.of(
            idempotency_key=None,
            wait=True,
            timeout=timeout,
            poll_interval=poll_interval,
            download=download,
            overwrite=overwrite,
            delete_uploads=delete_uploads,
        )
    if plan.save_to is not None:
        st.resume_download, st.resume_overwrite = download, overwrite

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        return (await wait_and_save(st, client, lipsync_id, plan)).to_dict()

    emit(st, run_client(ctx, work, subject=lipsync_id))


def download(
    ctx: typer.Context,
    lipsync_id: _Id,
    path: Annotated[
        str | None,
        typer.Argument(help="File or directory to save to (default: ./ID.mp4).", show_default=False, metavar="PATH"),
    ] = None,
    captions: Annotated[bool, typer.Option("--captions", help="Also save the SRT captions beside the video.")] = False,
    overwrite: _Overwrite = False,
    delete_uploads: _DeleteUploads = False,
) -> None:
    """Download a completed job's video (and captions). Prints where the files went."""
    st = state(ctx)
    with error_boundary(st):
        dest = local_path(path, param="PATH") if path is not None else Path.cwd()
        if path is not None:
            check_folder_named(dest, path, param="PATH")

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        saved = await download_job(client, lipsync_id, dest, overwrite=overwrite, captions=captions)
        if delete_uploads:
            await delete_job_uploads(client, lipsync_id)
        return saved

    emit(st, run_client(ctx, work, subject=lipsync_id))


def upload(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="The file to upload (mp4, mov, webm, mp3, wav, ...).", metavar="PATH")],
    idempotency_key: _IdemKey = None,
    response_schema: Annotated[bool, schema_option("response", "UploadAssetV3Response")] = False,
) -> None:
    """Upload a file as an asset; use its asset_id as --video or --audio."""
    st = state(ctx)
    with error_boundary(st):
        file = local_path(path, param="PATH")

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        with transfer_progress(f"uploading {file.name}") as progress:
            asset = await client.upload(file, idempotency_key=idempotency_key, on_progress=progress)
        return asset.to_dict()

    emit(st, run_client(ctx, work))


def status(
    ctx: typer.Context,
    lipsync_ids: Annotated[
        list[str] | None, typer.Argument(help="Lipsync ids.", show_default=False, metavar="ID...", callback=check_ids)
    ] = None,
    batch_ids: Annotated[
        list[str] | None, typer.Option("--batch", help="A batch id (repeatable).", callback=check_ids)
    ] = None,
    response_schema: Annotated[bool, schema_option("response", "statuses")] = False,
) -> None:
    """Statuses of many jobs (and batches) in one request; unknown ids say not_found."""
    st = state(ctx)
    if not lipsync_ids and not batch_ids:
        with error_boundary(st):
            raise UsageProblem("give at least one lipsync id or --batch id", param="lipsync_ids")

    async def work(client: AsyncLipsyncClient) -> list[dict[str, Any]]:
        entries = await client.statuses(lipsync_ids=lipsync_ids or (), batch_ids=batch_ids or ())
        return [entry.to_dict() for entry in entries]

    emit(st, run_client(ctx, work), title="statuses")


def stdin_is_terminal() -> bool:
    """Whether a person can answer a prompt (a seam for tests)."""
    return sys.stdin.isatty()


async def _dict(result: Any) -> dict[str, Any]:
    value = await result
    return value.to_dict()  # type: ignore[no-any-return]


_EXAMPLES = {
    "create": [
        "heygen-lipsync create --video clip.mp4 --audio voice.wav --wait --download dubbed.mp4",
        "heygen-lipsync create --video https://example.com/in.mp4 --audio asset_123 --mode precision",
        "heygen-lipsync create -d body.json --title 'Override the body title'",
        "cat body.json | heygen-lipsync create -d - --idempotency-key job-42",
        "heygen-lipsync create --request-schema",
    ],
    "get": ["heygen-lipsync get ls_abc123", "heygen-lipsync --human get ls_abc123"],
    "list": ["heygen-lipsync list --limit 20", "heygen-lipsync list --all | jq '.data[].id'"],
    "update": ["heygen-lipsync update ls_abc123 --title 'Final cut'"],
    "delete": ["heygen-lipsync delete ls_abc123", "heygen-lipsync delete ls_abc123 --force"],
    "wait": ["heygen-lipsync wait ls_abc123 --timeout 1h"],
    "download": ["heygen-lipsync download ls_abc123 out.mp4", "heygen-lipsync download ls_abc123 outdir/ --captions"],
    "upload": ["heygen-lipsync upload voice.wav | jq -r .asset_id"],
    "status": ["heygen-lipsync status ls_abc123 ls_def456", "heygen-lipsync status --batch b_123"],
    "estimate": ["heygen-lipsync estimate --video clip.mp4 --audio voice.wav --mode precision"],
}


def examples(name: str) -> str:
    """The epilog of a command: its examples, one per paragraph."""
    return "Examples:\n\n" + "\n\n".join(f"  {line}" for line in _EXAMPLES[name])


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    for name, func in (
        ("create", create),
        ("estimate", estimate),
        ("get", get),
        ("list", list_),
        ("update", update),
        ("delete", delete),
        ("wait", wait),
        ("download", download),
        ("upload", upload),
        ("status", status),
    ):
        app.command(name, epilog=examples(name), cls=CompactFlagsCommand)(func)
