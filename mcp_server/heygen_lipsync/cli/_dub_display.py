"""What `dub` shows a person: the summary before spending, the dry run's pairing, the live totals.

On a terminal a live view (totals and the last events) on stderr; otherwise JSON lines of
events on stdout. Rows are counted from 1 in everything printed here, as in `dub`'s errors.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heygen_lipsync.cli._render import note, short_path, stderr_console
from heygen_lipsync.cli._state import CliState
from heygen_lipsync.jobs.campaign import DubEvent, DubRow, plan_rows

if TYPE_CHECKING:
    from heygen_lipsync.jobs.preflight import Preflight

__all__ = ["Display", "Eta", "pairs", "shown", "summary", "summary_line", "totals_line"]


def summary(pre: Preflight) -> dict[str, Any]:
    """Rows, output length and estimate per mode and in all (None where unknown), and the balance."""
    modes: dict[str, dict[str, Any]] = {}
    for item in pre.items:
        entry = modes.setdefault(
            item.mode, {"rows": 0, "known_seconds": 0.0, "unknown_rows": 0, "rate_usd_per_second": item.rate}
        )
        entry["rows"] += 1
        if item.output_seconds is None:
            entry["unknown_rows"] += 1
        else:
            entry["known_seconds"] += item.output_seconds
    for entry in modes.values():
        entry["estimated_usd"] = round(entry["known_seconds"] * entry["rate_usd_per_second"], 2)
    balance = pre.balance
    return {
        "rows": len(pre.items),
        "known_seconds": round(pre.known_seconds, 1),
        "unknown_rows": pre.unknown_items,
        "estimated_usd": round(sum(e["estimated_usd"] for e in modes.values()), 2),
        "by_mode": modes,
        "balance": None if balance is None else {"remaining": balance.remaining, "currency": balance.currency},
    }


def summary_line(summary: dict[str, Any]) -> str:
    parts = [
        f"{mode}: {e['rows']} rows, {e['known_seconds']:.0f} s, about ${e['estimated_usd']:.2f}"
        for mode, e in summary["by_mode"].items()
    ]
    unknown = f" (+{summary['unknown_rows']} rows of unknown length)" if summary["unknown_rows"] else ""
    balance = summary.get("balance")
    from heygen_lipsync.jobs.preflight import Balance

    known = f"; your balance is {Balance(**balance).describe()}" if balance else ""
    return (
        f"{summary['rows']} rows, {summary['known_seconds']:.0f} s of output known, "
        f"about ${summary['estimated_usd']:.2f} in all{unknown}; " + "; ".join(parts) + known
    )


def totals_line(event: DubEvent, eta: str = "") -> str:
    t = event.totals
    return (
        f"queued {t.queued} | running {t.running} | done {t.done} | failed {t.failed} | "
        f"spent {t.spent_seconds:.0f} s of output" + (f" | {eta}" if eta else "")
    )


class Eta:
    """Time left, from this run's pace: rows finished here (not rows skipped as done before) per second.

    Until a row finishes here there is no pace to go by, and the line says so rather than guess.
    """

    def __init__(self) -> None:
        self.finished = 0

    def __call__(self, event: DubEvent) -> str:
        t = event.totals
        if event.kind in ("done", "failed"):
            self.finished += 1
        left = t.queued + t.running
        if not left:
            return ""
        rows = f"{left} row{'s' if left != 1 else ''} left"
        if not self.finished:
            return f"{rows}, time left known once one finishes"
        return f"{rows}, about {_duration(t.elapsed / self.finished * left)}"


def _duration(seconds: float) -> str:
    whole = max(1, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _event_line(event: DubEvent) -> str:
    what = f"row {event.row + 1}" if event.row is not None else "run"
    extra = event.output or event.message or event.job_id or ""
    return f"{event.kind:<10} {what} {extra}".rstrip()


class Display:
    """A terminal's live view (totals and the last events on stderr), or JSON lines on stdout."""

    def __init__(self, st: CliState) -> None:
        self.human = st.is_human
        self.recent: deque[str] = deque(maxlen=6)
        self.live: Any = None
        self.eta = Eta()
        self.last = ""
        if self.human and sys.stderr.isatty():
            from rich.live import Live

            self.live = Live(console=stderr_console(), refresh_per_second=4, transient=False)
            self.live.start()

    def show(self, event: DubEvent) -> None:
        if not self.human:
            line = event.to_dict()
            if isinstance(line.get("row"), int):
                line["row"] += 1  # counted from 1, as in the errors, the dry run and the lines on a terminal
            sys.stdout.write(json.dumps(line) + "\n")
            sys.stdout.flush()
            return
        self.recent.append(_event_line(event))
        self.last = totals_line(event, self.eta(event))
        if self.live is None:
            note(_event_line(event))
            return
        from rich.text import Text

        self.live.update(Text("\n".join([self.last, *self.recent])))

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


def shown(source: str) -> str:
    """A local path relative to here (or ``~``) for the dry run's table; URLs and asset ids as they are."""
    return source if "://" in source or not source.startswith(("/", "~")) else short_path(source, limit=60)


def pairs(rows: list[DubRow], out_dir: Path) -> list[dict[str, Any]]:
    """Each row as --dry-run shows it, counted from 1: its video, the audio paired with it, its output, its title."""
    planned = plan_rows(rows, out_dir)
    return [
        {
            "row": record.row + 1,
            "video": record.video,
            "audio": record.audio,
            "output": record.output,
            "title": rows[record.row].request.title,
        }
        for record in planned
    ]
