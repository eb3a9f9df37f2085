"""`/v3/lipsyncs` and `/v3/lipsyncs/{id}`: create, list, get, rename and delete one lipsync."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from heygen_lipsync.sandbox import clock, cursors, status
from heygen_lipsync.sandbox.context import Services
from heygen_lipsync.sandbox.errors import ApiError, invalid
from heygen_lipsync.sandbox.jobs import SANDBOX_NOTE
from heygen_lipsync.sandbox.store import JobRow
from heygen_lipsync.sandbox.validation import check_object, parse_limit, validate_create
from heygen_lipsync.sandbox.web import read_json, resource

__all__ = ["LipsyncRoutes"]

# Sub-resources under /v3/lipsyncs/: a method they lack must be a 405, not a lookup of that id.
_RESERVED_IDS = {"statuses": "GET, HEAD", "batches": "POST"}


class LipsyncRoutes:
    """Handlers of the lipsync resource."""

    def __init__(self, sb: Services) -> None:
        self.sb = sb

    def routes(self) -> list[Route]:
        """The collection route (`/v3/lipsyncs`); see `item_routes` for `/v3/lipsyncs/{id}`."""
        return [resource("/v3/lipsyncs", POST=self.create, GET=self.list)]

    def item_routes(self) -> list[Route]:
        """`/v3/lipsyncs/{id}`: served after the fixed sub-resources (statuses, batches)."""
        return [resource("/v3/lipsyncs/{lipsync_id}", GET=self.get, PATCH=self.update, DELETE=self.delete)]

    def detail(self, request: Request, job: JobRow) -> dict[str, Any]:
        """A lipsync as `GET /v3/lipsyncs/{id}` shows it, with fresh presigned URLs once completed."""
        current = status.lipsync_status(job)
        completed = current == "completed"
        return {
            "id": job.id,
            "title": job.title,
            "status": current,
            "duration": job.duration if completed else None,
            "video_url": self.sb.presign(request, f"/_sandbox/outputs/{job.id}.mp4") if completed else None,
            "caption_url": (
                self.sb.presign(request, f"/_sandbox/outputs/{job.id}.srt") if completed and job.caption else None
            ),
            "callback_id": job.callback_id,
            "created_at": int(job.created_at),
            "failure_message": job.failure_message if current == "failed" else None,
            "sandbox_note": SANDBOX_NOTE,
        }

    def _lipsync_id(self, request: Request) -> str:
        lipsync_id: str = request.path_params["lipsync_id"]
        if lipsync_id in _RESERVED_IDS:
            raise HTTPException(405, headers={"Allow": _RESERVED_IDS[lipsync_id]})
        return lipsync_id

    def _job_or_404(self, lipsync_id: str) -> JobRow:
        job = self.sb.store.get_job(lipsync_id)
        if job is None:
            raise ApiError(404, "not_found", "Lipsync not found.")
        return job

    async def create(self, request: Request) -> Response:
        self.sb.authenticate(request)

        async def work() -> Response:
            spec = validate_create(
                await read_json(request), self.sb.asset_ready, folder_usable=self.sb.workspace.usable_folder
            )
            self.sb.scheduler.check_capacity()
            job = self.sb.scheduler.new_job(request, spec, clock.now())
            return self.sb.idempotency.commit_jobs([job], None, JSONResponse({"data": {"lipsync_id": job["id"]}}))

        return await self.sb.idempotency.run(request, work)

    async def get(self, request: Request) -> Response:
        self.sb.authenticate(request)
        job = await self.sb.scheduler.settle(self._job_or_404(self._lipsync_id(request)))
        return JSONResponse({"data": self.detail(request, job)})

    async def list(self, request: Request) -> Response:
        self.sb.authenticate(request)
        limit = parse_limit(request.query_params.get("limit"), 10)
        before = cursors.decode_position("lipsyncs", request.query_params.get("token"))
        rows = self.sb.store.list_jobs(limit + 1, before)
        has_more = len(rows) > limit
        rows = await self.sb.scheduler.settle_all(rows[:limit])
        next_token = cursors.encode("lipsyncs", rows[-1].seq) if has_more else None
        return JSONResponse(
            {"data": [self.detail(request, r) for r in rows], "has_more": has_more, "next_token": next_token}
        )

    async def update(self, request: Request) -> Response:
        self.sb.authenticate(request)
        lipsync_id = self._lipsync_id(request)
        body = check_object(await read_json(request), {"title"})
        title = body.get("title")
        if not isinstance(title, str):
            raise invalid("title", "'title' is required and must be a string.")
        if not self.sb.store.set_title(lipsync_id, title):
            raise ApiError(404, "not_found", "Lipsync not found.")
        job = await self.sb.scheduler.settle(self._job_or_404(lipsync_id))
        return JSONResponse({"data": self.detail(request, job)})

    async def delete(self, request: Request) -> Response:
        self.sb.authenticate(request)
        lipsync_id = self._lipsync_id(request)
        if self.sb.store.delete_job(lipsync_id) is None:
            raise ApiError(404, "not_found", "Lipsync not found.")
        self.sb.store.remove_outputs(lipsync_id)
        return JSONResponse({"data": {"id": lipsync_id}})
