"""`heygen-lipsync jobs` and `jobs show ID`: what the local ledger remembers of this install's jobs."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Annotated, Any

import typer

from heygen_lipsync.cli._errors import UsageProblem, error_boundary
from heygen_lipsync.cli._limits import check_id
from heygen_lipsync.cli._render import emit, note, short_path, source_name
from heygen_lipsync.cli._run import run_client
from heygen_lipsync.cli._state import CliState, ledger_of, state
from heygen_lipsync.errors import NotFoundError, ValidationError
from heygen_lipsync.store import JobRecord, Ledger

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient

__all__ = ["app", "register"]

app = typer.Typer(
    help="Jobs this install created, from the local ledger (newest first).",
    invoke_without_command=True,
)

_COLUMNS = ("id", "title", "inputs", "mode", "estimate", "status", "output_path", "created_at")


def _row(record: JobRecord) -> dict[str, Any]:
    """One job as `jobs` lists it."""
    inputs = record.inputs
    shown = (
        f"{inputs.get('items')} items"
        if record.kind == "batch"
        else " + ".join(str(_short(inputs.get(name))) for name in ("video", "audio"))
    )
    return {
        "id": record.remote_id or f"(unknown outcome, row {record.id})",
        "kind": record.kind,
        "title": inputs.get("title"),
        "inputs": shown,
        "mode": inputs.get("mode"),
        "estimate": record.estimate_usd,
        "status": record.status,
        "output_path": record.downloads[-1]["path"] if record.downloads else None,
        "created_at": record.to_dict()["created_at"],
        "base_url": record.base_url,
    }


def _short(source: Any) -> Any:
    if isinstance(source, dict):
        return source.get("url") or source.get("asset_id")
    return source


def _for_people(row: dict[str, Any], record: JobRecord) -> dict[str, Any]:
    """The row as the table shows it: inputs by file name, the output path shortened, the estimate in dollars.

    Whole paths wrap a 140-column table into unreadable slivers; `jobs show ID` and --json keep them whole.
    """
    inputs = record.inputs
    if record.kind != "batch":
        row = {**row, "inputs": "\n".join(source_name(_short(inputs.get(name))) for name in ("video", "audio"))}
    estimate = row["estimate"]
    return {
        **row,
        "estimate": None if estimate is None else f"${estimate:.2f}",
        "output_path": None if row["output_path"] is None else short_path(row["output_path"]),
    }


def _open(st: CliState) -> Ledger:
    ledger = ledger_of(st)
    if ledger is None:
        raise UsageProblem("the job ledger is off or cannot be opened (HEYGEN_LIPSYNC_LEDGER); no jobs to show")
    return ledger


@app.callback()
def jobs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many of the newest jobs to show.")] = 20,
    all_jobs: Annotated[bool, typer.Option("--all", help="Every job in the ledger (ignores --limit).")] = False,
) -> None:
    """List the ledger's jobs, newest first: id, title, inputs, mode, estimate, status, output path."""
    if ctx.invoked_subcommand is not None:
        return
    st = state(ctx)
    with error_boundary(st):
        ledger = _open(st)
        records = ledger.recent(limit=None if all_jobs else limit)
        ledger.close()
        rows = [_for_people(_row(r), r) if st.is_human else _row(r) for r in records]
    # A column no row fills (mode and estimate are often unknown) only narrows the ones that say something.
    columns = [col for col in _COLUMNS if not st.is_human or col == "id" or any(row.get(col) for row in rows)]
    if st.is_human and shutil.get_terminal_size().columns < 120:  # a narrow terminal: ids and titles first
        columns = [col for col in columns if col not in ("output_path", "created_at")]
    emit(st, rows, columns=columns, title="jobs")


@app.command("show")
def show(
    ctx: typer.Context,
    job_id: Annotated[str, typer.Argument(help="A lipsync or batch id from `jobs`.", metavar="ID", callback=check_id)],
) -> None:
    """One job's ledger record, with its status refreshed from the API."""
    st = state(ctx)
    with error_boundary(st):
        ledger = _open(st)
        record = ledger.find_by_id(job_id)
        ledger.close()
        if record is None:
            raise ValidationError("ID", f"{job_id} is not in the ledger; `heygen-lipsync jobs` lists what it holds")

    async def work(client: AsyncLipsyncClient) -> dict[str, Any]:
        out = record.to_dict()
        try:
            if record.lipsync_id:
                out["remote"] = (await client.get(record.lipsync_id)).to_dict()
                out["status"] = out["remote"].get("status", out["status"])
            elif record.batch_id:
                out["remote"] = (await client.get_batch(record.batch_id)).to_dict()
                out["status"] = out["remote"].get("status", out["status"])
                if client.ledger is not None:
                    client.ledger.set_status(record.batch_id, out["status"])
        except NotFoundError:
            # The API has no such job any more: the local record is still the history of what was made.
            gone = "deleted" if record.status == "deleted" else "not_found"
            if client.ledger is not None and record.remote_id:
                client.ledger.set_status(record.remote_id, gone)
            where = "the sandbox" if st.sandbox else "HeyGen"
            note(f"{job_id} is no longer on {where} ({gone}); this is the local record")
            out["status"] = gone
        return out

    emit(st, run_client(ctx, work))


def register(parent: typer.Typer) -> None:
    """Add this module's command group to the app (as ``jobs``)."""
    parent.add_typer(app, name="jobs")
