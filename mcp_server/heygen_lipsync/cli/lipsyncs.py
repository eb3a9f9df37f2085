"""Commands on lipsync jobs: get, list, update, delete and status (create, wait and transfers are beside it)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from heygen_lipsync.cli._errors import UsageProblem, error_boundary
from heygen_lipsync.cli._group import CompactFlagsCommand
from heygen_lipsync.cli._hints import command
from heygen_lipsync.cli._limits import check_ids, check_token
from heygen_lipsync.cli._options import DETAIL, LIPSYNC_COLUMNS, LipsyncId, examples
from heygen_lipsync.cli._render import emit, note
from heygen_lipsync.cli._run import run_client
from heygen_lipsync.cli._schema import schema_option
from heygen_lipsync.cli._state import CliState, state

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient

__all__ = ["register", "stdin_is_terminal"]


def get(
    ctx: typer.Context,
    lipsync_id: LipsyncId,
    response_schema: Annotated[bool, schema_option("response", DETAIL)] = False,
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
    emit(st, page["data"], columns=LIPSYNC_COLUMNS, title="lipsyncs")
    if page["has_more"]:
        same_size = ["--limit", str(limit)] if limit is not None else []  # the next page as long as this one
        note(f"more: {command(st, 'list', *same_size, '--token', page['next_token'])}")


def update(
    ctx: typer.Context,
    lipsync_id: LipsyncId,
    title: Annotated[str, typer.Option("--title", help="The new title.", show_default=False)],
    request_schema: Annotated[bool, schema_option("request", "UpdateLipsyncRequest")] = False,
    response_schema: Annotated[bool, schema_option("response", DETAIL)] = False,
) -> None:
    """Rename a lipsync job."""
    emit(state(ctx), run_client(ctx, lambda client: _dict(client.update(lipsync_id, title=title)), subject=lipsync_id))


def delete(
    ctx: typer.Context,
    lipsync_id: LipsyncId,
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
    deleted = run_client(ctx, lambda client: _delete(client, lipsync_id), subject=lipsync_id)
    note(f"deleted {_named(deleted, title)}")
    emit(st, {"id": deleted})


async def _delete(client: AsyncLipsyncClient, lipsync_id: str) -> str:
    deleted = await client.delete(lipsync_id)
    if client.ledger is not None:  # `jobs` must not keep showing a deleted job as completed
        client.ledger.set_status(deleted, "deleted")
    return deleted


async def _title_of(client: AsyncLipsyncClient, lipsync_id: str) -> str | None:
    return (await client.get(lipsync_id)).title


def _named(lipsync_id: str, title: str | None) -> str:
    return f'{lipsync_id} ("{title}")' if title else lipsync_id


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


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    for name, func in (
        ("get", get),
        ("list", list_),
        ("update", update),
        ("delete", delete),
        ("status", status),
    ):
        app.command(name, epilog=examples(name), cls=CompactFlagsCommand)(func)
