"""The sandbox's HTTP API: every operation of the vendored spec, plus the URLs it hands out.

Routes under `/v3/` behave as HeyGen documents them. Routes under `/_sandbox/` are the
sandbox's own: stored assets, presigned outputs and upload URLs, and the admin
endpoints (`/_sandbox/faults`, `/_sandbox/info`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import contextvars
import hashlib
import heapq
import hmac
import json
import math
import os
import secrets
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import anyio
import httpx
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from . import jobs, media
from .config import FaultConfig, SandboxConfig
from .errors import ApiError, error_response, invalid
from .faults import SandboxASGI
from .store import AssetRow, JobRow, Store, now
from .validation import (
    IDEMPOTENCY_KEY,
    check_object,
    check_sha256,
    parse_id_list,
    parse_limit,
    validate_create,
)

__all__ = ["SANDBOX_NOTE", "SandboxApp", "create_app"]

SANDBOX_NOTE = "HeyGen Lipsync sandbox: the replacement audio is muxed onto the source video; lips are NOT re-animated."
READ_STATUS = {"pending": "queued", "running": "processing", "completed": "completed", "failed": "failed"}
_RESERVED_IDS = {"statuses", "batches"}
_CHUNK = 1024 * 1024
_MULTIPART_OVERHEAD = 64 * 1024
_WORKER_INTERVAL = 0.1
_SETTLE_WAIT = 10.0
_MAX_JSON_BYTES = 4 * 1024 * 1024


@dataclass
class _PendingKey:
    """The Idempotency-Key of the request being served, until its answer is recorded."""

    scope: str
    key: str
    stored: bool = False


# Set by _idempotent for the duration of `work`, so a create can record its key in the
# same transaction as its jobs (see _commit_jobs).
_PENDING_KEY: contextvars.ContextVar[_PendingKey | None] = contextvars.ContextVar("_PENDING_KEY", default=None)


class _LimitedRequest(Request):
    """A request whose body stream raises 413 once it exceeds `limit` bytes."""

    limit = 0

    async def stream(self) -> AsyncGenerator[bytes, None]:
        total = 0
        async for chunk in super().stream():
            total += len(chunk)
            if total > self.limit:
                raise _too_large(self.limit)
            yield chunk


def _too_large(limit: int) -> ApiError:
    mib = limit / (1024 * 1024)
    return ApiError(
        413, "payload_too_large", f"File exceeds the {mib:g} MB upload limit. Use a direct upload for larger files."
    )


Handler = Callable[[Request], Awaitable[Response]]


def _resource(path: str, **handlers: Handler) -> Route:
    """One route per path, so a 405's Allow header lists every method the resource has."""

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return Route(path, dispatch, methods=list(handlers))


