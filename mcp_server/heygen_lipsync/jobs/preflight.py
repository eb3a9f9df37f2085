"""Preflight: the checks and the price of a create, worked out locally before anything is spent.

``preflight(request)`` (``preflight_batch(requests)`` for a batch) probes every local
source (``media.py``) and reports what would make the job fail after a slot and the user's
attention were spent on it: a video without a video stream, an audio without an audio
stream, ``start_time``/``end_time`` beyond the video, a segment under a second, an empty
file, a file that is not media. Each finding names its field; an error means HeyGen would
refuse or fail the job, a warning that it might still take it.

It also prices the job the way HeyGen bills it: by output seconds (the audio's length with
``enable_dynamic_duration``, the default; otherwise the video segment's) at the rate of the
item's own mode. Local files and assets whose probe this install remembers are priced; a
URL or a foreign asset id is "unknown", and the summary says so. ``with_balance`` adds the
account's wallet, and ``check_spend`` refuses an estimate above it, with the figures.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from heygen_lipsync.errors import AuthenticationError, BalanceTooLowError, ValidationError
from heygen_lipsync.jobs.pricing import Rates
from heygen_lipsync.media.probe import INSTALL_HINT, MediaProbe, NotMediaError, probe_file
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.sources import AssetSource, MediaSource, UrlSource

__all__ = [
    "MIN_SEGMENT_SECONDS",
    "Balance",
    "BalanceTooLowError",
    "Finding",
    "ItemPreflight",
    "Preflight",
    "SourceInfo",
    "check_spend",
    "fetch_balance",
    "preflight",
    "preflight_batch",
    "preflight_item",
    "with_balance",
]

logger = logging.getLogger("heygen_lipsync")

MIN_SEGMENT_SECONDS = 1.0
# An asset id -> its remembered probe (e.g. ``AsyncLipsyncClient.remembered_probe``).
ProbeLookup = Callable[[str], MediaProbe | None]


@dataclass(frozen=True)
class Finding:
    """One thing preflight found: ``error`` (the job would fail) or ``warning`` (it might not)."""

    field: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def to_dict(self) -> dict[str, str]:
        """``{"field", "message", "severity"}``."""
        return {"field": self.field, "message": self.message, "severity": self.severity}


@dataclass(frozen=True)
class SourceInfo:
    """One input of a job: what it is, and what its probe found (local files and remembered assets)."""

    field: str
    kind: Literal["file", "url", "asset_id"]
    value: str
    probe: MediaProbe | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; ``probe`` is null when nothing is known about the input."""
        return {
            "field": self.field,
            "kind": self.kind,
            "value": self.value,
            "probe": self.probe.to_dict() if self.probe else None,
        }


@dataclass(frozen=True)
class Balance:
    """The account's wallet (``GET /v3/users/me``)."""

    remaining: float
    currency: str

    def describe(self) -> str:
        """``$42.10``, or ``120 credits``."""
        return f"${self.remaining:.2f}" if self.currency.lower() == "usd" else f"{self.remaining:g} {self.currency}"


@dataclass(frozen=True)
class ItemPreflight:
    """The preflight of one job: its inputs, findings, output length and price."""

    inputs: tuple[SourceInfo, ...]
    mode: str
    rate: float
    length_from: Literal["audio", "video segment"]
    output_seconds: float | None
    findings: tuple[Finding, ...] = ()
    unknown_reason: str | None = None

    @property
    def estimated_usd(self) -> float | None:
        """The price at this item's mode's rate; None when its length is unknown."""
        return None if self.output_seconds is None else self.output_seconds * self.rate

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        usd = self.estimated_usd
        return {
            "inputs": [source.to_dict() for source in self.inputs],
            "mode": self.mode,
            "rate_usd_per_second": self.rate,
            "length_from": self.length_from,
            "output_seconds": None if self.output_seconds is None else round(self.output_seconds, 3),
            "estimated_usd": None if usd is None else round(usd, 2),
            "unknown_reason": self.unknown_reason,
            "findings": [finding.to_dict() for finding in self.findings],
        }


