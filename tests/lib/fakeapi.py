"""A small in-memory fake of HeyGen's Lipsync API for httpx.MockTransport.

Just enough behaviour for the library's unit tests: jobs, pagination, idempotency
replay, assets (multipart and direct upload), batches, statuses and storage URLs.
Faults are injected per test through ``script``: a list of callables tried in order
before normal handling; one that returns a response (or raises) consumes itself.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

BASE_URL = "https://api.test"
STORAGE = "https://storage.test"
API_KEY = "sk_test_SECRET_0123456789"

Fault = Callable[[httpx.Request], httpx.Response | None]


def envelope_error(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={"error": {"code": code, "message": message, "param": None, "doc_url": None}},
        headers={"x-request-id": f"req_{status}", **headers},
    )


@dataclass
class FakeHeyGen:
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], httpx.Response] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    script: list[Fault] = field(default_factory=list)
    # Sequence of statuses each job walks through on successive GETs.
    lifecycle: list[str] = field(default_factory=lambda: ["pending", "running", "completed"])
    downloads: dict[str, bytes] = field(default_factory=dict)
    counter: int = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    def add_job(self, status: str = "pending", **fields: Any) -> str:
        job_id = self.next_id("ls")
        self.jobs[job_id] = {
            "id": job_id,
            "status": status,
            "title": fields.pop("title", None),
            "created_at": 1717000000 + self.counter,
            "_polls": 0,
            **fields,
        }
        return job_id

    # -- dispatch -------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        for fault in list(self.script):
            result = fault(request)
            if result is not None:
                self.script.remove(fault)
                return result
        if request.url.host == "storage.test":
            return self.storage(request)
        if request.headers.get("x-api-key") != API_KEY:
            return envelope_error(401, "authentication_failed", "Invalid API key")
        key = request.headers.get("idempotency-key")
        if key is not None:
            cached = self.idempotency.get((request.url.path, key))
            if cached is not None:
                return httpx.Response(cached.status_code, headers=cached.headers, content=cached.content)
        response = self.route(request)
        if key is not None and response.status_code < 500:
            self.idempotency[(request.url.path, key)] = response
        return response

    def route(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if path == "/v3/lipsyncs" and method == "POST":
            body = json.loads(request.content)
            return self.ok({"lipsync_id": self.add_job(title=body.get("title"), _body=body)})
        if path == "/v3/lipsyncs" and method == "GET":
            return self.list_jobs(request)
        if path == "/v3/lipsyncs/statuses" and method == "GET":
            return self.statuses(request)
        if path == "/v3/lipsyncs/batches" and method == "POST":
            return self.create_batch(request)
        if m := re.fullmatch(r"/v3/lipsyncs/batches/([^/]+)", path):
            batch = self.batches.get(m.group(1))
            if batch is None:
                return envelope_error(404, "not_found", "Batch not found")
            return self.ok(batch)
        if m := re.fullmatch(r"/v3/lipsyncs/([^/]+)", path):
            return self.job(request, m.group(1))
        if path == "/v3/assets" and method == "POST":
            return self.upload_multipart(request)
        if path == "/v3/assets/direct-uploads" and method == "POST":
            return self.presign(request)
        if m := re.fullmatch(r"/v3/assets/([^/]+)/complete", path):
            return self.complete(request, m.group(1))
        return envelope_error(404, "not_found", f"no route {method} {path}")

    @staticmethod
    def ok(data: Any, status: int = 200, **top: Any) -> httpx.Response:
        return httpx.Response(status, json={"data": data, **top}, headers={"x-request-id": "req_ok"})

    @staticmethod
    def public(job: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in job.items() if not k.startswith("_")}

    # -- lipsyncs -------------------------------------------------------------------

    def job(self, request: httpx.Request, job_id: str) -> httpx.Response:
        job = self.jobs.get(job_id)
        if job is None:
            return envelope_error(404, "not_found", f"Lipsync {job_id} not found")
        if request.method == "DELETE":
            del self.jobs[job_id]
            return self.ok({"id": job_id})
        if request.method == "PATCH":
            job["title"] = json.loads(request.content)["title"]
            return self.ok(self.public(job))
        self.advance(job)
        return self.ok(self.public(job))

    def advance(self, job: dict[str, Any]) -> None:
        if job["status"] in ("completed", "failed"):
            return
        job["_polls"] += 1
        step = min(job["_polls"], len(self.lifecycle) - 1)
        job["status"] = self.lifecycle[step]
        if job["status"] == "completed":
            self.finish(job)
        if job["status"] == "failed":
            job["failure_message"] = "No face detected in the video"

    def finish(self, job: dict[str, Any]) -> None:
        job["status"] = "completed"
        job["duration"] = 1.5
        content = f"video of {job['id']}".encode()
        self.downloads[f"/files/{job['id']}.mp4"] = content
        job["video_url"] = f"{STORAGE}/files/{job['id']}.mp4?sig=abc"
        if job.get("_body", {}).get("enable_caption"):
            self.downloads[f"/files/{job['id']}.srt"] = b"1\n00:00:00,000 --> 00:00:01,000\nhi\n"
            job["caption_url"] = f"{STORAGE}/files/{job['id']}.srt?sig=abc"

    def list_jobs(self, request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params.get("limit", "10"))
        start = int(request.url.params.get("token") or 0)
        ids = sorted(self.jobs, key=lambda i: -self.jobs[i]["created_at"])
        page = ids[start : start + limit]
        more = start + limit < len(ids)
        return self.ok(
            [self.public(self.jobs[i]) for i in page],
            has_more=more,
            next_token=str(start + limit) if more else None,
        )

    def statuses(self, request: httpx.Request) -> httpx.Response:
        ids = [i for i in request.url.params.get("lipsync_ids", "").split(",") if i]
        vocab = {"pending": "queued", "running": "processing"}
        out = []
        for i in ids:
            job = self.jobs.get(i)
            if job is None:
                out.append({"video_id": i, "status": "not_found"})
                continue
            self.advance(job)
            out.append({"video_id": i, "status": vocab.get(job["status"], job["status"]), "error": None})
        return self.ok(out, has_more=False, next_token=None)

    def create_batch(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        batch_id = self.next_id("batch")
        items = []
        for index, item in enumerate(body["lipsyncs"]):
            job_id = self.add_job(title=item.get("title"), _body=item)
            items.append({"item_index": index, "status": "queued", "video_id": job_id, "error": None})
        self.batches[batch_id] = {
            "batch_id": batch_id,
            "status": "processing",
            "total_items": len(items),
            "counts_by_status": {"queued": len(items)},
            "created_at": 1717000000,
            "title": body.get("title"),
            "items": items,
            "has_more": False,
            "next_token": None,
        }
        return self.ok({"batch_id": batch_id}, status=202)

    # -- assets -----------------------------------------------------------------------

    def upload_multipart(self, request: httpx.Request) -> httpx.Response:
        content_type = request.headers["content-type"]
        boundary = content_type.split("boundary=")[1].encode()
        part = request.content.split(b"--" + boundary)[1]
        headers, _, body = part.partition(b"\r\n\r\n")
        data = body[: -len(b"\r\n")]
        asset_id = self.next_id("asset")
        self.assets[asset_id] = {"content": data, "part_headers": headers.decode()}
        return self.ok(
            {"asset_id": asset_id, "url": f"{STORAGE}/a/{asset_id}", "mime_type": "video/mp4", "size_bytes": len(data)}
        )

    def presign(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        asset_id = self.next_id("asset")
        self.assets[asset_id] = {"presign": body}
        return self.ok(
            {
                "asset_id": asset_id,
                "upload_url": f"{STORAGE}/upload/{asset_id}?X-Signature=sig",
                "upload_headers": {"Content-Type": body["content_type"], "x-amz-meta-asset": asset_id},
                "expires_in_seconds": 900,
                "max_bytes": body["size_bytes"],
                "status": "pending_upload",
            }
        )

    def complete(self, request: httpx.Request, asset_id: str) -> httpx.Response:
        asset = self.assets.get(asset_id)
        content = self.uploads.get(asset_id)
        if asset is None or content is None:
            return envelope_error(404, "not_found", "Asset not found or not uploaded")
        checksum = json.loads(request.content or b"{}").get("checksum_sha256")
        if checksum and checksum != hashlib.sha256(content).hexdigest():
            return envelope_error(400, "invalid_parameter", "checksum mismatch")
        return self.ok(
            {
                "asset_id": asset_id,
                "url": f"{STORAGE}/a/{asset_id}",
                "mime_type": asset["presign"]["content_type"],
                "size_bytes": len(content),
                "status": "uploaded",
            }
        )

    def storage(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            asset_id = request.url.path.rsplit("/", 1)[-1]
            self.uploads[asset_id] = request.content
            return httpx.Response(200)
        content = self.downloads.get(request.url.path)
        if content is None:
            return httpx.Response(403, text="<Error><Code>AccessDenied</Code><Message>Request has expired</Message>")
        return httpx.Response(200, content=content, headers={"content-length": str(len(content))})
