"""`create` and `estimate`: a lipsync request from flags and a body, its preflight, the spend question."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from heygen_lipsync.cli._confirm import DryRunOption, SpendQuestion, YesOption
from heygen_lipsync.cli._errors import error_boundary
from heygen_lipsync.cli._fields import field_flags, request_field_options
from heygen_lipsync.cli._group import CompactFlagsCommand
from heygen_lipsync.cli._input import build_request, merge_body, read_body
from heygen_lipsync.cli._options import Data, DeleteUploads, IdemKey, Overwrite, PollInterval, Timeout, examples
from heygen_lipsync.cli._render import emit
from heygen_lipsync.cli._run import run_client
from heygen_lipsync.cli._schema import schema_option
from heygen_lipsync.cli._state import state
from heygen_lipsync.cli._workflows import CreatePlan, create_job
from heygen_lipsync.polling import DEFAULT_POLL_INTERVAL

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient

__all__ = ["register"]


@request_field_options(after="data")
def create(
    ctx: typer.Context,
    data: Data = None,
    idempotency_key: IdemKey = None,
    new: Annotated[
        bool,
        typer.Option("--new", help="Make a new job even if the ledger holds an identical earlier one (it is reused)."),
    ] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Wait until the job finishes; print the finished job.")] = False,
    timeout: Timeout = "20m",
    poll_interval: PollInterval = DEFAULT_POLL_INTERVAL,
    download: Annotated[
        str | None,
        typer.Option("--download", metavar="PATH", help="Save the output video here when done (implies --wait)."),
    ] = None,
    overwrite: Overwrite = False,
    delete_uploads: DeleteUploads = False,
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
        run_client(
            ctx,
            lambda client: question.run(
                client, [request], lambda jobs, approval: create_job(st, client, jobs[0], plan, approval),
                new_job=new,
            ),
        ),
    )  # fmt: skip


@request_field_options(after="data")
def estimate(
    ctx: typer.Context,
    data: Data = None,
    **fields: Any,
) -> None:
    """The preflight of a create as JSON: checks, output length, price and balance. Sends nothing."""
    st = state(ctx)
    with error_boundary(st):
        request = build_request(merge_body(read_body(data) if data is not None else None, field_flags(fields)))
    # Never asks; reads the balance even in the sandbox, whose wallet stands in for the account's.
    question = SpendQuestion(sandbox=False, yes=True, dry_run=True)

    async def work(client: AsyncLipsyncClient) -> Any:
        return (await question.run(client, [request], _never))["preflight"]

    from heygen_lipsync.cli.services import show_estimate  # the report's display (a table for a person)

    show_estimate(st, run_client(ctx, work))


async def _never(jobs: Any, approval: Any) -> dict[str, Any]:
    raise AssertionError("estimate never creates")  # pragma: no cover - dry_run returns first


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    for name, func in (
        ("create", create),
        ("estimate", estimate),
    ):
        app.command(name, epilog=examples(name), cls=CompactFlagsCommand)(func)
