"""Producing a job's outcome when its clock says it is done: resolve sources, mux, caption.

Runs in a worker thread. The outcome depends only on the job's request and its inputs,
so two processes finishing the same job write the same thing (and only the first
write is recorded).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from heygen_lipsync.sandbox import media
from heygen_lipsync.sandbox.store import JobRow, Store

__all__ = ["SANDBOX_NOTE", "Outcome", "is_loopback", "produce"]

#: What every lipsync detail and `/_sandbox/info` say about the outputs made here.
SANDBOX_NOTE = "HeyGen Lipsync sandbox: the replacement audio is muxed onto the source video; lips are NOT re-animated."

_LOCAL_ASSET = re.compile(r"/_sandbox/assets/([A-Za-z0-9_]+)")
_LOCAL_OUTPUT = re.compile(r"/_sandbox/outputs/([A-Za-z0-9_]+)\.mp4")
FETCH_LIMIT = 2 * 1024**3
FETCH_TIMEOUT = 30.0


@dataclass(frozen=True)
class Outcome:
    status: str
    duration: float | None = None
    output: str | None = None
    caption: str | None = None
    failure_message: str | None = None


def is_loopback(host: str | None) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if not host:
        return False
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@contextmanager
def _resolve(store: Store, source: dict[str, str], origin: str, role: str) -> Iterator[Path]:
    """A local path holding the source's bytes (temporary for fetched URLs)."""
    if source["type"] == "asset_id":
        asset = store.get_asset(source["asset_id"])
        if asset is None or asset.status != "uploaded":
            raise media.MediaError(f"the {role} asset '{source['asset_id']}' no longer exists")
        yield Path(asset.path)
        return
    url = source["url"]
    parts = urlsplit(url)
    ours = parts.netloc == origin
    if ours or is_loopback(parts.hostname):
        # Our own URLs are read from disk. A loopback URL of the same shape may belong to
        # another local server, so it is only taken as ours when the thing it names exists here.
        if (match := _LOCAL_ASSET.fullmatch(parts.path)) and (ours or store.get_asset(match.group(1))):
            asset = store.get_asset(match.group(1))
            if asset is None or asset.status != "uploaded":
                raise media.MediaError(f"the {role} URL names asset '{match.group(1)}', which does not exist")
            yield Path(asset.path)
            return
        if (match := _LOCAL_OUTPUT.fullmatch(parts.path)) and (ours or store.get_job(match.group(1))):
            path = store.output_path(match.group(1), "mp4")
            if not path.exists():
                raise media.MediaError(f"the {role} URL names the output of '{match.group(1)}', which does not exist")
            yield path
            return
    if not is_loopback(parts.hostname):
        raise media.MediaError(
            f"could not fetch the {role} URL {url}: the sandbox has no internet access and reads only its own "
            "asset URLs and loopback (127.0.0.1, localhost) URLs; upload the file as an asset instead"
        )
    tmp = store.tmp_path()
    try:
        _fetch(url, tmp, role)
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def _fetch(url: str, dest: Path, role: str) -> None:
    try:
        with (
            httpx.Client(timeout=FETCH_TIMEOUT, trust_env=False, follow_redirects=False) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise media.MediaError(f"could not fetch the {role} URL {url}: HTTP {response.status_code}")
            written = 0
            with dest.open("wb") as out:
                for chunk in response.iter_bytes(1024 * 1024):
                    written += len(chunk)
                    if written > FETCH_LIMIT:
                        raise media.MediaError(f"the {role} URL {url} serves more than {FETCH_LIMIT} bytes")
                    out.write(chunk)
    except httpx.HTTPError as exc:
        raise media.MediaError(f"could not fetch the {role} URL {url}: {type(exc).__name__}") from None


def produce(store: Store, job: JobRow) -> Outcome:
    """Make the output of a job whose time has come, or say why it failed."""
    request: dict[str, Any] = job.request
    out = store.output_path(job.id, "mp4")
    try:
        with ExitStack() as stack:
            video = stack.enter_context(_resolve(store, request["video"], job.origin, "video"))
            audio = stack.enter_context(_resolve(store, request["audio"], job.origin, "audio"))
            result = media.mux(
                video,
                audio,
                out,
                start_time=request.get("start_time"),
                end_time=request.get("end_time"),
                dynamic_duration=request.get("enable_dynamic_duration", True),
            )
    except media.MediaError as exc:
        return Outcome(status="failed", failure_message=str(exc))
    except Exception as exc:  # noqa: BLE001 - a job fails, the sandbox keeps serving
        return Outcome(status="failed", failure_message=f"internal sandbox error: {type(exc).__name__}: {exc}")
    # Captions are always generated (HeyGen deprecated `enable_caption` and ignores it).
    caption_path = store.output_path(job.id, "srt")
    media.write_caption(caption_path, result.duration)
    caption = caption_path.name
    return Outcome(status="completed", duration=result.duration, output=out.name, caption=caption)
