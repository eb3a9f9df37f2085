"""`wait`, `download` and `upload`: following a job to its end, saving its output, sending a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from heygen_lipsync.cli._destinations import check_folder_named
from heygen_lipsync.cli._errors import error_boundary
from heygen_lipsync.cli._group import CompactFlagsCommand
from heygen_lipsync.cli._input import local_path
from heygen_lipsync.cli._options import (
    DETAIL,
    DeleteUploads,
    IdemKey,
    LipsyncId,
    Overwrite,
    PollInterval,
    Timeout,
    examples,
)
from heygen_lipsync.cli._progress import transfer_progress
from heygen_lipsync.cli._render import emit
from heygen_lipsync.cli._run import run_client
from heygen_lipsync.cli._schema import schema_option
from heygen_lipsync.cli._state import state
from heygen_lipsync.cli._workflows import CreatePlan, delete_job_uploads, download_job, wait_and_save
from heygen_lipsync.polling import DEFAULT_POLL_INTERVAL

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient

__all__ = ["register"]


def wait(
    ctx: typer.Context,
    lipsync_id: LipsyncId,
    timeout: Timeout = "20m",
    poll_interval: PollInterval = DEFAULT_POLL_INTERVAL,
    download: Annotated[
        str | None, typer.Option("--download", help="Then save the video to this file or directory.", metavar="PATH")
    ] = None,
    overwrite: Overwrite = False,
    delete_uploads: DeleteUploads = False,
    response_schema: Annotated[bool, schema_option("response", DETAIL)] = False,
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
    lipsync_id: LipsyncId,
    path: Annotated[
        str | None,
        typer.Argument(help="File or directory to save to (default: ./ID.mp4).", show_default=False, metavar="PATH"),
    ] = None,
    captions: Annotated[bool, typer.Option("--captions", help="Also save the SRT captions beside the video.")] = False,
    overwrite: Overwrite = False,
    delete_uploads: DeleteUploads = False,
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
    idempotency_key: IdemKey = None,
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


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    for name, func in (
        ("wait", wait),
        ("download", download),
        ("upload", upload),
    ):
        app.command(name, epilog=examples(name), cls=CompactFlagsCommand)(func)
