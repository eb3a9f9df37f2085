"""`heygen-lipsync webhook ...`: HeyGen's registered webhook endpoints, its event types, and the events sent.

HeyGen sends `batch.finished` when a batch's last job is finished (it lists no lipsync event
type). The signing secret is printed by `create` and `rotate-secret` only: store it then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from heygen_lipsync.cli._errors import UsageProblem, error_boundary
from heygen_lipsync.cli._limits import check_id
from heygen_lipsync.cli._render import emit, note
from heygen_lipsync.cli._run import run_client
from heygen_lipsync.cli._state import state

if TYPE_CHECKING:  # the client loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient

__all__ = ["app", "register"]

app = typer.Typer(help="Register webhook endpoints with HeyGen; list event types and the events sent.")

_EndpointId = Annotated[str, typer.Argument(help="A webhook endpoint id.", metavar="ID", callback=check_id)]
_Events = Annotated[
    list[str] | None,
    typer.Option("--event", help="An event type to receive (repeatable; default: every event).", show_default=False),
]


def _page(items: list[Any], next_token: str | None) -> dict[str, Any]:
    return {"data": [i.to_dict() for i in items], "has_more": next_token is not None, "next_token": next_token}


@app.command("list", epilog="Examples:\n\n  heygen-lipsync webhook list --human")
def list_endpoints(
    ctx: typer.Context,
    limit: Annotated[int | None, typer.Option("--limit", min=1, max=100, help="Page size (1-100).")] = None,
    token: Annotated[str | None, typer.Option("--token", help="next_token of the previous page.")] = None,
) -> None:
    """List the registered endpoints ({"data", "has_more", "next_token"})."""
    st = state(ctx)

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        return _page(*await client.list_webhook_endpoints(limit=limit, token=token))

    page = run_client(ctx, work)
    emit(
        st, page["data"] if st.is_human else page, columns=("endpoint_id", "url", "events", "status"), title="endpoints"
    )


@app.command(
    "create", epilog="Examples:\n\n  heygen-lipsync webhook create https://example.com/heygen --event batch.finished"
)
def create(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The https URL HeyGen POSTs to.")],
    events: _Events = None,
) -> None:
    """Register an endpoint; prints its signing secret, which HeyGen shows only now."""
    st = state(ctx)

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        return (await client.create_webhook_endpoint(url, events=events)).to_dict()

    emit(st, run_client(ctx, work), title="webhook endpoint")
    note("store the secret now: HeyGen shows it only at creation and rotation")


@app.command("update", epilog="Examples:\n\n  heygen-lipsync webhook update we_123 --event batch.finished")
def update(
    ctx: typer.Context,
    endpoint_id: _EndpointId,
    url: Annotated[str | None, typer.Option("--url", help="The new https URL.")] = None,
    events: _Events = None,
) -> None:
    """Change an endpoint's URL and/or its events (--event replaces the whole list)."""
    st = state(ctx)
    if url is None and not events:
        with error_boundary(st):
            raise UsageProblem("give --url, --event, or both", param="url")

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        return (await client.update_webhook_endpoint(endpoint_id, url=url, events=events)).to_dict()

    emit(st, run_client(ctx, work), title="webhook endpoint")


@app.command("delete", epilog="Examples:\n\n  heygen-lipsync webhook delete we_123 --force")
def delete(
    ctx: typer.Context,
    endpoint_id: _EndpointId,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Do not ask; needed when stdin is not a terminal.")
    ] = False,
) -> None:
    """Remove an endpoint for good. Asks y/N on a terminal; elsewhere it refuses without --force."""
    from heygen_lipsync.cli.lipsyncs import stdin_is_terminal  # the one seam tests patch for "is a person there"

    st = state(ctx)
    if not force:
        if not stdin_is_terminal():
            with error_boundary(st):
                raise UsageProblem(
                    f"not deleting {endpoint_id}: no terminal to confirm on; pass --force", param="force"
                )
        if not typer.confirm(f"Delete webhook endpoint {endpoint_id}?", default=False, err=True):
            note("not deleted")
            raise typer.Exit(1)

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        return {"endpoint_id": await client.delete_webhook_endpoint(endpoint_id)}

    emit(st, run_client(ctx, work))


@app.command("rotate-secret", epilog="Examples:\n\n  heygen-lipsync webhook rotate-secret we_123")
def rotate_secret(ctx: typer.Context, endpoint_id: _EndpointId) -> None:
    """Give an endpoint a new signing secret (the old one stops at once) and print it."""
    st = state(ctx)

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        rotated = await client.rotate_webhook_secret(endpoint_id)
        return {"endpoint_id": rotated.endpoint_id, "secret": rotated.secret}

    emit(st, run_client(ctx, work), title="webhook endpoint")


@app.command("event-types", epilog="Examples:\n\n  heygen-lipsync webhook event-types --human")
def event_types(ctx: typer.Context) -> None:
    """List the event types HeyGen can send, with what each means."""
    st = state(ctx)

    async def work(client: AsyncLipsyncClient) -> list[dict[str, Any]]:
        return [t.to_dict() for t in await client.list_webhook_event_types()]

    emit(st, run_client(ctx, work), columns=("event_type", "description"), title="event types")


@app.command(
    "events", epilog="Examples:\n\n  heygen-lipsync webhook events --event-type batch.finished --entity-id lsb_123"
)
def events(
    ctx: typer.Context,
    event_type: Annotated[str | None, typer.Option("--event-type", help="Only this event type.")] = None,
    entity_id: Annotated[
        str | None, typer.Option("--entity-id", help="Only events about this id (a batch id).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, max=100, help="Page size (1-100).")] = None,
    token: Annotated[str | None, typer.Option("--token", help="next_token of the previous page.")] = None,
) -> None:
    """List the events HeyGen sent, newest first ({"data", "has_more", "next_token"})."""
    st = state(ctx)

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        found = await client.list_webhook_events(event_type=event_type, entity_id=entity_id, limit=limit, token=token)
        return _page(*found)

    page = run_client(ctx, work)
    emit(st, page["data"] if st.is_human else page, columns=("event_id", "event_type", "created_at"), title="events")


def register(parent: typer.Typer) -> None:
    """Add this module's command group to the app (as ``webhook``)."""
    parent.add_typer(app, name="webhook")
