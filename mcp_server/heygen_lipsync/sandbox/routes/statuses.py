"""`/v3/lipsyncs/statuses`: the read-model status of many lipsyncs and batches in one call.

As HeyGen defines it: `lipsync_ids` and `batch_ids` only, up to 100 ids in all, every
entry in one answer (no `limit`, no `token`); a failed entry's `error` is an object.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from heygen_lipsync.sandbox import status
from heygen_lipsync.sandbox.context import Services
from heygen_lipsync.sandbox.errors import invalid
from heygen_lipsync.sandbox.validation import parse_id_list
from heygen_lipsync.sandbox.web import resource

__all__ = ["StatusRoutes"]


class StatusRoutes:
    """Handler of the statuses read model."""

    def __init__(self, sb: Services) -> None:
        self.sb = sb

    def routes(self) -> list[Route]:
        """The statuses route."""
        return [resource("/v3/lipsyncs/statuses", GET=self.statuses)]

    async def statuses(self, request: Request) -> Response:
        self.sb.authenticate(request)
        query = request.query_params
        lipsync_ids = parse_id_list("lipsync_ids", query.get("lipsync_ids"))
        batch_ids = parse_id_list("batch_ids", query.get("batch_ids"))
        for name in ("limit", "token"):
            # Stricter than HeyGen may be: a client that pages here would repeat or lose entries.
            if name in query:
                raise invalid(name, f"'{name}' is not a parameter of this endpoint: it takes no paging parameters.")
        if not lipsync_ids and not batch_ids:
            raise invalid("lipsync_ids", "Give 'lipsync_ids' or 'batch_ids' (comma-separated).")
        # HeyGen counts both lists together and takes no paging parameters (limit, token).
        if len(lipsync_ids) + len(batch_ids) > 100:
            raise invalid("lipsync_ids", "'lipsync_ids' and 'batch_ids' accept at most 100 ids in all.")
        store = self.sb.store
        # (lipsync id or None, batch id or None, item index or None) for every entry, in order.
        keys: list[tuple[str | None, str | None, int | None]] = [(i, None, None) for i in lipsync_ids]
        for batch_id in batch_ids:
            items = store.batch_items(batch_id) if store.get_batch(batch_id) else []
            keys.extend((lipsync_id, batch_id, index) for index, lipsync_id in items)
            if not items:
                keys.append((None, batch_id, None))
        page = keys
        found = store.get_jobs([k[0] for k in page if k[0] is not None])
        settled = {job.id: job for job in await self.sb.scheduler.settle_all(list(found.values()))}
        entries: list[dict[str, Any]] = []
        for lipsync_id, owner, index in page:
            job = settled.get(lipsync_id) if lipsync_id else None
            if lipsync_id is None or (job is None and owner is None):
                entries.append({"video_id": lipsync_id, "status": "not_found", "batch_id": owner})
                continue
            entry_status, error = status.read_status(job)
            entries.append(
                {
                    "video_id": lipsync_id,
                    "status": entry_status,
                    "batch_id": job.batch_id if job else owner,
                    "item_index": job.item_index if job else index,
                    "error": error,
                }
            )
        # The envelope keeps HeyGen's has_more / next_token, with nothing more to ask for.
        return JSONResponse({"data": entries, "has_more": False, "next_token": None})
