"""The spending gate: cost estimates, the user's confirmation, and the per-session job cap.

A create spends the user's HeyGen credits, so before its first request the server works
out what it can about the cost (the audio's duration is known only for local files, read
with PyAV when it is installed) and then either asks the user through elicitation, when
the client supports it, or requires ``confirm_spend=true`` from the model, whose argument
description tells it to ask the user first. The sandbox spends nothing and skips all of it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

from heygen_lipsync.mcp.errors import ToolFailure

__all__ = [
    "CONFIRM_SPEND_DESCRIPTION",
    "CostEstimate",
    "JobCounter",
    "OutputLength",
    "SpendApproval",
    "audio_duration",
    "estimate_cost",
]

logger = logging.getLogger("heygen_lipsync.mcp")

CONFIRM_SPEND_DESCRIPTION = (
    "This job spends the user's HeyGen credits. Set true ONLY after telling the user the estimated cost "
    "(call once without it to get the estimate) and getting their explicit go-ahead. Ignored when the "
    "server can ask the user itself (elicitation) and in the sandbox."
)


class SpendApproval(BaseModel):
    """The form shown to the user when the client supports elicitation."""

    approve: bool = Field(
        default=True,
        title="Start the paid job",
        description="Leave checked and accept to spend the credits; decline to cancel.",
    )


class CostEstimate(BaseModel):
    """What the server knows about a job's cost before it is created."""

    mode: str = Field(description="Lipsync mode the rate applies to (speed unless precision was asked for).")
    rate_usd_per_second: float = Field(description="Configured price per second of output, in USD.")
    jobs: int = Field(default=1, description="Number of jobs the estimate covers.")
    known_seconds: float = Field(default=0.0, description="Output seconds whose length is known.")
    unknown_items: int = Field(default=0, description="Jobs whose output length is not known (remote inputs).")
    estimated_usd: float | None = Field(
        default=None, description="Estimated cost in USD for the jobs of known length; null when none is known."
    )
    summary: str = Field(description="One line to show the user.")


def audio_duration(path: Path) -> float | None:
    """The duration of a local media file in seconds, or None when unknown or PyAV is missing."""
    try:
        import av  # a heavy import: only when a create has local audio
    except ImportError:
        return None
    try:
        with av.open(str(path)) as container:
            if container.duration is not None and container.duration > 0:
                return float(container.duration) / 1_000_000  # AV_TIME_BASE
            for stream in container.streams.audio:
                if stream.duration is not None and stream.time_base is not None:
                    return float(stream.duration * stream.time_base)
    except Exception as exc:  # noqa: BLE001 - an unreadable file only means "unknown"; the upload checks it
        logger.debug("could not read the duration of %s: %s", path, type(exc).__name__)
    return None


@dataclass(frozen=True)
class OutputLength:
    """What decides a job's output length, hence its price.

    With ``enable_dynamic_duration`` on (HeyGen's default) the output is as long as the audio;
    off, as long as the video segment (``start_time``..``end_time``). Only a local file can be
    measured: ``path`` is None when that input is a URL or an asset id.
    """

    path: Path | None
    start: float | None = None
    end: float | None = None

    def seconds(self) -> float | None:
        """The output length in seconds, or None when unknown."""
        if self.path is None:
            return None
        total = audio_duration(self.path)
        if total is None:
            return None
        end = total if self.end is None else min(self.end, total)
        return max(end - (self.start or 0.0), 0.0)


def estimate_cost(durations: Sequence[float | None], *, mode: str | None, rate: float) -> CostEstimate:
    """Estimate the cost of jobs whose output durations are given (None: unknown)."""
    shown_mode = mode or "speed"
    known = [d for d in durations if d is not None]
    unknown = len(durations) - len(known)
    seconds = sum(known)
    usd = round(seconds * rate, 2) if known else None
    jobs = len(durations)
    what = "this job" if jobs == 1 else f"these {jobs} jobs"
    if usd is None:
        summary = (
            f"Cost of {what} is unknown before it runs (the output's length is known here only when it "
            "comes from a local file: the audio, or with enable_dynamic_duration=false the video); "
            f"HeyGen charges about ${rate:g} per second of output in {shown_mode} mode."
        )
    else:
        summary = f"Estimated cost of {what}: about ${usd:.2f} ({seconds:.1f} s of output at ${rate:g}/s, {shown_mode})"
        if unknown:
            summary += f", plus {unknown} job(s) of unknown length"
        summary += "."
    return CostEstimate(
        mode=shown_mode,
        rate_usd_per_second=rate,
        jobs=jobs,
        known_seconds=round(seconds, 3),
        unknown_items=unknown,
        estimated_usd=usd,
        summary=summary,
    )


@dataclass
class JobCounter:
    """Jobs created per MCP session, so one conversation cannot run up an unbounded bill."""

    limit: int
    created: dict[str, int] = field(default_factory=dict)
    in_flight: dict[str, int] = field(default_factory=dict)

    def remaining(self, session: str) -> int:
        """How many more jobs this session may start."""
        return self.limit - self.created.get(session, 0) - self.in_flight.get(session, 0)

    def check(self, session: str, jobs: int) -> None:
        """Refuse when ``jobs`` more would pass the cap.

        Raises:
            ToolFailure: the cap would be exceeded.
        """
        left = self.remaining(session)
        if jobs > left:
            raise ToolFailure(
                "session_job_limit",
                f"this session may create {self.limit} job(s) (HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION); "
                f"{max(left, 0)} left, {jobs} asked for",
                next_action=(
                    f"Create at most {left} job(s) in this session (e.g. a smaller batch), or tell the user the "
                    "limit would be passed; they can raise it in the server's configuration or start a new session."
                    if left > 0
                    else "Tell the user the limit was reached; they can raise it in the server's configuration "
                    "or start a new session."
                ),
            )

    def reserve(self, session: str, jobs: int) -> None:
        """Count ``jobs`` as in flight (call ``check`` first, with no await in between)."""
        self.in_flight[session] = self.in_flight.get(session, 0) + jobs

    def settle(self, session: str, jobs: int, *, created: bool) -> None:
        """Release a reservation; count the jobs when they were created."""
        self.in_flight[session] = self.in_flight.get(session, 0) - jobs
        if created:
            self.created[session] = self.created.get(session, 0) + jobs
