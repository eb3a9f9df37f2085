"""The state of a ``dub_many`` run: its rows, their derived keys and output paths, and ``dub-report.jsonl``.

The report file in the output directory holds one JSON line per row (its key, job id,
status, output path, failure message, estimate) and is rewritten atomically on every
change, so a run that is killed at any moment leaves a report a rerun can resume from.

Each row's Idempotency-Key is derived from the row itself (its inputs, fields and output
path) and its attempt number: a rerun after a crash between sending a create and recording
its answer sends the same key, and the API replays the job instead of making (and charging
for) a second one. Only ``retry_failed`` moves a failed row to its next attempt, a new key.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from heygen_lipsync.errors import ValidationError
from heygen_lipsync.media.paths import expand_user
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.sources import AssetSource, FileSource, MediaSource, UrlSource

__all__ = [
    "REPORT_NAME",
    "DubRow",
    "RowRecord",
    "RowStatus",
    "describe_source",
    "load_report",
    "output_paths",
    "row_key",
    "save_report",
    "summary_counts",
]

REPORT_NAME = "dub-report.jsonl"


class RowStatus:
    """A row's status in the report (plain strings, so the file stays readable)."""

    QUEUED = "queued"  # nothing sent yet, or a create whose answer was never recorded (the rerun replays it)
    RUNNING = "running"  # created: the job id is known and the job has not finished
    DONE = "done"  # completed and downloaded to ``output``
    FAILED = "failed"  # the job failed or the create was refused; retried only with retry_failed
    INCOMPLETE = (
        "incomplete"  # interrupted without a verdict (unknown create outcome, failed download): a rerun resumes it
    )

    FINISHED = frozenset({DONE, FAILED})


@dataclass(frozen=True)
class DubRow:
    """One video to dub: the create request, where its output goes (default: derived from the inputs),
    and its output length in seconds when a preflight already measured it (the report's estimate)."""

    request: LipsyncRequest
    output: Path | None = None
    estimate_seconds: float | None = None


@dataclass
class RowRecord:
    """One line of ``dub-report.jsonl``."""

    row: int
    row_id: str  # the row's identity: the key of its first attempt
    key: str  # the Idempotency-Key of its current attempt
    video: str
    audio: str
    output: str
    status: str = RowStatus.QUEUED
    attempt: int = 1
    job_id: str | None = None
    failure_message: str | None = None
    estimate_seconds: float | None = None
    caption: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The record as one JSON line (without a newline)."""
        data = asdict(self)
        extra = data.pop("extra")
        return json.dumps({**extra, **data}, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> RowRecord | None:
        """A record from a report line, or None when the line is not one (a torn or foreign line)."""
        try:
            data = json.loads(line)
        except ValueError:
            return None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("row_id"), str)
            or not isinstance(data.get("row"), int)
        ):
            return None
        known = {name for name in cls.__dataclass_fields__ if name != "extra"}
        values = {name: data[name] for name in known if name in data}
        try:
            return cls(**values, extra={k: v for k, v in data.items() if k not in known})
        except TypeError:
            return None

    def with_status(self, status: str, **changes: Any) -> RowRecord:
        """A copy in another status (and other fields changed)."""
        return replace(self, status=status, **changes)


def _source_identity(source: MediaSource) -> str:
    if isinstance(source, FileSource):
        return f"file:{expand_user(source.path).resolve()}"
    if isinstance(source, UrlSource):
        return f"url:{source.url}"
    if isinstance(source, AssetSource):
        return f"asset:{source.asset_id}"
    return repr(source)  # pragma: no cover - a source kind added later still gets a stable identity


def describe_source(source: MediaSource) -> str:
    """How a row's input is shown in the report: the path, URL or asset id."""
    return _source_identity(source).split(":", 1)[1]


