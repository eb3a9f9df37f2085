"""`heygen-lipsync batch create|get`: up to 100 jobs from one JSON or CSV manifest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from heygen_lipsync.cli._confirm import DryRunOption, SpendQuestion, YesOption
from heygen_lipsync.cli._errors import error_boundary
from heygen_lipsync.cli._hints import command
from heygen_lipsync.cli._input import build_request, read_manifest
from heygen_lipsync.cli._limits import check_id, check_token
from heygen_lipsync.cli._render import emit, note
from heygen_lipsync.cli._run import run_client
from heygen_lipsync.cli._schema import schema_option
from heygen_lipsync.cli._state import state
from heygen_lipsync.errors import ValidationError
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.sources import validate_idempotency_key

__all__ = ["app", "register"]

app = typer.Typer(help="Create many lipsync jobs at once, and follow a batch.", no_args_is_help=True)

_CREATE_EXAMPLES = """\
Examples:

  heygen-lipsync batch create jobs.csv --title "Episode 4"

  heygen-lipsync batch create jobs.json --idempotency-key ep4-v1

A CSV manifest has a header row of request fields (video,audio,title,mode,...) and one job
per row; video/audio are URLs, asset ids or file paths (relative to the manifest's folder).
A JSON manifest is a list of create bodies, or {"lipsyncs": [...], "title": ..., "callback_url": ...}.
"""


@app.command("create", epilog=_CREATE_EXAMPLES)
def create(
    ctx: typer.Context,
    manifest: Annotated[
        str, typer.Argument(help="A .json or .csv manifest of up to 100 jobs.", show_default=False, metavar="FILE")
    ],
    title: Annotated[str | None, typer.Option("--title", help="Title of the batch (overrides the manifest's).")] = None,
    callback_url: Annotated[
        str | None, typer.Option("--callback-url", help="Webhook URL called once, when every item has finished.")
    ] = None,
    idempotency_key: Annotated[
        str | None, typer.Option("--idempotency-key", help="Repeat-safe key for the batch.")
    ] = None,
    yes: YesOption = False,
    dry_run: DryRunOption = False,
    request_schema: Annotated[bool, schema_option("request", "CreateLipsyncBatchRequest")] = False,
    response_schema: Annotated[bool, schema_option("response", "LipsyncBatchCreateResponse")] = False,
) -> None:
    """Create a batch of lipsync jobs from a manifest; local files are uploaded first. Prints {"batch_id"}."""
    st = state(ctx)
    with error_boundary(st):
        jobs, settings = read_manifest(manifest)
        requests = [_job_request(job, index, manifest) for index, job in enumerate(jobs)]
        if idempotency_key is not None:
            validate_idempotency_key(idempotency_key)
        question = SpendQuestion.of(st, yes=yes, dry_run=dry_run)
    extra = {"title": title or settings.get("title"), "callback_url": callback_url or settings.get("callback_url")}

    async def work(client: AsyncLipsyncClient, jobs: list[PreparedJob], approval: Approval) -> dict[str, Any]:
        batch_id = await client.create_batch(
            jobs, title=extra["title"], callback_url=extra["callback_url"], idempotency_key=idempotency_key,
            approve=approval,
        )  # fmt: skip
        note(f"created batch {batch_id} of {len(requests)} jobs; next: {command(st, 'batch', 'wait', batch_id)}")
        return {"batch_id": batch_id}

    batch = {key: value for key, value in extra.items() if value is not None}
    emit(
        st,
        run_client(
            ctx, lambda client: question.run(client, requests, lambda jobs, ok: work(client, jobs, ok), batch=batch)
        ),
    )


def _job_request(job: dict[str, Any], index: int, manifest: str) -> LipsyncRequest:
    """One manifest job as a request; a rejected field says which job (of up to 100) it is in.

    Raises:
        ValidationError: the job's field, as the API's param path (``lipsyncs[0].audio``).
    """
    try:
        return build_request(job)
    except ValidationError as exc:
        where = f"job {index + 1} in {Path(manifest).name}"
        raise ValidationError(f"lipsyncs[{index}].{exc.field}", f"{exc.reason} ({where})") from None


@app.command("get", epilog="Examples:\n\n  heygen-lipsync batch get b_123\n\n  heygen-lipsync --human batch get b_123")
def get(
    ctx: typer.Context,
    batch_id: Annotated[str, typer.Argument(help="The batch id.", show_default=False, metavar="ID", callback=check_id)],
    limit: Annotated[int | None, typer.Option("--limit", min=1, max=100, help="Items per page.")] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", help="The next_token of the previous page of items.", callback=check_token),
    ] = None,
    response_schema: Annotated[bool, schema_option("response", "LipsyncBatchDetail")] = False,
) -> None:
    """Show a batch: its status, counts by status, and one page of its items (video_id = lipsync id)."""
    st = state(ctx)

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        return (await client.get_batch(batch_id, limit=limit, token=token)).to_dict()

    batch = run_client(ctx, work)
    if st.is_human:
        emit(st, {key: value for key, value in batch.items() if key != "items"}, title=f"batch {batch_id}")
        emit(st, batch["items"], columns=("item_index", "status", "video_id", "error"), title="items")
        if batch.get("has_more") and batch.get("next_token"):
            same_size = ["--limit", str(limit)] if limit is not None else []
            note(f"more items: {command(st, 'batch', 'get', batch_id, *same_size, '--token', batch['next_token'])}")
    else:
        emit(st, batch)


from heygen_lipsync.cli import batch_follow  # noqa: E402 - after this module's own commands, so `batch --help` lists them first

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient
    from heygen_lipsync.jobs.approval import Approval
    from heygen_lipsync.jobs.plan import PreparedJob

batch_follow.register(app)


def register(parent: typer.Typer) -> None:
    """Add this module's command group to the app (as ``batch``)."""
    parent.add_typer(app, name="batch")