class SandboxApp:
    """State and handlers of one sandbox; `asgi` is the app to serve."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = Store(config.data_dir)
        self._producing: dict[str, asyncio.Task[JobRow | None]] = {}
        self._notifying: set[asyncio.Task[None]] = set()
        # Muxing is CPU-bound: a few at a time, however many jobs fall due together.
        self._production_slots = asyncio.Semaphore(4)
        routes = [
            _resource("/v3/lipsyncs", POST=self.create_lipsync, GET=self.list_lipsyncs),
            _resource("/v3/lipsyncs/statuses", GET=self.statuses),
            _resource("/v3/lipsyncs/batches", POST=self.create_batch),
            _resource("/v3/lipsyncs/batches/{batch_id}", GET=self.get_batch),
            _resource(
                "/v3/lipsyncs/{lipsync_id}", GET=self.get_lipsync, PATCH=self.update_lipsync, DELETE=self.delete_lipsync
            ),
            _resource("/v3/assets", POST=self.upload_asset),
            _resource("/v3/assets/direct-uploads", POST=self.create_direct_upload),
            _resource("/v3/assets/{asset_id}/complete", POST=self.complete_upload),
            _resource("/_sandbox/uploads/{asset_id}", PUT=self.put_upload),
            _resource("/_sandbox/assets/{asset_id}", GET=self.serve_asset),
            _resource("/_sandbox/outputs/{name}", GET=self.serve_output),
            _resource("/_sandbox/faults", GET=self.get_faults, PUT=self.set_faults),
            _resource("/_sandbox/info", GET=self.info),
        ]
        starlette = Starlette(
            routes=routes,
            exception_handlers={ApiError: self._api_error, HTTPException: self._http_error},
            lifespan=self._lifespan,
        )
        self.asgi = SandboxASGI(starlette, config)
        self.asgi.sandbox = self

    def close(self) -> None:
        self.store.close()

    # ------------------------------------------------------------------ plumbing

    @staticmethod
    async def _api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return exc.response()

    @staticmethod
    async def _http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return error_response(404, "not_found", f"No route for {request.url.path}.")
        if exc.status_code == 405:
            return error_response(
                405, "method_not_allowed", f"{request.method} is not allowed here.", headers=dict(exc.headers or {})
            )
        return error_response(exc.status_code, "invalid_request", str(exc.detail))

    def _authenticate(self, request: Request) -> None:
        expected = self.config.api_key.encode()
        key = request.headers.get("x-api-key")
        if key is None:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            key = token.strip() if scheme.lower() == "bearer" else None
        if key is None or not hmac.compare_digest(key.encode(), expected):
            raise ApiError(
                401,
                "authentication_failed",
                "Invalid or expired API key. Verify your x-api-key header (the sandbox's default key is "
                "'sandbox-key').",
            )

    def _base_url(self, request: Request) -> str:
        if self.config.public_base_url:
            return self.config.public_base_url.rstrip("/")
        return f"{request.url.scheme}://{request.url.netloc}"

    def _sign(self, path: str, expires: int) -> str:
        return hmac.new(self.store.secret, f"{path}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]

    def _presign(self, request: Request | str, path: str) -> str:
        """A URL for `path` that works without auth until `url_ttl_seconds` from now."""
        base = request if isinstance(request, str) else self._base_url(request)
        expires = int(now()) + self.config.url_ttl_seconds
        query = urlencode({"expires": expires, "signature": self._sign(path, expires)})
        return f"{base.rstrip('/')}{path}?{query}"

    def _check_signature(self, request: Request) -> None:
        try:
            expires = int(request.query_params.get("expires", ""))
        except ValueError:
            expires = 0
        signature = request.query_params.get("signature", "")
        if not hmac.compare_digest(signature.encode(), self._sign(request.url.path, expires).encode()):
            raise ApiError(403, "forbidden", "The URL's signature is invalid.")
        if expires < now():
            raise ApiError(403, "forbidden", "The presigned URL has expired; fetch the resource again for a fresh URL.")

    @staticmethod
    async def _json(request: Request, *, optional: bool = False) -> Any:
        """The JSON body, read in chunks and refused past `_MAX_JSON_BYTES` (never a huge body in memory)."""
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > _MAX_JSON_BYTES:
                raise invalid(None, f"The request body exceeds {_MAX_JSON_BYTES // 1024 // 1024} MB.")
            chunks.append(chunk)
        raw = b"".join(chunks)
        if not raw.strip() and optional:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise invalid(None, "The request body must be valid JSON.") from None

    @staticmethod
    def _encode_token(kind: str, value: Any) -> str:
        raw = json.dumps({"k": kind, "v": value}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def _decode_token(kind: str, token: str | None) -> Any:
        if token is None:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("k") != kind or "v" not in data:
            raise invalid("token", "'token' is not a cursor this endpoint issued.")
        return data["v"]

    async def _idempotent(self, request: Request, work: Callable[[], Awaitable[Response]]) -> Response:
        """Run `work` once per Idempotency-Key: replay its response for 24 h, 409 while in flight."""
        key = request.headers.get("idempotency-key")
        if key is None:
            return await work()
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise invalid("Idempotency-Key", "'Idempotency-Key' must be 1-255 characters from [A-Za-z0-9_:.-].")
        scope = f"{request.method} {request.url.path}"
        existing = self.store.claim_key(scope, key, now(), self.config.idempotency_ttl_seconds)
        if existing is not None:
            if existing.state == "in_flight":
                raise ApiError(
                    409,
                    "request_in_progress",
                    "A request with this Idempotency-Key is already in progress. Retry shortly.",
                )
            headers = {**existing.headers, "Idempotent-Replayed": "true"}
            return Response(existing.body, status_code=existing.status or 200, headers=headers)
        pending = _PendingKey(scope, key)
        token = _PENDING_KEY.set(pending)
        try:
            try:
                response = await work()
            except ApiError as exc:
                response = exc.response()
        except BaseException:
            if not pending.stored:
                self.store.release_key(scope, key)
            raise
        finally:
            _PENDING_KEY.reset(token)
        if pending.stored:
            return response
        if response.status_code >= 500 or response.status_code in (409, 429):
            self.store.release_key(scope, key)  # not an answer worth replaying: let a retry run again
        else:
            assert isinstance(response.body, bytes)
            self.store.store_key(scope, key, response.status_code, response.body, _replay_headers(response))
        return response

    def _commit_jobs(self, rows: list[dict[str, Any]], batch: dict[str, Any] | None, response: Response) -> Response:
        """Insert jobs and record the request's Idempotency-Key answer in ONE transaction.

        Written apart, a crash between the two would leave the job with its key still
        "in flight"; a restart drops in-flight keys, so the client's retry (same key)
        would create a second, paid-for job.
        """
        pending = _PENDING_KEY.get()
        key_record = None
        if pending is not None:
            assert isinstance(response.body, bytes)
            key_record = (pending.scope, pending.key, response.status_code, response.body, _replay_headers(response))
        self.store.insert_jobs(rows, batch, key_record=key_record)
        if pending is not None:
            pending.stored = True
        return response

    def _check_capacity(self) -> None:
        pending = self.store.unfinished_done_ats(now())
        if len(pending) >= self.config.max_concurrent_jobs:
            wait = max(1, math.ceil(min(pending) - now()))
            raise ApiError(
                429,
                "rate_limit_exceeded",
                f"Too many concurrent lipsyncs ({len(pending)} unfinished, limit "
                f"{self.config.max_concurrent_jobs}). Retry after the duration specified in the Retry-After header.",
                headers={"Retry-After": str(wait)},
            )

    def _asset_ready(self, asset_id: str) -> bool:
        asset = self.store.get_asset(asset_id)
        return asset is not None and asset.status == "uploaded"

    def _batch_slots(self, count: int, created: float) -> list[float]:
        """When each of `count` new batch items gets a slot under the concurrency cap.

        HeyGen queues a batch instead of refusing it: an item waits (pending, "queued" in
        the batch vocabulary) until capacity frees. Progress is derived from timestamps, so
        the queue is scheduled here, first come first served: every unfinished job
        (including earlier queued items) holds a slot until its finish time, and each new
        item takes the earliest slot that frees. A later single create is still refused
        while the queued items count against the cap, so the cap holds at every moment.
        """
        cap = max(1, self.config.max_concurrent_jobs)
        busy = self.store.unfinished_done_ats(created)
        heapq.heapify(busy)
        length = self.config.pending_seconds + self.config.running_seconds
        slot = created
        starts = []
        for _ in range(count):
            while len(busy) >= cap:
                slot = max(slot, heapq.heappop(busy))
            starts.append(slot)
            heapq.heappush(busy, slot + length)
        return starts

    def _new_job(
        self, request: Request, spec: dict[str, Any], created: float, start: float | None = None
    ) -> dict[str, Any]:
        run_at = (created if start is None else start) + self.config.pending_seconds
        return {
            "id": "ls_" + secrets.token_hex(8),
            "title": spec.get("title"),
            "request": spec,
            "callback_id": spec.get("callback_id"),
            "origin": request.url.netloc,
            "created_at": created,
            "run_at": run_at,
            "done_at": run_at + self.config.running_seconds,
        }

    async def _settle(self, job: JobRow) -> JobRow:
        """The job, its outcome produced first if its clock says it is done.

        Production of a large video can take a while: a read waits up to `_SETTLE_WAIT`
        seconds for it and otherwise reports the job still running, as HeyGen would.
        """
        if job.phase(now()) != "due":
            return job
        task = self._start_production(job.id)
        try:
            settled = await asyncio.wait_for(asyncio.shield(task), _SETTLE_WAIT)
        except TimeoutError:
            settled = None
        return settled or self.store.get_job(job.id) or job

    def _start_production(self, lipsync_id: str) -> asyncio.Task[JobRow | None]:
        """The one task (per process) producing this job's outcome."""
        task = self._producing.get(lipsync_id)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._produce(lipsync_id))
            self._producing[lipsync_id] = task
            task.add_done_callback(lambda _: self._producing.pop(lipsync_id, None))
        return task

    async def _produce(self, lipsync_id: str) -> JobRow | None:
        async with self._production_slots:
            fresh = self.store.get_job(lipsync_id)
            if fresh is None or fresh.status is not None:
                return fresh
            outcome = await anyio.to_thread.run_sync(jobs.produce, self.store, fresh)
        recorded = self.store.finish_job(
            lipsync_id,
            status=outcome.status,
            duration=outcome.duration,
            output=outcome.output,
            caption=outcome.caption,
            failure_message=outcome.failure_message,
        )
        settled = self.store.get_job(lipsync_id)
        if settled is None:  # deleted while it was being produced
            self._remove_outputs(lipsync_id)
        elif recorded:
            if settled.request.get("callback_url"):
                self._spawn_notify(self._notify(settled))
            if settled.batch_id is not None:
                self._maybe_notify_batch(settled.batch_id)
        return settled

    def _spawn_notify(self, coro: Coroutine[Any, Any, None]) -> None:
        notify = asyncio.get_running_loop().create_task(coro)
        self._notifying.add(notify)  # a reference, so the task is not collected mid-flight
        notify.add_done_callback(self._notifying.discard)

    def _maybe_notify_batch(self, batch_id: str) -> None:
        """Once a batch's last job is recorded, POST the batch's outcome to its callback_url (once)."""
        batch = self.store.get_batch(batch_id)
        if batch is None or not batch.callback_url:
            return
        counts = self.store.finished_batch_counts(batch_id)
        if counts is None or not self.store.claim_once(f"batch-callback:{batch_id}"):
            return
        failed = counts["failed"] == batch.total
        payload = {
            "event_type": "lipsync_batch.fail" if failed else "lipsync_batch.success",
            "event_data": {
                "batch_id": batch.id,
                "status": "failed" if failed else "completed",
                "total_items": batch.total,
                "counts_by_status": {"queued": 0, "processing": 0, **counts},
                "title": batch.title,
            },
        }
        self._spawn_notify(self._post_callback(batch.callback_url, payload))

    async def _notify(self, job: JobRow) -> None:
        """POST the outcome to the job's callback_url: loopback URLs only, once, best effort."""
        url = job.request["callback_url"]
        if not jobs.is_loopback(urlsplit(url).hostname):
            return  # the sandbox has no internet access
        completed = job.status == "completed"
        base = self.config.public_base_url or f"http://{job.origin}"
        video_url = self._presign(base, f"/_sandbox/outputs/{job.id}.mp4") if completed else None
        payload = {
            "event_type": "lipsync.success" if completed else "lipsync.fail",
            "event_data": {
                "lipsync_id": job.id,
                "callback_id": job.callback_id,
                "status": job.status,
                "video_url": video_url,
                "duration": job.duration,
                "failure_message": job.failure_message,
            },
        }
        await self._post_callback(url, payload)

    @staticmethod
    async def _post_callback(url: str, payload: dict[str, Any]) -> None:
        """POST a webhook: loopback URLs only (the sandbox has no internet access), best effort."""
        if not jobs.is_loopback(urlsplit(url).hostname):
            return
        try:
            async with httpx.AsyncClient(timeout=5, trust_env=False) as client:
                await client.post(url, json=payload)
        except Exception:  # noqa: BLE001, S110 - best effort, like a webhook that is down (or a malformed URL)
            pass

    async def _produce_due_jobs(self) -> None:
        """While served: finish jobs as their time comes, so outputs and callbacks need no polling."""
        while True:
            for lipsync_id in self.store.due_job_ids(now()):
                self._start_production(lipsync_id)
            await asyncio.sleep(_WORKER_INTERVAL)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        worker = asyncio.get_running_loop().create_task(self._produce_due_jobs())
        try:
            yield
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            # Production runs in threads that cannot be interrupted: let it finish before the store closes.
            await asyncio.gather(*self._producing.values(), *self._notifying, return_exceptions=True)

    async def _settle_all(self, rows: list[JobRow]) -> list[JobRow]:
        settled: list[JobRow] = list(rows)

        async def one(index: int) -> None:
            settled[index] = await self._settle(rows[index])

        async with anyio.create_task_group() as group:
            for index, row in enumerate(rows):
                if row.phase(now()) == "due":
                    group.start_soon(one, index)
        return settled

    def _remove_outputs(self, lipsync_id: str) -> None:
        for ext in ("mp4", "srt"):
            self.store.output_path(lipsync_id, ext).unlink(missing_ok=True)

    def _detail(self, request: Request, job: JobRow) -> dict[str, Any]:
        status = job.phase(now())
        if status == "due":
            status = "running"
        completed = status == "completed"
        return {
            "id": job.id,
            "title": job.title,
            "status": status,
            "duration": job.duration if completed else None,
            "video_url": self._presign(request, f"/_sandbox/outputs/{job.id}.mp4") if completed else None,
            "caption_url": (
                self._presign(request, f"/_sandbox/outputs/{job.id}.srt") if completed and job.caption else None
            ),
            "callback_id": job.callback_id,
            "created_at": int(job.created_at),
            "failure_message": job.failure_message if status == "failed" else None,
            "sandbox_note": SANDBOX_NOTE,
        }

    def _job_or_404(self, lipsync_id: str) -> JobRow:
        job = self.store.get_job(lipsync_id)
        if job is None:
            raise ApiError(404, "not_found", "Lipsync not found.")
        return job

    @staticmethod
    def _reserved(request: Request, lipsync_id: str) -> None:
        if lipsync_id in _RESERVED_IDS:
            allowed = "GET, HEAD" if lipsync_id == "statuses" else "POST"
            raise HTTPException(405, headers={"Allow": allowed})

    # ------------------------------------------------------------------ lipsyncs

    async def create_lipsync(self, request: Request) -> Response:
        self._authenticate(request)

        async def work() -> Response:
            spec = validate_create(await self._json(request), self._asset_ready)
            self._check_capacity()
            job = self._new_job(request, spec, now())
            return self._commit_jobs([job], None, JSONResponse({"data": {"lipsync_id": job["id"]}}))

        return await self._idempotent(request, work)

    async def get_lipsync(self, request: Request) -> Response:
        self._authenticate(request)
        lipsync_id = request.path_params["lipsync_id"]
        self._reserved(request, lipsync_id)
        job = await self._settle(self._job_or_404(lipsync_id))
        return JSONResponse({"data": self._detail(request, job)})

    async def list_lipsyncs(self, request: Request) -> Response:
        self._authenticate(request)
        limit = parse_limit(request.query_params.get("limit"), 10)
        before = self._decode_token("lipsyncs", request.query_params.get("token"))
        if before is not None and not isinstance(before, int):
            raise invalid("token", "'token' is not a cursor this endpoint issued.")
        rows = self.store.list_jobs(limit + 1, before)
        has_more = len(rows) > limit
        rows = await self._settle_all(rows[:limit])
        next_token = self._encode_token("lipsyncs", rows[-1].seq) if has_more else None
        return JSONResponse(
            {"data": [self._detail(request, r) for r in rows], "has_more": has_more, "next_token": next_token}
        )

    async def update_lipsync(self, request: Request) -> Response:
        self._authenticate(request)
        lipsync_id = request.path_params["lipsync_id"]
        self._reserved(request, lipsync_id)
        body = check_object(await self._json(request), {"title"})
        title = body.get("title")
        if not isinstance(title, str):
            raise invalid("title", "'title' is required and must be a string.")
        if not self.store.set_title(lipsync_id, title):
            raise ApiError(404, "not_found", "Lipsync not found.")
        job = await self._settle(self._job_or_404(lipsync_id))
        return JSONResponse({"data": self._detail(request, job)})

    async def delete_lipsync(self, request: Request) -> Response:
        self._authenticate(request)
        lipsync_id = request.path_params["lipsync_id"]
        self._reserved(request, lipsync_id)
        if self.store.delete_job(lipsync_id) is None:
            raise ApiError(404, "not_found", "Lipsync not found.")
        self._remove_outputs(lipsync_id)
        return JSONResponse({"data": {"id": lipsync_id}})

    # ------------------------------------------------------------------ batches and statuses

    async def create_batch(self, request: Request) -> Response:
        self._authenticate(request)

        async def work() -> Response:
            body = check_object(await self._json(request), {"lipsyncs", "title", "callback_url"})
            items = body.get("lipsyncs")
            if not isinstance(items, list) or not 1 <= len(items) <= 100:
                raise invalid("lipsyncs", "'lipsyncs' must contain between 1 and 100 items.")
            for name in ("title", "callback_url"):
                if body.get(name) is not None and not isinstance(body[name], str):
                    raise invalid(name, f"'{name}' must be a string or null.")
            specs = [validate_create(item, self._asset_ready, f"lipsyncs[{i}].") for i, item in enumerate(items)]
            created = now()
            batch = {
                "id": "lsb_" + secrets.token_hex(8),
                "title": body.get("title"),
                "callback_url": body.get("callback_url"),
                "created_at": created,
            }
            rows = []
            for index, (spec, start) in enumerate(zip(specs, self._batch_slots(len(specs), created), strict=True)):
                row = self._new_job(request, spec, created, start)
                row.update(batch_id=batch["id"], item_index=index)
                rows.append(row)
            return self._commit_jobs(rows, batch, JSONResponse({"data": {"batch_id": batch["id"]}}, status_code=202))

        return await self._idempotent(request, work)

    @staticmethod
    def _read_status(job: JobRow | None) -> tuple[str, str | None]:
        if job is None:
            return "failed", "The lipsync was deleted."
        phase = job.phase(now())
        status = READ_STATUS.get(phase, "processing")
        return status, job.failure_message if status == "failed" else None

    async def get_batch(self, request: Request) -> Response:
        self._authenticate(request)
        limit = parse_limit(request.query_params.get("limit"), 100)
        batch_id = request.path_params["batch_id"]
        offset = self._decode_token(f"batch:{batch_id}", request.query_params.get("token")) or 0
        if not isinstance(offset, int) or offset < 0:
            raise invalid("token", "'token' is not a cursor this endpoint issued.")
        batch = self.store.get_batch(batch_id)
        if batch is None:
            raise ApiError(404, "not_found", "Batch not found.")
        items = self.store.batch_items(batch_id)
        found = self.store.get_jobs([lipsync_id for _, lipsync_id in items])
        settled = {job.id: job for job in await self._settle_all(list(found.values()))}
        counts = dict.fromkeys(("queued", "processing", "completed", "failed"), 0)
        entries = []
        for index, lipsync_id in items:
            status, error = self._read_status(settled.get(lipsync_id))
            counts[status] += 1
            entries.append({"item_index": index, "status": status, "video_id": lipsync_id, "error": error})
        finished = counts["completed"] + counts["failed"] == len(items)
        overall = "processing" if not finished else ("failed" if counts["failed"] == len(items) else "completed")
        page = entries[offset : offset + limit]
        has_more = offset + limit < len(entries)
        return JSONResponse(
            {
                "data": {
                    "batch_id": batch.id,
                    "status": overall,
                    "total_items": batch.total,
                    "counts_by_status": counts,
                    "created_at": int(batch.created_at),
                    "title": batch.title,
                    "items": page,
                    "has_more": has_more,
                    "next_token": self._encode_token(f"batch:{batch_id}", offset + limit) if has_more else None,
                }
            }
        )

    async def statuses(self, request: Request) -> Response:
        self._authenticate(request)
        query = request.query_params
        lipsync_ids = parse_id_list("lipsync_ids", query.get("lipsync_ids"))
        batch_ids = parse_id_list("batch_ids", query.get("batch_ids"))
        limit = parse_limit(query.get("limit"), 100)
        if not lipsync_ids and not batch_ids:
            raise invalid("lipsync_ids", "Give 'lipsync_ids' or 'batch_ids' (comma-separated).")
        fingerprint = hashlib.sha256(json.dumps([lipsync_ids, batch_ids]).encode()).hexdigest()[:16]
        offset = self._decode_token(f"statuses:{fingerprint}", query.get("token")) or 0
        if not isinstance(offset, int) or offset < 0:
            raise invalid("token", "'token' is not a cursor this endpoint issued.")
        # (lipsync id or None, batch id or None, item index or None) for every entry, in order.
        keys: list[tuple[str | None, str | None, int | None]] = [(i, None, None) for i in lipsync_ids]
        for batch_id in batch_ids:
            items = self.store.batch_items(batch_id) if self.store.get_batch(batch_id) else []
            keys.extend((lipsync_id, batch_id, index) for index, lipsync_id in items)
            if not items:
                keys.append((None, batch_id, None))
        page = keys[offset : offset + limit]
        found = self.store.get_jobs([k[0] for k in page if k[0] is not None])
        settled = {job.id: job for job in await self._settle_all(list(found.values()))}
        entries: list[dict[str, Any]] = []
        for lipsync_id, owner, index in page:
            job = settled.get(lipsync_id) if lipsync_id else None
            if lipsync_id is None or (job is None and owner is None):
                entries.append({"video_id": lipsync_id, "status": "not_found", "batch_id": owner})
                continue
            status, error = self._read_status(job)
            entries.append(
                {
                    "video_id": lipsync_id,
                    "status": status,
                    "batch_id": job.batch_id if job else owner,
                    "item_index": job.item_index if job else index,
                    "error": error,
                }
            )
        has_more = offset + limit < len(keys)
        token = self._encode_token(f"statuses:{fingerprint}", offset + limit) if has_more else None
        return JSONResponse({"data": entries, "has_more": has_more, "next_token": token})

    # ------------------------------------------------------------------ assets

    def _asset_data(self, request: Request, asset: AssetRow) -> dict[str, Any]:
        return {
            "asset_id": asset.id,
            "url": f"{self._base_url(request)}/_sandbox/assets/{asset.id}",
            "mime_type": asset.mime_type,
            "size_bytes": asset.size_bytes,
        }

    async def upload_asset(self, request: Request) -> Response:
        self._authenticate(request)
        limit = self.config.max_upload_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit + _MULTIPART_OVERHEAD:
            raise _too_large(limit)

        async def work() -> Response:
            limited = _LimitedRequest(request.scope, request.receive)
            limited.limit = limit + _MULTIPART_OVERHEAD
            try:
                form = await limited.form(max_files=1, max_fields=10)
            except ApiError:
                raise
            except Exception:  # noqa: BLE001 - any malformed multipart body is the client's error
                raise invalid("file", "The body must be multipart/form-data with a 'file' field.") from None
            try:
                upload = form.get("file")
                if not isinstance(upload, UploadFile):
                    raise invalid("file", "'file' is required: send the file as a multipart form field named 'file'.")
                return await self._store_upload(request, upload, limit)
            finally:
                await form.close()

        return await self._idempotent(request, work)

    async def _store_upload(self, request: Request, upload: UploadFile, limit: int) -> Response:
        asset_id = "asset_" + secrets.token_hex(8)
        path = self.store.asset_path(asset_id)
        size = 0
        head = b""
        try:
            with path.open("wb") as out:
                while chunk := await upload.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise _too_large(limit)
                    if len(head) < 64:
                        head += chunk[:64]
                    out.write(chunk)
            mime_type = media.sniff_bytes(head)
            if size == 0:
                raise invalid("file", "'file' is empty.")
            if mime_type is None:
                raise invalid(
                    "file", "'file' is not a supported media type (png, jpeg, mp4, webm, mp3, wav, pdf or srt)."
                )
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        asset = AssetRow(
            id=asset_id,
            filename=upload.filename,
            content_type=upload.content_type,
            mime_type=mime_type,
            size_bytes=size,
            declared_size=size,
            checksum=None,
            status="uploaded",
            path=str(path),
            created_at=now(),
            expires_at=None,
        )
        self.store.insert_asset(asset)
        return JSONResponse({"data": self._asset_data(request, asset)})

    async def create_direct_upload(self, request: Request) -> Response:
        self._authenticate(request)

        async def work() -> Response:
            body = check_object(
                await self._json(request), {"filename", "content_type", "size_bytes", "checksum_sha256"}
            )
            for name in ("filename", "content_type"):
                if not isinstance(body.get(name), str) or not body[name]:
                    raise invalid(name, f"'{name}' is required and must be a non-empty string.")
            size = body.get("size_bytes")
            if not isinstance(size, int) or isinstance(size, bool) or size < 1:
                raise invalid("size_bytes", "'size_bytes' must be a positive integer.")
            if size > self.config.max_direct_upload_bytes:
                raise invalid("size_bytes", f"'size_bytes' exceeds {self.config.max_direct_upload_bytes} bytes.")
            checksum = check_sha256("checksum_sha256", body.get("checksum_sha256"))
            asset_id = "asset_" + secrets.token_hex(8)
            created = now()
            asset = AssetRow(
                id=asset_id,
                filename=body["filename"],
                content_type=body["content_type"],
                mime_type=None,
                size_bytes=None,
                declared_size=size,
                checksum=checksum,
                status="pending_upload",
                path=str(self.store.asset_path(asset_id)),
                created_at=created,
                expires_at=created + self.config.url_ttl_seconds,
            )
            self.store.insert_asset(asset)
            return JSONResponse(
                {
                    "data": {
                        "asset_id": asset_id,
                        "upload_url": self._presign(request, f"/_sandbox/uploads/{asset_id}"),
                        "upload_headers": {"Content-Type": body["content_type"]},
                        "expires_in_seconds": self.config.url_ttl_seconds,
                        "max_bytes": size,
                        "status": "pending_upload",
                    }
                }
            )

        return await self._idempotent(request, work)

    async def put_upload(self, request: Request) -> Response:
        """The presigned PUT of a direct upload: no auth header, the declared Content-Type, at most size_bytes."""
        self._check_signature(request)
        asset = self.store.get_asset(request.path_params["asset_id"])
        if asset is None:
            raise ApiError(404, "not_found", "Asset not found.")
        if "authorization" in request.headers or "x-api-key" in request.headers:
            raise invalid(None, "Send no authentication header with a presigned upload URL.")
        if request.headers.get("content-type") != asset.content_type:
            raise ApiError(
                403,
                "forbidden",
                f"The Content-Type header must be exactly {asset.content_type!r}, as upload_headers say.",
            )
        if asset.status == "uploaded":
            raise ApiError(409, "conflict", "This upload is already complete.")
        limit = asset.declared_size or 0
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise ApiError(413, "payload_too_large", f"The upload may carry at most {limit} bytes.")
        tmp = self.store.tmp_path()
        size = 0
        digest = hashlib.sha256()
        try:
            with tmp.open("wb") as out:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise ApiError(413, "payload_too_large", f"The upload may carry at most {limit} bytes.")
                    digest.update(chunk)
                    out.write(chunk)
            if size != limit:
                raise invalid(None, f"Expected {limit} bytes (size_bytes), received {size}.")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, asset.path)
        self.store.update_asset(asset.id, size_bytes=size)
        return Response(status_code=200, headers={"ETag": f'"{digest.hexdigest()}"'})

    async def complete_upload(self, request: Request) -> Response:
        self._authenticate(request)
        asset = self.store.get_asset(request.path_params["asset_id"])
        body = check_object(await self._json(request, optional=True), {"checksum_sha256"})
        checksum = check_sha256("checksum_sha256", body.get("checksum_sha256"))
        if asset is None:
            raise ApiError(404, "not_found", "Asset not found.")
        path = Path(asset.path)
        if not path.exists():
            raise invalid(None, "The file's bytes have not been uploaded yet: PUT them to upload_url first.")
        expected = checksum or asset.checksum
        if expected is not None or asset.status != "uploaded":
            actual, head = await anyio.to_thread.run_sync(_hash_file, path)
            if expected is not None and actual != expected:
                raise invalid("checksum_sha256", "'checksum_sha256' does not match the uploaded bytes.")
            if asset.status != "uploaded":
                mime_type = media.sniff_bytes(head)
                if mime_type is None:
                    raise invalid(
                        "file",
                        "The uploaded file is not a supported media type (png, jpeg, mp4, webm, mp3, wav, pdf or srt).",
                    )
                self.store.update_asset(asset.id, status="uploaded", mime_type=mime_type, checksum=actual)
                asset = self.store.get_asset(asset.id) or asset
        data = {**self._asset_data(request, asset), "status": "uploaded"}
        return JSONResponse({"data": data})

    # ------------------------------------------------------------------ files and admin

    async def serve_asset(self, request: Request) -> Response:
        asset = self.store.get_asset(request.path_params["asset_id"])
        if asset is None or asset.status != "uploaded":
            raise ApiError(404, "not_found", "Asset not found.")
        return FileResponse(asset.path, media_type=asset.mime_type)

    async def serve_output(self, request: Request) -> Response:
        self._check_signature(request)
        name = request.path_params["name"]
        lipsync_id, _, ext = name.rpartition(".")
        path = self.store.output_path(lipsync_id, ext) if ext in ("mp4", "srt") else None
        if path is None or not path.exists():
            raise ApiError(404, "not_found", "Output not found (was the lipsync deleted?).")
        media_type = "video/mp4" if ext == "mp4" else "application/x-subrip"
        return FileResponse(path, media_type=media_type, filename=name)

    async def get_faults(self, request: Request) -> Response:
        self._authenticate(request)
        return JSONResponse({"data": self.config.faults.to_dict()})

    async def set_faults(self, request: Request) -> Response:
        """Replace the fault settings (and reseed); `{}` turns every fault off."""
        self._authenticate(request)
        body = await self._json(request)
        if not isinstance(body, dict):
            raise invalid(None, "The body must be a JSON object of fault settings.")
        try:
            self.config.faults = FaultConfig.from_dict(body)
        except (TypeError, ValueError) as exc:
            raise invalid(None, str(exc)) from None
        return JSONResponse({"data": self.config.faults.to_dict()})

    async def info(self, request: Request) -> Response:
        return JSONResponse(
            {
                "data": {
                    "sandbox": True,
                    "lips_reanimated": False,
                    "note": SANDBOX_NOTE,
                    "persistent": self.store.persistent,
                    "max_concurrent_jobs": self.config.max_concurrent_jobs,
                }
            }
        )


def _hash_file(path: Path) -> tuple[str, bytes]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        head = handle.read(64)
        digest.update(head)
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest(), head


def create_app(config: SandboxConfig | None = None) -> SandboxASGI:
    """The sandbox as an ASGI app (for in-process tests with httpx.ASGITransport).

    The app keeps `config` (a mutable object: swap `config.faults` to change faults
    between requests). `app.sandbox` (a `SandboxApp`) gives access to the store; call
    `app.sandbox.close()` when done with an in-memory sandbox to delete its files.
    """
    return SandboxApp(config or SandboxConfig()).asgi


def _replay_headers(response: Response) -> dict[str, str]:
    """The headers of an answer worth keeping for an Idempotency-Key replay."""
    return {k: v for k, v in response.headers.items() if k.lower() in ("content-type", "retry-after")}
