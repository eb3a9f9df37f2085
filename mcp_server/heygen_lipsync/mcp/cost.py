"""What a paid job costs, as the MCP tools report it.

The pricing itself is the library's (``heygen_lipsync.preflight``: each item at its own
mode's rate, local files and remembered assets measured with PyAV, URLs and foreign asset
ids unknown); ``CostEstimate.of`` shapes its result for the tools' output schemas.
``estimate_cost``/``OutputLength`` remain for existing callers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from heygen_lipsync.media import MediaProbe
    from heygen_lipsync.preflight import Preflight

__all__ = ["CostEstimate", "MediaInfo", "OutputLength", "audio_duration", "estimate_cost"]

logger = logging.getLogger("heygen_lipsync.mcp")


class CostEstimate(BaseModel):
    """What the server knows about a job's cost before it is created."""

    mode: str = Field(
        description="Lipsync mode the rate applies to (speed unless precision was asked for); "
        "'mixed' for a batch of both, each item priced at its own mode's rate."
    )
    rate_usd_per_second: float = Field(
        description="Configured price per second of output, in USD (the dearer if mixed)."
    )
    jobs: int = Field(default=1, description="Number of jobs the estimate covers.")
    known_seconds: float = Field(default=0.0, description="Output seconds whose length is known.")
    unknown_items: int = Field(default=0, description="Jobs whose output length is not known (remote inputs).")
    estimated_usd: float | None = Field(
        default=None, description="Estimated cost in USD for the jobs of known length; null when none is known."
    )
    summary: str = Field(description="One line to show the user.")
    balance_usd: float | None = Field(
        default=None, description="The account's remaining USD balance, when the API reported it."
    )

    @classmethod
    def of(cls, pre: Preflight) -> CostEstimate:
        """The estimate of a library preflight."""
        modes = pre.modes
        balance = pre.balance
        return cls(
            mode=modes[0] if len(modes) == 1 else "mixed",
            rate_usd_per_second=max(item.rate for item in pre.items),
            jobs=len(pre.items),
            known_seconds=round(pre.known_seconds, 3),
            unknown_items=pre.unknown_items,
            estimated_usd=pre.estimated_usd,
            summary=pre.summary(),
            balance_usd=balance.remaining if balance is not None and balance.currency.lower() == "usd" else None,
        )


class MediaInfo(BaseModel):
    """What an uploaded file holds, read locally before the upload: a create from its asset is priced from it."""

    duration_seconds: float | None = Field(default=None, description="Its length in seconds; null when unknown.")
    has_video: bool | None = Field(default=None, description="Whether it has a video stream; null when unknown.")
    has_audio: bool | None = Field(default=None, description="Whether it has an audio stream; null when unknown.")
    container: str | None = Field(default=None, description="The container format PyAV read, e.g. 'wav'.")

    @classmethod
    def of(cls, probe: MediaProbe) -> MediaInfo:
        """From the library's probe (durations rounded to the millisecond)."""
        seconds = None if probe.duration is None else round(probe.duration, 3)
        return cls(
            duration_seconds=seconds, has_video=probe.has_video, has_audio=probe.has_audio, container=probe.container
        )


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