@dataclass(frozen=True)
class Preflight:
    """The preflight of a create (one item) or a batch: findings, prices summed, and the balance."""

    items: tuple[ItemPreflight, ...]
    balance: Balance | None = None
    findings: tuple[Finding, ...] = field(default=())  # every item's, fields prefixed for batches

    @property
    def errors(self) -> list[Finding]:
        """Findings that make the job fail."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings HeyGen might still accept."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def known_seconds(self) -> float:
        """Output seconds of the items whose length is known."""
        return sum(item.output_seconds or 0.0 for item in self.items)

    @property
    def unknown_items(self) -> int:
        """Items whose output length (so price) is unknown."""
        return sum(1 for item in self.items if item.output_seconds is None)

    @property
    def estimated_usd(self) -> float | None:
        """The summed price of the items of known length, rounded to the cent; None when none is known."""
        known = [usd for item in self.items if (usd := item.estimated_usd) is not None]
        return round(sum(known), 2) if known else None

    @property
    def modes(self) -> list[str]:
        """The modes in use, speed before precision."""
        return sorted({item.mode for item in self.items}, key=lambda m: (m != "speed", m))

    def summary(self) -> str:
        """One line for the user: the estimate (or why it is unknown) and the balance."""
        jobs = len(self.items)
        what = "this job" if jobs == 1 else f"these {jobs} jobs"
        usd = self.estimated_usd
        if usd is None:
            rates = "; ".join(f"${self._rate(m):g} per second of output in {m} mode" for m in self.modes)
            reasons = sorted({item.unknown_reason for item in self.items if item.unknown_reason})
            text = f"Cost of {what} is unknown before it runs ({'; '.join(reasons)}); HeyGen charges about {rates}."
        else:
            parts = []
            for mode in self.modes:
                seconds = sum(i.output_seconds or 0.0 for i in self.items if i.mode == mode)
                if any(i.output_seconds is not None for i in self.items if i.mode == mode):
                    parts.append(f"{seconds:.1f} s of output at ${self._rate(mode):g}/s, {mode}")
            text = f"Estimated cost of {what}: about ${usd:.2f} ({'; '.join(parts)})"
            if self.unknown_items:
                text += f", plus {self.unknown_items} job(s) of unknown length"
            text += "."
        if self.balance is not None:
            text += f" Your balance is {self.balance.describe()}."
        return text

    def _rate(self, mode: str) -> float:
        return next(item.rate for item in self.items if item.mode == mode)

    def raise_for_errors(self) -> None:
        """Raise the first error, naming its field.

        Raises:
            ValidationError: preflight found an error (the job would fail).
        """
        if self.errors:
            first = self.errors[0]
            raise ValidationError(first.field, first.message)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: items, totals, findings, balance and the summary line."""
        b = self.balance
        return {
            "items": [item.to_dict() for item in self.items],
            "estimated_usd": self.estimated_usd,
            "known_seconds": round(self.known_seconds, 3),
            "unknown_items": self.unknown_items,
            "balance": None if b is None else {"remaining": b.remaining, "currency": b.currency},
            "errors": [f.to_dict() for f in self.errors],
            "warnings": [f.to_dict() for f in self.warnings],
            "summary": self.summary(),
        }


def _probe(source: MediaSource, name: str, probes: ProbeLookup | None, found: list[Finding]) -> SourceInfo:
    if isinstance(source, UrlSource):
        return SourceInfo(name, "url", source.url)
    if isinstance(source, AssetSource):
        remembered = probes(source.asset_id) if probes is not None else None
        return SourceInfo(name, "asset_id", source.asset_id, remembered)
    try:
        probe = probe_file(source.path)
    except NotMediaError:
        found.append(Finding(name, f"{source.path} is not a media file (no container could be read from it)"))
        return SourceInfo(name, "file", str(source.path))
    except OSError as exc:
        found.append(Finding(name, f"cannot read {source.path}: {exc.strerror or exc}"))
        return SourceInfo(name, "file", str(source.path))
    if probe.size_bytes == 0:
        found.append(Finding(name, f"{source.path} is empty"))
    elif not probe.complete:
        found.append(Finding(name, f"streams and duration not checked: {INSTALL_HINT}", "warning"))
    return SourceInfo(name, "file", str(source.path), probe)


def _check_streams(video: SourceInfo, audio: SourceInfo, found: list[Finding]) -> None:
    if video.probe is not None and video.probe.has_video is False:
        found.append(Finding("video", f"{video.value} has no video stream; give a video file"))
    if audio.probe is not None and audio.probe.has_audio is False:
        found.append(Finding("audio", f"{audio.value} has no audio stream; give audio or a video with sound"))


def _segment(request: LipsyncRequest, video: SourceInfo, found: list[Finding]) -> float | None:
    """The video segment's length in seconds (None when the video's length is unknown)."""
    start = float(request.start_time or 0.0)
    end_time = request.end_time
    duration = video.probe.duration if video.probe is not None else None
    if duration is None:
        if end_time is not None and end_time - start < MIN_SEGMENT_SECONDS:
            found.append(Finding("end_time", f"the segment {start:g}..{end_time:g} s is shorter than 1 s"))
        return None
    if start >= duration:
        found.append(Finding("start_time", f"{start:g} s is beyond the video's duration ({duration:.1f} s)"))
        return None
    end = duration
    if end_time is not None:
        if end_time > duration:
            found.append(
                Finding("end_time", f"{end_time:g} s is beyond the video's duration ({duration:.1f} s)", "warning")
            )
        end = min(float(end_time), duration)
    if end - start < MIN_SEGMENT_SECONDS:
        where = "end_time" if end_time is not None else "start_time"
        found.append(
            Finding(where, f"the segment {start:g}..{end:g} s is {end - start:.2f} s; HeyGen needs 1 s or more")
        )
    return max(end - start, 0.0)