def row_key(row: DubRow, output: Path, attempt: int = 1) -> str:
    """The Idempotency-Key of a row's create: the same for the same row, output and attempt.

    The output path (hence the output directory) is part of it: the same inputs dubbed into
    another directory are another job on purpose.
    """
    identity = {
        "video": _source_identity(row.request.video),
        "audio": _source_identity(row.request.audio),
        "fields": {name: value for name, value in row.request.items() if name not in ("video", "audio")},
        "output": str(expand_user(output).resolve()),
        "attempt": attempt,
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()
    return f"hl-dub-{digest[:48]}"


def _stem(source: MediaSource) -> str | None:
    return Path(source.path).stem if isinstance(source, FileSource) else None


def output_paths(rows: Sequence[DubRow], out_dir: Path) -> list[Path]:
    """Each row's output video: its own ``output``, else ``<video stem>.mp4`` in ``out_dir``.

    Two rows that would share a name (the same video with two audios, or remote inputs) get
    the audio's stem or the row number added, so no output overwrites another; an output (or
    its captions) that would be an input gets another name too (``--out .`` beside the videos).

    Raises:
        ValidationError: two rows name the same output explicitly, or a row's own output is
            outside ``out_dir`` or is one of the inputs.
    """
    paths: list[Path] = []
    inputs = {
        Path(os.path.realpath(src.path)) for row in rows for src in (row.request.video, row.request.audio)
        if isinstance(src, FileSource)
    }  # fmt: skip
    taken: set[Path] = set(inputs)  # an output never replaces an input: it gets another name
    root = Path(os.path.realpath(out_dir))
    video_stems = [_stem(row.request.video) for row in rows]
    for index, row in enumerate(rows):
        if row.output is not None:
            path = Path(os.path.realpath(row.output if row.output.is_absolute() else out_dir / row.output))
            if not path.is_relative_to(root):
                raise ValidationError(
                    f"rows[{index}].output",
                    f"{row.output} is outside the output folder {out_dir}; give a name inside it",
                )
            if path in inputs or path.with_suffix(".srt") in inputs:
                raise ValidationError(f"rows[{index}].output", f"{row.output} is one of the inputs; give another name")
        else:
            stem = video_stems[index]
            if stem is None:
                stem = f"row-{index + 1:04d}"
            elif video_stems.count(stem) > 1:
                stem = f"{stem}.{_stem(row.request.audio) or index + 1}"
            path = out_dir / f"{stem}.mp4"
        candidate, suffix = path, 2
        while (
            candidate in taken or Path(os.path.realpath(candidate)) in taken or candidate.with_suffix(".srt") in taken
        ):
            if row.output is not None:
                # Counted from 1 like every line a person reads; ``field`` keeps the 0-based path for scripts.
                error = ValidationError(
                    f"row {index + 1}: output", f"{path} is the output of another row; give each row its own"
                )
                error.field = f"rows[{index}].output"
                raise error
            candidate = path.with_name(f"{path.stem}-{suffix}{path.suffix}")
            suffix += 1
        taken.add(candidate)
        paths.append(candidate)
    return paths


def load_report(out_dir: Path) -> dict[str, RowRecord]:
    """The records of an earlier run in ``out_dir`` by ``row_id``; empty when there is none.

    A row is found again by its identity (the key of its first attempt), so a row on its
    second attempt is still the same row.
    """
    path = out_dir / REPORT_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    records: dict[str, RowRecord] = {}
    for line in text.splitlines():
        record = RowRecord.from_json(line)
        if record is not None:
            records[record.row_id] = record
    return records


def save_report(out_dir: Path, records: Iterable[RowRecord]) -> Path:
    """Write the report atomically (a temporary file renamed over it); returns its path.

    Raises:
        OSError: the output directory cannot be written.
    """
    path = out_dir / REPORT_NAME
    text = "".join(record.to_json() + "\n" for record in records)
    fd, tmp = tempfile.mkstemp(prefix=".dub-report-", suffix=".tmp", dir=out_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def summary_counts(records: Mapping[str, RowRecord] | Iterable[RowRecord]) -> dict[str, int]:
    """How many rows are in each status."""
    values = records.values() if isinstance(records, Mapping) else records
    counts: dict[str, int] = {}
    for record in values:
        counts[record.status] = counts.get(record.status, 0) + 1
    return counts
