"""`/v3/lipsyncs/statuses`: the read-model status of many lipsyncs and batches in one call."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import cursors, status
from ..context import Services
from ..errors import invalid
from ..validation import parse_id_list, parse_limit
from ..web import resource

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
        limit = parse_limit(query.get("limit"), 100)
        if not lipsync_ids and not batch_ids:
            raise invalid("lipsync_ids", "Give 'lipsync_ids' or 'batch_ids' (comma-separated).")
        # The token is tied to this exact query, so it cannot page another one.
        fingerprint = hashlib.sha256(json.dumps([lipsync_ids, batch_ids]).encode()).hexdigest()[:16]
        offset = cursors.decode_offset(f"statuses:{fingerprint}", query.get("token"))
        store = self.sb.store
        # (lipsync id or None, batch id or None, item index or None) for every entry, in order.
        keys: list[tuple[str | None, str | None, int | None]] = [(i, None, None) for i in lipsync_ids]
        for batch_id in batch_ids:
            items = store.batch_items(batch_id) if store.get_batch(batch_id) else []
            keys.extend((lipsync_id, batch_id, index) for index, lipsync_id in items)
            if not items:
                keys.append((None, batch_id, None))
        page = keys[offset : offset + limit]
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
        has_more = offset + limit < len(keys)
        token = cursors.encode(f"statuses:{fingerprint}", offset + limit) if has_more else None
        return JSONResponse({"data": entries, "has_more": has_more, "next_token": token})