_UNKNOWN = {
    "url": "{field} is a URL, measured only by HeyGen",
    "asset_id": "{field} is an asset not uploaded by this install, so its length is not known here",
    "file": "the length of {field} could not be read",
}


def preflight_item(
    request: LipsyncRequest, *, rates: Rates | None = None, probes: ProbeLookup | None = None
) -> ItemPreflight:
    """Probe one job's local sources, check them against the request, and price it.

    Never raises for a bad input: every problem is a ``Finding`` (see ``Preflight.raise_for_errors``).
    """
    rates = rates or Rates()
    found: list[Finding] = []
    video = _probe(request.video, "video", probes, found)
    audio = _probe(request.audio, "audio", probes, found)
    _check_streams(video, audio, found)
    segment = _segment(request, video, found)
    mode = request.mode or "speed"
    dynamic = request.enable_dynamic_duration is not False
    decides = audio if dynamic else video
    seconds = (decides.probe.duration if decides.probe else None) if dynamic else segment
    reason = None if seconds is not None else _UNKNOWN[decides.kind].format(field=decides.field)
    return ItemPreflight(
        inputs=(video, audio),
        mode=mode,
        rate=rates.for_mode(mode),
        length_from="audio" if dynamic else "video segment",
        output_seconds=seconds,
        findings=tuple(found),
        unknown_reason=reason,
    )


def preflight(request: LipsyncRequest, *, rates: Rates | None = None, probes: ProbeLookup | None = None) -> Preflight:
    """The preflight of one create: findings and price, before any upload or request.

    Raises:
        ValidationError: the request itself is invalid (``request.validate()``).
    """
    request.validate()
    item = preflight_item(request, rates=rates, probes=probes)
    return Preflight(items=(item,), findings=item.findings)


def preflight_batch(
    requests: Sequence[LipsyncRequest], *, rates: Rates | None = None, probes: ProbeLookup | None = None
) -> Preflight:
    """The preflight of a batch: each item at its own mode's rate, summed; fields as ``lipsyncs[i].<field>``.

    Raises:
        ValidationError: an item is invalid (``lipsyncs[i].<field>``).
    """
    items = []
    findings: list[Finding] = []
    for index, request in enumerate(requests):
        try:
            request.validate()
        except ValidationError as exc:
            raise ValidationError(f"lipsyncs[{index}].{exc.field}", exc.reason) from exc
        item = preflight_item(request, rates=rates, probes=probes)
        items.append(item)
        findings += [replace(f, field=f"lipsyncs[{index}].{f.field}") for f in item.findings]
    return Preflight(items=tuple(items), findings=tuple(findings))


async def fetch_balance(client: object, *, strict: bool = False) -> Balance | None:
    """The account's wallet from ``client.account()``, or None when it is unknown.

    Unknown covers a client without ``account()``, any error from it (an API error, no
    credentials, a plan without a wallet) and an answer without a numeric balance.

    Raises:
        AuthenticationError: with ``strict``, the key was rejected (401): nothing else would work.
    """
    account = getattr(client, "account", None)
    if account is None:
        return None
    try:
        info = await account()
    except AuthenticationError:
        if strict:
            raise  # a rejected key fails everything next: said now, before any upload
        logger.debug("balance unknown: the key was rejected")
        return None
    except Exception as exc:  # noqa: BLE001 - the balance is a courtesy: unknown, never a failure
        logger.debug("balance unknown: %s", type(exc).__name__)
        return None
    wallet = getattr(info, "wallet", None)
    remaining = getattr(wallet, "remaining_balance", None)
    if isinstance(remaining, bool) or not isinstance(remaining, int | float):
        return None
    return Balance(float(remaining), str(getattr(wallet, "currency", None) or "usd"))


async def with_balance(pre: Preflight, client: object, *, strict: bool = False) -> Preflight:
    """``pre`` with the account's balance added (unchanged when the balance is unknown).

    Raises:
        AuthenticationError: with ``strict``, the key was rejected (see ``fetch_balance``).
    """
    balance = await fetch_balance(client, strict=strict)
    return replace(pre, balance=balance) if balance is not None else pre


def check_spend(pre: Preflight) -> None:
    """Refuse a job that preflight says would fail, or whose estimate is above the USD balance.

    Raises:
        ValidationError: an error finding, naming its field.
        BalanceTooLowError: the estimate exceeds the balance (with both figures).
    """
    pre.raise_for_errors()
    usd = pre.estimated_usd
    balance = pre.balance
    if balance is not None and balance.currency.lower() == "usd" and usd is not None and usd > balance.remaining:
        raise BalanceTooLowError(usd, balance)
