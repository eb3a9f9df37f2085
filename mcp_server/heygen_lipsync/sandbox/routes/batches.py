"""`/v3/lipsyncs/batches`: create up to 100 lipsyncs at once (queued behind the cap) and read a batch."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from heygen_lipsync.sandbox import clock, cursors, status
from heygen_lipsync.sandbox.context import Services
from heygen_lipsync.sandbox.errors import ApiError, invalid
from heygen_lipsync.sandbox.validation import check_object, parse_limit, validate_create
from heygen_lipsync.sandbox.web import read_json, resource

__all__ = ["BatchRoutes"]


class BatchRoutes:
    """Handlers of the batch resource."""

    def __init__(self, sb: Services) -> None:
        self.sb = sb

    def routes(self) -> list[Route]:
        """The batch routes."""
        return [
            resource("/v3/lipsyncs/batches", POST=self.create),
            resource("/v3/lipsyncs/batches/{batch_id}", GET=self.get),
        ]

    async def create(self, request: Request) -> Response:
        self.sb.authenticate(request)

        async def work() -> Response:
            body = check_object(await read_json(request), {"lipsyncs", "title", "callback_url"})
            items = body.get("lipsyncs")
            if not isinstance(items, list) or not 1 <= len(items) <= 100:
                raise invalid("lipsyncs", "'lipsyncs' must contain between 1 and 100 items.")
            for name in ("title", "callback_url"):
                if body.get(name) is not None and not isinstance(body[name], str):
                    raise invalid(name, f"'{name}' must be a string or null.")
            usable = self.sb.workspace.usable_folder
            specs = [
                validate_create(item, self.sb.asset_ready, f"lipsyncs[{i}].", usable) for i, item in enumerate(items)
            ]
            created = clock.now()
            batch = {
                "id": "lsb_" + secrets.token_hex(8),
                "title": body.get("title"),
                "callback_url": body.get("callback_url"),
                "created_at": created,
            }
            scheduler = self.sb.scheduler
            rows = []
            for index, (spec, start) in enumerate(zip(specs, scheduler.batch_slots(len(specs), created), strict=True)):
                row = scheduler.new_job(request, spec, created, start)
                row.update(batch_id=batch["id"], item_index=index)
                rows.append(row)
            answer = JSONResponse({"data": {"batch_id": batch["id"]}}, status_code=202)
            return self.sb.idempotency.commit_jobs(rows, batch, answer)

        return await self.sb.idempotency.run(request, work)

    async def get(self, request: Request) -> Response:
        self.sb.authenticate(request)
        limit = parse_limit(request.query_params.get("limit"), 100)
        batch_id = request.path_params["batch_id"]
        offset = cursors.decode_offset(f"batch:{batch_id}", request.query_params.get("token"))
        batch = self.sb.store.get_batch(batch_id)
        if batch is None:
            raise ApiError(404, "not_found", "Batch not found.")
        items = self.sb.store.batch_items(batch_id)
        found = self.sb.store.get_jobs([lipsync_id for _, lipsync_id in items])
        settled = {job.id: job for job in await self.sb.scheduler.settle_all(list(found.values()))}
        entries = []
        for index, lipsync_id in items:
            item_status, error = status.read_status(settled.get(lipsync_id))
            entries.append({"item_index": index, "status": item_status, "video_id": lipsync_id, "error": error})
        counts = status.batch_counts(str(entry["status"]) for entry in entries)
        page = entries[offset : offset + limit]
        has_more = offset + limit < len(entries)
        return JSONResponse(
            {
                "data": {
                    "batch_id": batch.id,
                    "status": status.batch_status(counts, len(items)),
                    "total_items": batch.total,
                    "counts_by_status": counts,
                    "created_at": int(batch.created_at),
                    "title": batch.title,
                    "items": page,
                    "has_more": has_more,
                    "next_token": cursors.encode(f"batch:{batch_id}", offset + limit) if has_more else None,
                }
            }
        )
