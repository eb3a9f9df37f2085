"""Turning command-line input into library requests: request bodies, flag overrides, manifests, durations.

Validation of the request itself is the library's (``LipsyncRequest.from_dict``); this module
only reads the input (inline JSON, a file, stdin, a CSV manifest) into plain dicts, and raises
``UsageProblem`` when the input cannot even be read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from heygen_lipsync.cli._errors import UsageProblem
from heygen_lipsync.cli._fields import convert_cell
from heygen_lipsync.cli._limits import load_json, read_stdin, read_text_file
from heygen_lipsync.fields import request_fields
from heygen_lipsync.media.paths import expand_user
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.sources import MAX_BATCH_SIZE

__all__ = [
    "build_request",
    "local_path",
    "merge_body",
    "parse_duration",
    "read_body",
    "read_manifest",
]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([hms]?)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "": 1.0}


def parse_duration(text: str) -> float:
    """Seconds from ``90``, ``90s``, ``20m``, ``1h``, ``1h30m`` or ``1.5h``.

    Raises:
        UsageProblem: the text is not such a duration, or it is zero.
    """
    compact = text.strip().lower().replace(" ", "")
    parts = list(_DURATION.finditer(compact))
    if not compact or "".join(m.group(0) for m in parts) != compact or (len(parts) > 1 and not parts[-1].group(2)):
        raise UsageProblem(f"--timeout: {text!r} is not a duration; use e.g. 90s, 20m or 1h", param="timeout")
    seconds = sum(float(m.group(1)) * _UNIT_SECONDS[m.group(2)] for m in parts)
    if seconds <= 0:
        raise UsageProblem("--timeout: must be more than zero", param="timeout")
    return seconds


def local_path(value: str, *, param: str) -> Path:
    """A path the user typed, as a Path (``~`` expanded).

    Raises:
        UsageProblem: the text cannot name a file (empty, or holds a NUL byte).
    """
    if not value or "\x00" in value:
        raise UsageProblem(f"{param}: {value!r} is not a usable file path", param=param.lstrip("-"))
    return expand_user(value)


def read_body(data: str) -> dict[str, Any]:
    """The JSON object given to ``-d/--data``: inline JSON, ``-`` for stdin, or a file path (``@path`` too).

    Raises:
        UsageProblem: the file is missing, not a regular file, over the size cap or not
            UTF-8, or the text is not a JSON object (or is JSON the parser cannot take).
    """
    stripped = data.strip()
    if stripped == "-":
        text, origin = read_stdin(param="data"), "stdin"
    elif stripped.startswith(("{", "[")):
        text, origin = stripped, "the inline JSON"
    else:
        path = local_path(stripped.removeprefix("@"), param="--data")
        if not path.exists():
            raise UsageProblem(
                f"--data: {data!r} is neither inline JSON nor an existing file; "
                "pass a JSON object, a path, or - for stdin",
                param="data",
            )
        origin = str(path)
        text = read_text_file(path, name=f"--data: {origin}", param="data")
    body = load_json(text, name=f"--data: {origin}", param="data")
    if not isinstance(body, dict):
        raise UsageProblem(f"--data: {origin} must hold a JSON object (a create-lipsync body)", param="data")
    return body


def merge_body(body: Mapping[str, Any] | None, flags: Mapping[str, Any]) -> dict[str, Any]:
    """The request body: ``body`` with every flag that was given (not None) laid over it."""
    merged = dict(body or {})
    merged.update({key: value for key, value in flags.items() if value is not None})
    return merged


def build_request(body: Mapping[str, Any]) -> LipsyncRequest:
    """A validated library request from a body (``video``/``audio`` may be URL, asset id or file path).

    Raises:
        ValidationError: the library rejected a field (its ``field`` names it).
    """
    request = LipsyncRequest.from_dict(body)
    request.validate()
    return request


def read_manifest(name: str, *, limit: int = MAX_BATCH_SIZE) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The jobs of a batch manifest, and batch-level settings (``title``, ``callback_url``).

    JSON: a list of create bodies, or ``{"lipsyncs": [...], "title": ..., "callback_url": ...}``
    (the API's own batch body). CSV: a header row of field names, one job per row; empty
    cells are left out; ``true``/``false`` and numbers are converted by the field's type in
    the field table (``heygen_lipsync.fields``). In both, a ``video``/``audio`` value naming
    a file relative to the manifest's directory is taken from there.

    Raises:
        UsageProblem: unreadable, not a regular file, over the size cap, malformed, empty,
            or more than ``limit`` jobs (a batch's 100 by default).
    """
    path = local_path(name, param="manifest")
    text = read_text_file(path, name=f"manifest {name!r}", param="manifest", encoding="utf-8-sig")
    settings: dict[str, Any] = {}
    if path.suffix.lower() == ".csv":
        jobs = _csv_jobs(text, path)
    else:
        loaded = load_json(text, name=f"manifest {path.name}", param="manifest", hint="; use .csv for CSV")
        if isinstance(loaded, dict):
            settings = {key: loaded[key] for key in ("title", "callback_url") if loaded.get(key) is not None}
            loaded = loaded.get("lipsyncs")
        if not isinstance(loaded, list) or not all(isinstance(job, dict) for job in loaded):
            raise UsageProblem(
                f"manifest {path.name} must be a JSON list of create bodies or an object with a 'lipsyncs' list",
                param="manifest",
            )
        jobs = [dict(job) for job in loaded]
    if not jobs:
        raise UsageProblem(f"manifest {path.name} has no jobs", param="manifest")
    if len(jobs) > limit:
        what = "a batch" if limit == MAX_BATCH_SIZE else "a manifest"
        raise UsageProblem(f"manifest {path.name} has {len(jobs)} jobs; {what} holds at most {limit}", param="manifest")
    for job in jobs:
        for key in ("video", "audio"):
            value = job.get(key)
            if isinstance(value, str) and (path.parent / value).is_file() and not Path(value).is_absolute():
                job[key] = str(path.parent / value)
    return jobs, settings


def _csv_jobs(text: str, path: Path) -> list[dict[str, Any]]:
    table = {spec.name: spec for spec in request_fields()}
    jobs = []
    for row_number, row in enumerate(_csv_rows(text, path), start=2):
        if None in row:
            raise UsageProblem(f"{path.name} line {row_number}: more cells than header columns", param="manifest")
        job = {}
        for key, cell in row.items():
            value = (cell or "").strip()
            if key and value:
                where = f"{path.name} line {row_number}, column {key.strip()}"
                job[key.strip()] = convert_cell(table.get(key.strip()), value, where)
        if job:
            jobs.append(job)
    return jobs


def _csv_rows(text: str, path: Path) -> list[dict[str | None, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as exc:  # e.g. a cell longer than the csv module's field size limit
        raise UsageProblem(f"{path.name} line {reader.line_num}: {exc}", param="manifest") from None
