"""The MCP resources of the job ledger and of the downloaded files.

* ``lipsync://jobs/{job_id}``, a resource template: one job of the ledger (a lipsync or a
  batch, by its id, or the ledger's row number for a create of unknown outcome), as JSON:
  the ledger record with the remote status refreshed when the client can reach the API.
  ``resources/list`` shows the most recent ``RECENT_JOBS`` of them, their statuses read from
  HeyGen in one request (or, when it cannot be asked, marked "as last seen at <time>").
* ``file://`` URIs: the resource links ``download_lipsync`` returns. Only files inside the
  output directory are served, opened once without following a swapped-in symlink
  (``heygen_lipsync.media.opened``), as a blob with their media type.

Nothing here is subscribable (``resources/subscribe`` is not advertised): a client reads a
job again to see its progress, or calls ``wait_for_lipsync``.
"""

from __future__ import annotations

import json
import mimetypes
import os
import time
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp_types import Annotations, Resource

from heygen_lipsync.errors import HeyGenError, NotFoundError
from heygen_lipsync.mcp.state import AppState, state_of

if TYPE_CHECKING:
    from mcp.server import MCPServer

    from heygen_lipsync.store import JobRecord, Ledger

__all__ = [
    "JOB_URI_TEMPLATE",
    "MAX_FILE_BYTES",
    "RECENT_JOBS",
    "REFRESH_SECONDS",
    "job_resources",
    "read_output_file",
    "register_resources",
]

JOB_URI_TEMPLATE = "lipsync://jobs/{job_id}"
#: How many of the newest ledger jobs ``resources/list`` shows.
RECENT_JOBS = 50
#: The largest file served through ``resources/read`` (base64 in one JSON message); larger
#: ones are refused with their local path to open instead.
MAX_FILE_BYTES = 200 * 1024 * 1024
_JSON = "application/json"
# The caption files download_lipsync writes; mimetypes does not know .srt everywhere.
_MEDIA_TYPES = {".srt": "application/x-subrip", ".mp4": "video/mp4", ".m4v": "video/mp4"}
_CHUNK = 1024 * 1024
#: The longest resources/list waits for HeyGen's statuses before showing the statuses last seen.
REFRESH_SECONDS = 5.0
# The statuses read model's words for a lipsync's own.
_READ_TO_LIPSYNC = {"queued": "pending", "processing": "running"}


def _job_uri(record: JobRecord) -> str:
    return f"lipsync://jobs/{record.remote_id or record.id}"


async def _ledger(state: AppState) -> Ledger | None:
    """The client's ledger; None when the ledger is off or the client cannot be built (no API key)."""
    try:
        client = await state.require_client()
    except HeyGenError:
        return None
    return client.ledger


async def job_resources(state: AppState) -> list[Resource]:
    """The newest ``RECENT_JOBS`` ledger jobs as resources (none without a ledger).

    Each one's status is read from HeyGen now (one statuses request for them all, bounded
    by ``REFRESH_SECONDS``) and written back to the ledger; when HeyGen cannot be asked the
    description says the status is as last seen, and when.
    """
    ledger = await _ledger(state)
    if ledger is None:
        return []
    records = await anyio.to_thread.run_sync(lambda: ledger.recent(limit=RECENT_JOBS))
    fresh, why_not = await _fresh_statuses(state, records)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    changed = [(r, fresh[r.remote_id]) for r in records if r.remote_id in fresh]
    changed = [(r, status) for r, status in changed if status != r.status and r.status != "deleted"]
    if changed:

        def write_back() -> None:
            for record, status in changed:
                ledger.set_status(record.remote_id or "", status)

        await anyio.to_thread.run_sync(write_back)
    resources = []
    for record in records:
        seen = record.to_dict()
        status = fresh.get(record.remote_id or "")
        if record.status == "deleted":
            state_text, when = "deleted by this install", seen["updated_at"]
        elif status is not None:
            state_text, when = f"{_said(status)} (checked on HeyGen at {now})", now
        elif record.outcome_unknown:
            state_text, when = "outcome unknown (the create's answer was lost)", seen["updated_at"]
        else:
            state_text = f"{_said(record.status)} as last seen at {seen['updated_at']}"
            state_text += f" (HeyGen could not be asked: {why_not})" if why_not else ""
            when = seen["updated_at"]
        resources.append(
            Resource(
                uri=_job_uri(record),
                name=record.remote_id or f"row-{record.id}",
                title=record.inputs.get("title") or f"{record.kind} {record.remote_id or '(unknown outcome)'}",
                description=f"{record.kind}, {state_text}, created {seen['created_at']}",
                mime_type=_JSON,
                annotations=Annotations(last_modified=when),
            )
        )
    return resources


def _said(status: str) -> str:
    return "deleted or gone from HeyGen" if status == "not_found" else status


