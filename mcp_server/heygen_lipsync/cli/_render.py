"""What a command prints: its result on stdout (JSON, or tables for a person) and notices on stderr.

stdout carries the result only: JSON (the API's ``data``, unwrapped) unless the output is
for a person, which is when ``--human`` is given or, with neither ``--human`` nor
``--json``, when stdout is a terminal. Progress bars, status lines, prompts and errors go
to stderr, so ``heygen-lipsync ... > out.json`` always leaves valid JSON in the file.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from heygen_lipsync.cli._state import CliState

__all__ = ["emit", "fit", "job_result", "note", "short_path", "source_name", "stderr_console", "when"]


def stderr_console() -> Console:
    """A rich console on the current stderr (made per call: tests swap sys.stderr)."""
    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


def _stdout_console() -> Console:
    return Console(file=sys.stdout, highlight=False)


def emit(st: CliState, data: Any, *, columns: Sequence[str] | None = None, title: str | None = None) -> None:
    """Print a result on stdout: JSON, or for a person a table (list) or a field/value summary (dict).

    ``columns`` picks and orders the table's columns when ``data`` is a list of dicts.
    """
    if not st.is_human:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()
        return
    console = _stdout_console()
    if isinstance(data, list):
        rows = [row for row in data if isinstance(row, Mapping)]
        console.print(_table(rows, columns, title) if rows else f"{title or 'result'}: nothing")
    elif isinstance(data, Mapping):
        console.print(_summary(data, title))
        _sandbox_url_note(st, data)
    else:
        console.print(Text(str(data)))


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None, title: str | None) -> Table:
    """Rows as a table; ids are never cut (they are copied into the next command), other cells wrap."""
    cols = list(columns) if columns else _columns_of(rows)

    table = Table(
        *(Column(col, overflow="fold", no_wrap=col in _ID_COLUMNS or col in _SHORT_COLUMNS) for col in cols),
        title=title,
        title_justify="left",
    )
    for row in rows:
        table.add_row(*(_styled(row.get(col), col) for col in cols))
    return table


def _summary(data: Mapping[str, Any], title: str | None) -> Table:
    """An object as field/value lines, leaving out empty values."""
    table = Table(show_header=False, box=None, title=title, title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")  # URLs must stay whole to be copied
    for key, value in data.items():
        if value is None or value == {} or value == []:
            continue
        table.add_row(key, _styled(value, key))  # Text: API values are never markup
    return table


# A status at a glance; rich drops the colours when NO_COLOR is set or the output is no terminal.
_STATUS_STYLES = {
    "completed": "green",
    "failed": "red",
    "pending": "yellow",
    "queued": "yellow",
    "running": "cyan",
    "processing": "cyan",
    "deleted": "dim",
    "not_found": "dim",
}


def _styled(value: Any, key: str) -> Text:
    """A cell as plain text (never markup), a status in its colour; a nested object as ``key: value`` lines."""
    text = _nested(value) if isinstance(value, dict | list) and key != "error" else _cell(value, key)
    return Text(text, style=_STATUS_STYLES.get(text, "") if key == "status" else "")


_ID_COLUMNS = frozenset({"id", "video_id", "batch_id", "asset_id"})
# Short values a wrap would only break mid-word ("2026-12-07" over "18:31:57 UTC").
_SHORT_COLUMNS = frozenset({"status", "mode", "estimate", "created_at", "updated_at", "duration"})


def _columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        # An error object is one cell (its message); other nested values stay for --json.
        cols.extend(key for key in row if key not in cols and (key == "error" or not isinstance(row[key], dict | list)))
    return cols


def _nested(value: Any, depth: int = 0) -> str:
    """A nested object for a person: one ``key: value`` line per field (empty ones left out), lists item by item.

    JSON in a cell is for machines; --json keeps the object whole.
    """
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if item is None or item == {} or item == []:
                continue
            if isinstance(item, dict | list) and depth < 2:
                lines.append(f"{key}:")
                lines += ["  " + line for line in _nested(item, depth + 1).splitlines()]
            else:
                lines.append(f"{key}: {_cell(item, str(key))}")
        return "\n".join(lines)
    if isinstance(value, list):
        parts = [_nested(item, depth + 1) if isinstance(item, dict | list) else _cell(item) for item in value]
        if all("\n" not in part for part in parts) and not any(isinstance(item, dict) for item in value):
            return ", ".join(parts)
        return "\n".join(f"- {part}".replace("\n", "\n  ") for part in parts)
    return _cell(value)


def _cell(value: Any, key: str = "") -> str:
    if value is None:
        return ""
    if key == "error" and isinstance(value, dict) and (value.get("message") or value.get("code")):
        # HeyGen's error object: its message is what a person needs (--json keeps it whole).
        message, code = value.get("message"), value.get("code")
        return f"{message} ({code})" if message and code else str(message or code)
    if (key == "at" or key.endswith("_at")) and (isinstance(value, int | float) or _ISO_UTC.match(str(value))):
        return when(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def job_result(job: Any, *, reused: bool, saved_to: str | os.PathLike[str] | None) -> dict[str, Any]:
    """What ``create --wait/--download`` prints, first run or rerun: the job, whether an earlier
    identical create's job was reused (nothing new bought), and where its video is saved (or null).

    One command, one shape: a rerun that finds the video already saved prints the same keys.
    """
    fields = job.to_dict() if hasattr(job, "to_dict") else dict(job)
    where = None if saved_to is None else str(Path(saved_to).expanduser().resolve())
    return {**fields, "reused": reused, "saved_to": where}


# The ledger's times (ISO 8601 UTC); the API's are epoch seconds. A person sees both one way.
_ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"


def when(value: Any) -> str:
    """A time for a person, the same in every table: ``2026-12-07 17:16:06 UTC``.

    ``value``: epoch seconds (the API's ``created_at``) or ISO 8601 UTC (the ledger's).
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC).strftime(_TIME_FORMAT)
    text = str(value)
    if _ISO_UTC.match(text):
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).strftime(_TIME_FORMAT)
    return text


