"""Callback delivery: a job's `callback_url` and a batch's `callback_url` get one POST each.

A finished batch is also a `batch.finished` event of the workspace: recorded (so
`GET /v3/webhooks/events` shows it) and POSTed to every enabled registered endpoint
subscribed to it. Deliveries carry no signature: HeyGen documents no signing scheme in
the material the sandbox follows, so it invents none.

Only loopback URLs are called (the sandbox has no internet access); delivery is best
effort, like a webhook that is down. A batch's callback is claimed in the store, so two
processes sharing a data directory send it once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit

import httpx

from heygen_lipsync.sandbox import clock, jobs, status
from heygen_lipsync.sandbox.config import SandboxConfig
from heygen_lipsync.sandbox.signing import Signer
from heygen_lipsync.sandbox.store import JobRow, Store
from heygen_lipsync.sandbox.workspace import Workspace

__all__ = ["Webhooks", "iso_time"]

_TIMEOUT = 5.0


class Webhooks:
    """Sends the callbacks of finished jobs and batches, and waits for them on shutdown."""

    def __init__(self, store: Store, config: SandboxConfig, signer: Signer, workspace: Workspace) -> None:
        self.store = store
        self.workspace = workspace
        self.config = config
        self.signer = signer
        self._sending: set[asyncio.Task[None]] = set()

    def job_finished(self, job: JobRow) -> None:
        """Called once per job, when its outcome is recorded: notify the job and, if last, its batch."""
        if job.request.get("callback_url"):
            self._spawn(self._notify_job(job))
        if job.batch_id is not None:
            self._maybe_notify_batch(job.batch_id)

    async def drain(self) -> None:
        """Wait for every callback still being sent."""
        await asyncio.gather(*self._sending, return_exceptions=True)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._sending.add(task)  # a reference, so the task is not collected mid-flight
        task.add_done_callback(self._sending.discard)

    def _maybe_notify_batch(self, batch_id: str) -> None:
        """Once a batch's last job is recorded, POST the batch's outcome to its callback_url (once)."""
        batch = self.store.get_batch(batch_id)
        if batch is None:
            return
        counts = status.finished_batch_counts(self.store.batch_final_statuses(batch_id))
        if counts is None or not self.store.claim_once(f"batch-callback:{batch_id}"):
            return
        outcome = status.batch_outcome(counts, batch.total)
        event_data: dict[str, Any] = {
            "batch_id": batch.id,
            "status": outcome,
            "total_items": batch.total,
            "counts_by_status": counts,
            "title": batch.title,
        }
        # HeyGen's name for a batch's completion; the outcome is in event_data.status.
        payload = {"event_type": "batch.finished", "event_data": event_data}
        if batch.callback_url:
            self._spawn(_post(batch.callback_url, payload))
        event = self.workspace.add_event("batch.finished", batch.id, event_data, clock.now())
        delivered = {"event_id": event.id, "created_at": iso_time(event.created_at), **payload}
        for endpoint in self.workspace.endpoints():
            wanted = endpoint.events is None or "batch.finished" in endpoint.events
            scoped = endpoint.entity_id in (None, batch.id)
            if endpoint.status == "enabled" and wanted and scoped:
                self._spawn(_post(endpoint.url, delivered))

    async def _notify_job(self, job: JobRow) -> None:
        """POST the outcome to the job's callback_url."""
        url = job.request["callback_url"]
        if not jobs.is_loopback(urlsplit(url).hostname):
            return  # the sandbox has no internet access: do not even sign a URL
        completed = job.status == "completed"
        base = self.config.public_base_url or f"http://{job.origin}"
        video_url = self.signer.presign(base, f"/_sandbox/outputs/{job.id}.mp4") if completed else None
        # HeyGen documents no lipsync event type: this per-job payload is the sandbox's own.
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
        await _post(url, payload)


def iso_time(when: float) -> str:
    """An ISO 8601 UTC timestamp, as HeyGen's webhook resources give times."""
    import datetime as dt

    return dt.datetime.fromtimestamp(when, dt.UTC).isoformat().replace("+00:00", "Z")


async def _post(url: str, payload: dict[str, Any]) -> None:
    """POST a webhook: loopback URLs only (the sandbox has no internet access), best effort."""
    if not jobs.is_loopback(urlsplit(url).hostname):
        return
    try:
        async with httpx.AsyncClient(timeout=_TIMEOUT, trust_env=False) as client:
            await client.post(url, json=payload)
    except Exception:  # noqa: BLE001, S110 - best effort, like a webhook that is down (or a malformed URL)
        pass