async def _fresh_statuses(state: AppState, records: list[JobRecord]) -> tuple[dict[str, str], str | None]:
    """Each record's status on HeyGen now (lipsync vocabulary), by id; and why not, when it could not be read."""
    lipsyncs = [r.lipsync_id for r in records if r.lipsync_id and r.status != "deleted"]
    batches = [r.batch_id for r in records if r.batch_id and not r.lipsync_id and r.status != "deleted"]
    if not lipsyncs and not batches:
        return {}, None
    try:
        client = await state.require_client()
        with anyio.fail_after(REFRESH_SECONDS):
            entries = await client.statuses(lipsync_ids=lipsyncs, batch_ids=batches)
    except (HeyGenError, TimeoutError) as exc:
        return {}, str(exc) or f"no answer within {REFRESH_SECONDS:g} s"
    fresh: dict[str, str] = {}
    items: dict[str, list[str]] = {}
    for entry in entries:
        status = _lipsync_status(entry.status, entry.error.code if entry.error is not None else None)
        if entry.batch_id:
            items.setdefault(entry.batch_id, []).append(status)
        elif entry.lipsync_id:
            fresh[entry.lipsync_id] = status
    for batch_id, statuses in items.items():
        fresh[batch_id] = _batch_status(statuses)
    return fresh, None


def _lipsync_status(read_status: str, error_code: str | None) -> str:
    """A statuses entry in the vocabulary of a lipsync (and of the ledger): a deleted job is gone."""
    if read_status == "not_found" or (read_status == "failed" and error_code == "deleted"):
        return "not_found"
    return _READ_TO_LIPSYNC.get(read_status, read_status)


def _batch_status(statuses: list[str]) -> str:
    if all(s == "not_found" for s in statuses):
        return "not_found"
    if any(s in ("pending", "running") for s in statuses):
        return "processing"
    return "completed" if "completed" in statuses else "failed"


async def read_job(job_id: str, ctx: Context) -> str:
    """One ledger job as JSON, its status refreshed from the API when it can be reached.

    Raises:
        ResourceNotFoundError: the ledger is off, or holds no such job.
    """
    state = state_of(ctx)
    ledger = await _ledger(state)
    record = await anyio.to_thread.run_sync(lambda: ledger.find_by_id(job_id)) if ledger is not None else None
    if record is None:
        where = "the job ledger is off or unavailable" if ledger is None else "it is not in the job ledger"
        raise ResourceNotFoundError(
            f"no job {job_id!r}: {where}. Use get_lipsync or list_lipsyncs to look jobs up on HeyGen."
        )
    out: dict[str, Any] = record.to_dict()
    client = await state.require_client()
    try:
        if record.lipsync_id:
            out["remote"] = (await client.get(record.lipsync_id)).to_dict()
            out["status"] = out["remote"].get("status", out["status"])
        elif record.batch_id:
            out["remote"] = (await client.get_batch(record.batch_id, limit=1)).to_dict()
            out["status"] = out["remote"].get("status", out["status"])
    except NotFoundError as exc:  # gone from HeyGen: never shown as the status it last had
        out["status"] = "deleted" if record.status == "deleted" else "not_found"
        out["remote_error"] = str(exc)
        if ledger is not None and record.remote_id and record.status != out["status"]:
            await anyio.to_thread.run_sync(ledger.set_status, record.remote_id, out["status"])
    except HeyGenError as exc:  # the record is still worth showing: say why it is not fresh
        out["remote_error"] = str(exc)
    return json.dumps(out, default=str)


def _media_type(path: Path) -> str:
    return _MEDIA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _read_inside(path: str, output_dir: Path) -> bytes:
    from heygen_lipsync.media.opened import open_input

    try:
        opened = open_input(path)
    except OSError as exc:
        reason = exc.strerror or exc
        raise ResourceNotFoundError(f"{path} cannot be read ({reason}); download_lipsync saves it again") from None
    try:
        real = opened.real_path or Path(os.path.realpath(path))
        if not real.is_relative_to(output_dir):
            raise ResourceNotFoundError(
                f"{path} is outside the output directory ({output_dir}); only the files download_lipsync saved "
                "are served"
            )
        if opened.size > MAX_FILE_BYTES:
            raise ResourceNotFoundError(
                f"{path} is {opened.size} bytes, more than this server sends in one message ({MAX_FILE_BYTES}); "
                "open it at that path instead"
            )
        chunks = []
        offset = 0
        while chunk := opened.read_at(offset, _CHUNK):
            chunks.append(chunk)
            offset += len(chunk)
        return b"".join(chunks)
    finally:
        opened.close()


async def read_output_file(uri: str, ctx: Context[AppState, Any]) -> list[ReadResourceContents]:
    """A ``file://`` resource link's content: a file inside the output directory, as a blob with its type.

    Raises:
        ResourceNotFoundError: another host, outside the output directory, unreadable, or too large.
    """
    parsed = urllib.parse.urlsplit(uri)
    if parsed.netloc not in ("", "localhost"):
        raise ResourceNotFoundError(f"{uri} is a file on another host; this server serves only its own downloads")
    path = urllib.parse.unquote(parsed.path)
    output_dir = Path(os.path.realpath(ctx.request_context.lifespan_context.settings.output_dir))
    data = await anyio.to_thread.run_sync(lambda: _read_inside(path, output_dir))
    return [ReadResourceContents(content=data, mime_type=_media_type(Path(path)))]


def register_resources(server: MCPServer[AppState]) -> None:
    """Add the job template to ``server`` (listing and ``file://`` reads are the server's overrides)."""
    server.resource(
        JOB_URI_TEMPLATE,
        name="lipsync-job",
        title="A lipsync job of the ledger",
        description="A job this install created (a lipsync or batch id): its ledger record (inputs, key, estimate, "
        "downloads) with the status refreshed from HeyGen.",
        mime_type=_JSON,
    )(read_job)
