"""What the review player needs of a job that HeyGen's record lacks: mode, segment, source video, inputs.

HeyGen's job record holds none of them. The ledger does, for every job this install created
(in this process or any other): its inputs as given (a local path, or a URL or asset id),
their content hashes, and the uploads made from them. A job made from ``video_path`` (the
common case) is shown beside its source through the asset uploaded from that file, whose
URL the page may load; the local path itself the page cannot (its CSP allows HeyGen's file
hosts and loopback only), so it is handed over for the redo message instead.

``create_arguments`` turns a record's inputs back into ``create_lipsync``'s arguments, so a
redo asked from the player names everything a new conversation needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from heygen_lipsync.errors import HeyGenError

if TYPE_CHECKING:
    from heygen_lipsync.client import AsyncLipsyncClient
    from heygen_lipsync.store import JobRecord

__all__ = ["DEFAULT_MODE", "batch_item_names", "create_arguments", "item_names", "job_facts", "source_name"]

DEFAULT_MODE = "speed"  # HeyGen's default when a create names no mode
_ANY_AGE_DAYS = 36500.0  # any upload a recorded job used, however old


def _source_arguments(kind: str, value: Any) -> dict[str, Any]:
    """One recorded source (a path, or ``{"type": "url" | "asset_id", ...}``) as create_lipsync's argument."""
    if isinstance(value, str):
        return {f"{kind}_path": value}
    if isinstance(value, Mapping):
        if value.get("type") == "url" and value.get("url"):
            return {f"{kind}_url": value["url"]}
        if value.get("type") == "asset_id" and value.get("asset_id"):
            return {f"{kind}_asset_id": value["asset_id"]}
    return {}


def create_arguments(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """A ledger record's inputs as the create_lipsync arguments that would make the same job."""
    out: dict[str, Any] = {}
    for name, value in inputs.items():
        if name in ("video", "audio"):
            out.update(_source_arguments(name, value))
        elif value is not None:
            out[name] = value
    return out


def source_name(arguments: Mapping[str, Any], kind: str) -> str | None:
    """The file name a person knows a source by (a path's or URL's last part), or the asset id."""
    for suffix in ("path", "url", "asset_id"):
        value = arguments.get(f"{kind}_{suffix}")
        if value:
            text = str(value).split("?")[0].rstrip("/\\")
            return text.replace("\\", "/").rsplit("/", 1)[-1] or str(value)
    return None


def item_names(items: list[Mapping[str, Any]]) -> list[str | None]:
    """How a person tells a batch's items apart: the title, else "<video> + <audio>" file names."""
    names: list[str | None] = []
    for item in items:
        title = item.get("title")
        video, audio = source_name(item, "video"), source_name(item, "audio")
        names.append(title or (f"{video} + {audio}" if video and audio else video))
    return names


async def _record(client: AsyncLipsyncClient, remote_id: str) -> JobRecord | None:
    ledger = client.ledger
    if ledger is None:
        return None
    return await anyio.to_thread.run_sync(ledger.find_by_id, remote_id)


async def job_facts(
    client: AsyncLipsyncClient,
    lipsync_id: str,
    loadable: Callable[[str | None], bool],
    batch_item: tuple[str, int] | None = None,
    *,
    with_source: bool = True,
) -> dict[str, Any] | None:
    """mode, start/end time, the source video (a URL the page may load, its local path) and the create arguments.

    From the ledger's record of the create of ``lipsync_id``, or of ``batch_item`` (batch id,
    item index) for an item of a batch; None when the ledger is off or holds neither.
    ``loadable`` says which URLs the page may load (its CSP). ``with_source=False`` skips the
    source's URL (a read of its asset): the page plays a source only beside a finished dub.
    """
    record = await _record(client, lipsync_id)
    if record is not None and record.kind == "lipsync" and record.lipsync_id == lipsync_id:
        inputs, hashes = record.inputs, record.hashes
    elif batch_item is not None and (record := await _record(client, batch_item[0])) is not None:
        items = record.inputs.get("lipsyncs") or []
        index = batch_item[1]
        if record.kind != "batch" or not 0 <= index < len(items):
            return None
        inputs = items[index]
        hashes = {k.split(".", 1)[1]: v for k, v in record.hashes.items() if k.startswith(f"{index}.")}
    else:
        return None
    arguments = create_arguments(inputs)
    facts: dict[str, Any] = {
        "mode": arguments.get("mode") or DEFAULT_MODE,
        "start_time": arguments.get("start_time"),
        "end_time": arguments.get("end_time"),
        "create_arguments": arguments,
        "source_video_path": arguments.get("video_path"),
    }
    if with_source:
        facts["source_video_url"] = await _playable_source(client, record, arguments, hashes.get("video"), loadable)
    return {k: v for k, v in facts.items() if v is not None}


async def _playable_source(
    client: AsyncLipsyncClient,
    record: JobRecord,
    arguments: Mapping[str, Any],
    video_hash: str | None,
    loadable: Callable[[str | None], bool],
) -> str | None:
    url = arguments.get("video_url")
    asset_id = arguments.get("video_asset_id")
    ledger = client.ledger
    if url is None and asset_id is None and video_hash and ledger is not None:
        # The asset uploaded from the local file: the page can play its URL (gone once its upload is deleted).
        asset_id = await anyio.to_thread.run_sync(
            lambda: ledger.asset_for(video_hash, base_url=record.base_url, max_age_days=_ANY_AGE_DAYS)
        )
    if url is None and asset_id:
        try:
            url = (await client.get_asset(str(asset_id))).url
        except HeyGenError:
            url = None
    return str(url) if loadable(url) else None


async def batch_item_names(client: AsyncLipsyncClient, batch_id: str) -> list[str | None]:
    """The names of a recorded batch's items, by index (``item_names``); [] when the ledger has no such batch."""
    record = await _record(client, batch_id)
    if record is None or record.kind != "batch":
        return []
    return item_names([create_arguments(i) for i in record.inputs.get("lipsyncs") or [] if isinstance(i, Mapping)])
