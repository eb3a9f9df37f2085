"""What a paid job costs, as the MCP tools report it.

The pricing itself is the library's (``heygen_lipsync.jobs.preflight``: each item at its own
mode's rate, local files and remembered assets measured with PyAV, URLs and foreign asset
ids unknown); ``CostEstimate.of`` shapes its result for the tools' output schemas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from heygen_lipsync.jobs.preflight import Preflight
    from heygen_lipsync.media.probe import MediaProbe

__all__ = ["CostEstimate", "MediaInfo"]


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
