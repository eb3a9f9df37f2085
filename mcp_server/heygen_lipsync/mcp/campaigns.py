"""The campaigns an MCP server runs in its background (``dub_many`` starts one, ``get_dub_run`` follows it)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BackgroundCampaign", "Campaigns"]


@dataclass
class BackgroundCampaign:
    """What the server keeps of one campaign running in its background."""

    run_id: str
    folder: Path
    rows: int
    task: asyncio.Task[None] | None = None
    totals: dict[str, Any] = field(default_factory=dict)
    outputs: dict[int, str] = field(default_factory=dict)
    failures: dict[int, str] = field(default_factory=dict)
    recent: deque[str] = field(default_factory=lambda: deque(maxlen=10))
    error: str | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def finished(self) -> bool:
        return self.task is not None and self.task.done()


class Campaigns:
    """The campaigns running in one server process; ``aclose`` cancels them (the lifespan calls it)."""

    def __init__(self) -> None:
        self.runs: dict[str, BackgroundCampaign] = {}

    def start(self, run: BackgroundCampaign, work: Callable[[BackgroundCampaign], Any]) -> None:
        """Start ``work(run)`` in the background, unless that run is already going."""
        current = self.runs.get(run.run_id)
        if current is not None and not current.finished:
            return
        self.runs[run.run_id] = run
        run.task = asyncio.ensure_future(work(run))
        run.task.add_done_callback(lambda _: run.changed.set())

    async def aclose(self) -> None:
        """Cancel every run (each resumes from its report when started again)."""
        tasks = [run.task for run in self.runs.values() if run.task is not None and not run.task.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
