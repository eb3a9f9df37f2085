"""Prepared jobs: every local input opened once, and what a job is and costs, known before anything is sent.

``prepare_jobs`` opens each local file once (``opened.open_input``: no symlink followed at
the last step, no FIFO hang) and that descriptor is what gets sniffed, hashed, probed and,
later, uploaded: a file swapped after the user approved cannot be what is sent. The
fingerprint of a job covers the content hash of each local file (never its path), every
request field, and the origin the job goes to (the embedded sandbox is ``sandbox``, whatever
port it listens on); the Idempotency-Key derives from it, so exactly-once holds with no
store at all.

A job's price is its preflight's estimate. When the length cannot be known before the job
runs (a URL, an asset this install did not upload), it counts against the daily spend cap
as ``UNKNOWN_JOB_SECONDS`` of output at its mode's rate, never as $0.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from heygen_lipsync.errors import ValidationError
from heygen_lipsync.jobs.fingerprint import fingerprint_of
from heygen_lipsync.jobs.preflight import ItemPreflight, Preflight, ProbeLookup, preflight_item
from heygen_lipsync.jobs.pricing import Rates
from heygen_lipsync.media.files import sha256_file
from heygen_lipsync.media.opened import OpenedInput
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.sources import AssetSource, FileSource, open_checked
from heygen_lipsync.store import JobRecord

__all__ = ["UNKNOWN_JOB_SECONDS", "PreparedJob", "Quote", "prepare_jobs"]

#: How much output a job of unknown length counts as against HEYGEN_LIPSYNC_MAX_SPEND_PER_DAY.
UNKNOWN_JOB_SECONDS = 300.0


@dataclass
class PreparedJob:
    """One job ready to authorize: its request (local files open), content hashes, fingerprint and price."""

    request: LipsyncRequest
    hashes: dict[str, str]
    fingerprint: str
    preflight: ItemPreflight
    inputs: dict[str, Any]
    field_prefix: str = ""

    @property
    def estimate_usd(self) -> float | None:
        """The estimated price; None when the output's length is not known before the job runs."""
        return self.preflight.estimated_usd

    @property
    def counted_usd(self) -> float:
        """What this job counts as against the daily spend cap (the estimate, else the unknown-length rule)."""
        known = self.estimate_usd
        return known if known is not None else round(UNKNOWN_JOB_SECONDS * self.preflight.rate, 4)

    def close(self) -> None:
        """Close the descriptors of its local files."""
        for source in self.request.file_sources.values():
            if isinstance(source.path, OpenedInput):
                source.path.close()


@dataclass
class Quote:
    """What authorizing these jobs would do: which are new (and paid), which an earlier identical job covers."""

    jobs: list[PreparedJob]
    preflight: Preflight
    #: Jobs that need no new spend, by index: the earlier job that covers each (None: covered by a
    #: count the front-end keeps, e.g. an MCP session's retry of a create it already counted).
    reused: dict[int, JobRecord | None] = field(default_factory=dict)

    @property
    def new(self) -> list[PreparedJob]:
        """The jobs that would be created (and paid for)."""
        return [job for i, job in enumerate(self.jobs) if i not in self.reused]

    @property
    def new_preflight(self) -> Preflight:
        """The preflight of the new jobs only: what would be paid for."""
        new = [i for i in range(len(self.jobs)) if i not in self.reused]
        items = tuple(self.preflight.items[i] for i in new)
        prefixes = tuple(self.jobs[i].field_prefix for i in new)
        findings = tuple(f for f in self.preflight.findings if not prefixes or f.field.startswith(prefixes))
        return Preflight(items=items, findings=findings if items else (), balance=self.preflight.balance)

    @property
    def new_fingerprints(self) -> tuple[str, ...]:
        """The fingerprints an approval of this quote must cover."""
        return tuple(job.fingerprint for job in self.new)

    @property
    def estimate_usd(self) -> float | None:
        """The estimated price of the new jobs; None when one's length is unknown."""
        prices = [job.estimate_usd for job in self.new]
        return None if any(p is None for p in prices) else round(sum(p or 0.0 for p in prices), 4)

    @property
    def counted_usd(self) -> float:
        """What the new jobs count as against the daily spend cap."""
        return round(sum(job.counted_usd for job in self.new), 4)

    def close(self) -> None:
        """Close every job's descriptors."""
        for job in self.jobs:
            job.close()


def _opened(request: LipsyncRequest, prefix: str) -> LipsyncRequest:
    """The request with each local file opened once (its descriptor replaces the path)."""
    opened: dict[str, FileSource] = {}
    for name, source in request.file_sources.items():
        path = source.path
        if not (isinstance(path, OpenedInput) and path.is_open):
            path = open_checked(path, field=f"{prefix}{name}")
        opened[name] = FileSource(path)
    return request.with_sources(**opened) if opened else request


def _prepare(
    request: LipsyncRequest, *, origin: str, rates: Rates, probes: ProbeLookup | None, prefix: str
) -> PreparedJob:
    request = _opened(request, prefix)
    try:
        try:
            request.validate()
        except ValidationError as exc:
            raise ValidationError(f"{prefix}{exc.field}", exc.reason) from exc
        hashes = {name: sha256_file(source.path) for name, source in request.file_sources.items()}
        item = preflight_item(request, rates=rates, probes=probes)
        placeholders = {name: AssetSource(f"sha256:{digest}") for name, digest in hashes.items()}
        body = request.with_sources(**placeholders).to_api_dict()
    except BaseException:
        for source in request.file_sources.values():
            with contextlib.suppress(OSError):
                if isinstance(source.path, OpenedInput):
                    source.path.close()
        raise
    inputs = {
        name: str(value.path) if isinstance(value, FileSource) else _plain(value) for name, value in request.items()
    }
    return PreparedJob(request, hashes, fingerprint_of({"lipsync": body}, origin), item, inputs, prefix)


def _plain(value: Any) -> Any:
    to_api = getattr(value, "to_api_dict", None)
    return to_api() if callable(to_api) else value


def prepare_jobs(
    requests: Sequence[LipsyncRequest],
    *,
    origin: str,
    rates: Rates | None = None,
    probes: ProbeLookup | None = None,
    batch: bool = False,
) -> list[PreparedJob]:
    """Open, check, hash, probe and price each job (blocking: front-ends run it off their event loop).

    Field names in errors are ``lipsyncs[i].<field>`` when ``batch``.

    Raises:
        ValidationError: a request is invalid, or a local file is missing, unreadable or not media.
    """
    prepared: list[PreparedJob] = []
    try:
        for index, request in enumerate(requests):
            prefix = f"lipsyncs[{index}]." if batch else ""
            prepared.append(_prepare(request, origin=origin, rates=rates or Rates(), probes=probes, prefix=prefix))
    except BaseException:
        for job in prepared:
            job.close()
        raise
    return prepared
