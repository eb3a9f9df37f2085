"""`heygen-lipsync asset get|delete ID`: inspect an uploaded asset, and delete it for good.

Uploaded sources hold a person's face and voice; `asset delete` removes one from HeyGen
once its jobs are done (`--delete-uploads` on create does it for the files a create uploads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from heygen_lipsync.cli._errors import UsageProblem, error_boundary
from heygen_lipsync.cli._limits import check_id
from heygen_lipsync.cli._render import emit, note
from heygen_lipsync.cli._run import run_client
from heygen_lipsync.cli._schema import schema_option
from heygen_lipsync.cli._state import state

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient

__all__ = ["app", "register"]

app = typer.Typer(help="Inspect and delete uploaded assets (your sources).", no_args_is_help=True)

_AssetId = Annotated[str, typer.Argument(help="An asset id, as an upload printed it.", metavar="ID", callback=check_id)]


@app.command("get", epilog="Examples:\n\n  heygen-lipsync asset get asset_123")
def get(
    ctx: typer.Context,
    asset_id: _AssetId,
    response_schema: Annotated[bool, schema_option("response", "AssetDetail")] = False,
) -> None:
    """Show one asset: its name, type, owner, upload time and a URL when one can be made."""
    st = state(ctx)

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        return (await client.get_asset(asset_id)).to_dict()

    emit(st, run_client(ctx, work), title=f"asset {asset_id}")


@app.command("delete", epilog="Examples:\n\n  heygen-lipsync asset delete asset_123 --force")
def delete(
    ctx: typer.Context,
    asset_id: _AssetId,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Do not ask; needed when stdin is not a terminal.")
    ] = False,
    response_schema: Annotated[bool, schema_option("response", "AssetDeleteResponse")] = False,
) -> None:
    """Delete an uploaded asset for good. Asks y/N on a terminal; elsewhere it refuses without --force."""
    from heygen_lipsync.cli.lipsyncs import stdin_is_terminal  # the one seam tests patch for "is a person there"

    st = state(ctx)
    if not force:
        if not stdin_is_terminal():
            with error_boundary(st):
                raise UsageProblem(f"not deleting {asset_id}: no terminal to confirm on; pass --force", param="force")
        if not typer.confirm(f"Delete asset {asset_id} for good?", default=False, err=True):
            note("not deleted")
            raise typer.Exit(1)

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        return {"id": await client.delete_asset(asset_id)}

    emit(st, run_client(ctx, work))


def register(parent: typer.Typer) -> None:
    """Add this module's command group to the app (as ``asset``)."""
    parent.add_typer(app, name="asset")
