"""The review player's list view: one entry per job of a batch or a dub run, for Apps clients only.

The results of ``get_lipsync_batch`` / ``wait_for_lipsync_batch`` carry each item's title and
status but not its duration, and ``get_dub_run``'s carry output paths, not job ids (its rows'
job ids are in the run's own report). The page needs all three to show a list it can play
from, so the extension builds it here and hands it over under ``_meta`` (the tools' schemas
stay as they are). A duration costs one read of the job; only the first ``MAX_DURATIONS``
completed jobs are read, the rest show none (the page reads a job when it is chosen anyway).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from heygen_lipsync.errors import HeyGenError
from heygen_lipsync.jobs.report import RowStatus, load_report

__all__ = ["LIST_TOOLS", "MAX_DURATIONS", "list_entries"]

LIST_TOOLS = frozenset({"get_lipsync_batch", "wait_for_lipsync_batch", "get_dub_run"})
"""The tools whose results the player shows as a list of jobs."""

MAX_DURATIONS = 25
_PLAYABLE = frozenset({"completed", RowStatus.DONE})

ReadDuration = Callable[[str], Awaitable[float | None]]


async def list_entries(
    tool: str, content: dict[str, Any], duration_of: ReadDuration, *, names: list[str | None] | None = None
) -> list[dict[str, Any]]:
    """The jobs of a list tool's result: lipsync_id, title, status, duration, playable (in order).

    ``duration_of`` reads one job's duration; a job it cannot read shows no duration. ``names``
    are a batch's items' names by index, when the ledger knows them (``sources.batch_item_names``).
    """
    entries = _dub_rows(content) if tool == "get_dub_run" else _batch_items(content, names or [])
    wanted = [e for e in entries if e["playable"]][:MAX_DURATIONS]

    async def fill(entry: dict[str, Any]) -> None:
        try:
            entry["duration"] = await duration_of(entry["lipsync_id"])
        except HeyGenError:
            entry["duration"] = None  # shown as unknown; choosing the job reads it again

    await asyncio.gather(*(fill(e) for e in wanted))
    return entries


def _entry(lipsync_id: str | None, title: str, status: str) -> dict[str, Any]:
    return {
        "lipsync_id": lipsync_id,
        "title": title,
        "status": status,
        "duration": None,
        "playable": bool(lipsync_id) and status in _PLAYABLE,
    }


def _batch_items(content: dict[str, Any], names: list[str | None]) -> list[dict[str, Any]]:
    return [
        _entry(item.get("lipsync_id"), _item_name(item, names), str(item["status"]))
        for item in content.get("items") or []
    ]


def _item_name(item: dict[str, Any], names: list[str | None]) -> str:
    """The item's title, its files' names (ledger), its video's name (this session), or its place (1-based)."""
    index = item.get("item_index")
    known = names[index] if isinstance(index, int) and 0 <= index < len(names) else None
    source = str(item.get("source") or "").split("?")[0].rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1]
    place = f"Item {index + 1}" if isinstance(index, int) else "Item"
    return str(item.get("title") or known or source or place)


def _dub_rows(content: dict[str, Any]) -> list[dict[str, Any]]:
    report = content.get("report")
    if not report:
        return []
    # The server's own report of its own run (beside the outputs it lists), not a user path.
    try:
        records = sorted(load_report(Path(str(report)).parent).values(), key=lambda r: r.row)
    except (OSError, ValueError):
        return []
    return [_entry(r.job_id, Path(r.output).name or f"Row {r.row}", r.status) for r in records]