def short_path(
    path: str | os.PathLike[str], *, limit: int = 24, cwd: Path | None = None, home: Path | None = None
) -> str:
    """A local path for a table cell: relative to the working directory, else ``~/...``; a long one by its end.

    Past ``limit`` characters it keeps its folder and name (``…/media/out.mp4``), else the name alone.
    """
    full = Path(path)
    shown = str(full)
    for base, prefix in ((cwd or Path.cwd(), ""), (home or Path.home(), "~/")):
        try:
            shown = prefix + str(full.relative_to(base))
            break
        except ValueError:
            continue
    if len(shown) <= limit:
        return shown
    tail = f"…/{full.parent.name}/{full.name}"
    return tail if len(tail) <= limit else fit(full.name, limit)


def fit(name: str, limit: int) -> str:
    """``name`` in at most ``limit`` characters, its middle elided: the start and the extension stay readable."""
    if len(name) <= limit:
        return name
    keep = limit - 1
    head = (keep + 1) // 2
    return f"{name[:head]}…{name[len(name) - (keep - head) :]}"


def source_name(source: Any, *, limit: int = 24) -> str:
    """An input as a person recognises it in a table: a file's or URL's name, an asset id as it is."""
    text = "" if source is None else str(source)
    if "://" in text:
        return fit(urlsplit(text).path.rstrip("/").rsplit("/", 1)[-1] or urlsplit(text).netloc, limit)
    if "/" in text or "." in text:
        return fit(Path(text).name, limit)
    return text  # an asset id: never cut, it is copied into the next command


def _sandbox_url_note(st: CliState, data: Mapping[str, Any]) -> None:
    """The embedded sandbox stops with the command, and its video_url with it: say how to get the video.

    Only while the video is not saved: right after ``--download`` (or any earlier save the
    ledger remembers, still on disk) the line would send a person to save it twice.
    """
    lipsync_id = data.get("id")
    if not (st.sandbox and data.get("video_url") and isinstance(lipsync_id, str)) or _saved(st, data, lipsync_id):
        return
    from heygen_lipsync.cli._hints import command

    note(
        "the sandbox's video_url stops working when this command exits; "
        f"save the video with: {command(st, 'download', lipsync_id)}"
    )


def _saved(st: CliState, data: Mapping[str, Any], lipsync_id: str) -> bool:
    """Whether this job's video is on disk: saved by this command (``saved_to``), or by one the ledger remembers."""
    saved_to = data.get("saved_to")
    if isinstance(saved_to, str) and Path(saved_to).expanduser().is_file():
        return True
    from heygen_lipsync.cli._state import ledger_of  # the ledger loads only for this question

    ledger = ledger_of(st)
    if ledger is None:
        return False
    try:
        record = ledger.find_by_id(lipsync_id)
    finally:
        ledger.close()
    return record is not None and any(Path(str(d.get("path"))).is_file() for d in record.downloads)


def note(message: str) -> None:
    """A hint or notice for the person at the terminal, on stderr (never on stdout)."""
    stderr_console().print(message, markup=False)
