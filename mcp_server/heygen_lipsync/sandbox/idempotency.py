"""Idempotency-Key: a request's first answer is recorded and replayed for 24 h; a repeat in flight gets 409.

A key is scoped to its method and path. While the first request runs, its record is "in
flight"; its answer is then stored, except for answers not worth replaying (5xx, 409,
429), which release the key so that a retry runs again. A create stores its answer in the
same transaction as its jobs (`commit_jobs`), so no crash can leave a job whose key would
let a retry create it twice.

A recorded answer keeps the sandbox's own URLs (`/_sandbox/...`) without their host: a
replay gives them the address the repeat reached. An embedded sandbox serves the same
data directory on a new port each time, and a replayed `upload_url` must still work
(signatures cover the path only, see `signing`).

`record_errors=False` (used by an upload's `complete`) records successes only: a complete
refused because the bytes had not arrived yet must not be replayed once they have.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from heygen_lipsync.sandbox import clock, web
from heygen_lipsync.sandbox.config import SandboxConfig
from heygen_lipsync.sandbox.errors import ApiError, invalid
from heygen_lipsync.sandbox.store import Store
from heygen_lipsync.sandbox.validation import IDEMPOTENCY_KEY

__all__ = ["Idempotency"]


@dataclass
class _PendingKey:
    """The Idempotency-Key of the request being served, until its answer is recorded."""

    scope: str
    key: str
    base: str  # where this request reached the sandbox; left out of the recorded answer
    stored: bool = False


# Set by `Idempotency.run` for the duration of `work`, so a create can record its key in
# the same transaction as its jobs (see `commit_jobs`).
_PENDING_KEY: contextvars.ContextVar[_PendingKey | None] = contextvars.ContextVar("_PENDING_KEY", default=None)


# Stands for the sandbox's address in a recorded answer. JSON escapes every control
# character, so a raw NUL can only be this marker.
_HERE = b"\x00"


def _replay_headers(response: Response) -> dict[str, str]:
    """The headers of an answer worth keeping for an Idempotency-Key replay."""
    return {k: v for k, v in response.headers.items() if k.lower() in ("content-type", "retry-after")}


def _recorded_body(response: Response, base: str) -> bytes:
    """The answer's body with the sandbox's address cut out of every JSON string that is one of its URLs."""
    assert isinstance(response.body, bytes)
    return response.body.replace(b'"' + base.encode() + b"/_sandbox/", b'"' + _HERE + b"/_sandbox/")


def _replayed_body(body: bytes, base: str) -> bytes:
    return body.replace(b'"' + _HERE + b"/_sandbox/", b'"' + base.encode() + b"/_sandbox/")


class Idempotency:
    """The replay records of one sandbox's store."""

    def __init__(self, store: Store, config: SandboxConfig) -> None:
        self.store = store
        self.config = config

    async def run(
        self, request: Request, work: Callable[[], Awaitable[Response]], *, record_errors: bool = True
    ) -> Response:
        """Run `work` once per Idempotency-Key: replay its response for 24 h, 409 while in flight.

        Raises:
            ApiError: 400 for a malformed key, 409 `request_in_progress` while the first is running.
        """
        key = request.headers.get("idempotency-key")
        if key is None:
            return await work()
        if not IDEMPOTENCY_KEY.fullmatch(key):
            raise invalid("Idempotency-Key", "'Idempotency-Key' must be 1-255 characters from [A-Za-z0-9_:.-].")
        scope = f"{request.method} {request.url.path}"
        base = web.base_url(request, self.config)
        existing = self.store.claim_key(scope, key, clock.now(), self.config.idempotency_ttl_seconds)
        if existing is not None:
            if existing.state == "in_flight":
                raise ApiError(
                    409,
                    "request_in_progress",
                    "A request with this Idempotency-Key is already in progress. Retry shortly.",
                )
            headers = {**existing.headers, "Idempotent-Replayed": "true"}
            body = _replayed_body(existing.body or b"", base)
            return Response(body, status_code=existing.status or 200, headers=headers)
        pending = _PendingKey(scope, key, base)
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
        worth_replaying = response.status_code < 300 or (
            record_errors and response.status_code < 500 and response.status_code not in (409, 429)
        )
        if worth_replaying:
            body = _recorded_body(response, base)
            self.store.store_key(scope, key, response.status_code, body, _replay_headers(response))
        else:
            self.store.release_key(scope, key)  # let a retry run again
        return response

    def commit_jobs(self, rows: list[dict[str, Any]], batch: dict[str, Any] | None, response: Response) -> Response:
        """Insert jobs and record the request's Idempotency-Key answer in ONE transaction.

        Written apart, a crash between the two would leave the job with its key still
        "in flight"; a restart drops in-flight keys, so the client's retry (same key)
        would create a second, paid-for job.
        """
        pending = _PENDING_KEY.get()
        key_record = None
        if pending is not None:
            body = _recorded_body(response, pending.base)
            key_record = (pending.scope, pending.key, response.status_code, body, _replay_headers(response))
        self.store.insert_jobs(rows, batch, key_record=key_record)
        if pending is not None:
            pending.stored = True
        return response
