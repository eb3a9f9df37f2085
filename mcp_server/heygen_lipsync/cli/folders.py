"""`heygen-lipsync folder create|get`: HeyGen's folders, whose ids a create's `--folder-id` takes.

HeyGen publishes no call that lists folders: keep the id `folder create` prints, and check
one with `folder get` (`is_trash: true` means a create into it is refused).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from heygen_lipsync.cli._limits import check_id
from heygen_lipsync.cli._render import emit
from heygen_lipsync.cli._run import run_client
from heygen_lipsync.cli._state import state

if TYPE_CHECKING:  # the client loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient

__all__ = ["app", "register"]

app = typer.Typer(help="Create a folder, or check one, for a create's --folder-id.", no_args_is_help=True)


@app.command("create", epilog="Examples:\n\n  heygen-lipsync folder create 'French dubs'")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The folder's name (1-256 characters; names may repeat).")],
    parent_id: Annotated[
        str | None, typer.Option("--parent-id", help="Create it inside this folder (default: the root).")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--type", help="mixed (HeyGen's default), video or video_translate.")
    ] = None,
    idempotency_key: Annotated[
        str | None, typer.Option("--idempotency-key", help="Retry with the same key to get the same folder back.")
    ] = None,
) -> None:
    """Create a folder and print it; pass its folder_id to `create --folder-id`."""
    st = state(ctx)

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        folder = await client.create_folder(name, parent_id=parent_id, type=kind, idempotency_key=idempotency_key)
        return folder.to_dict()

    emit(st, run_client(ctx, work), title="folder")


@app.command("get", epilog="Examples:\n\n  heygen-lipsync folder get fld_123")
def get(
    ctx: typer.Context,
    folder_id: Annotated[str, typer.Argument(help="A folder id.", metavar="ID", callback=check_id)],
) -> None:
    """Show one folder (is_trash: true means a create into it is refused)."""
    st = state(ctx)

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        return (await client.get_folder(folder_id)).to_dict()

    emit(st, run_client(ctx, work), title=f"folder {folder_id}")


def register(parent: typer.Typer) -> None:
    """Add this module's command group to the app (as ``folder``)."""
    parent.add_typer(app, name="folder")
