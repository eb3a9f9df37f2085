"""The HTTP policy, in one module: timeouts, retries, Idempotency-Key, auth, User-Agent, logs.

Every request the library makes (through the generated client or directly, for storage
uploads and downloads) goes through ``PolicyTransport``:

- Auth headers are added only to requests for the API's own origin, so presigned storage
  URLs never see the key; they are never logged.
- Retries (``Settings.max_retries`` after the first attempt) with exponential backoff and
  full jitter: 429 for every method (honouring ``Retry-After`` in seconds or as an HTTP
  date, clamped); connection failures, timeouts, 408 and 5xx for idempotent methods and
  for POSTs carrying an ``Idempotency-Key`` or documented as idempotent (the same key on every attempt, so a create
  retried after a lost response never makes a second job); 409 ``request_in_progress``
  means the first attempt is still running server-side: wait and send the same key again.
  A connection that could not be opened at all is retried for every method: nothing was sent.
- Timeouts by kind, as HeyGen's own CLI gives them: each attempt of a read has
  ``Settings.timeout`` (30 s) for its whole answer, of a write (creates included)
  ``Settings.write_timeout`` (120 s): a server trickling a byte a second cannot stretch it.
  Uploads (multipart POST /v3/assets, PUTs to storage) and downloads may pause at most
  ``Settings.upload_timeout`` (10 min) per read or write. Every request, all attempts and
  waits included, ends by ``Settings.request_deadline`` (30 min); a streamed download
  carries what is left of it (``EXT_DEADLINE`` on the response) to its last chunk.
- Bodies are bounded: every answer that is not streamed is read here, inflated with a bound
  (``_bodies``), at most ``Settings.max_response_bytes`` (4 MiB) once decompressed, and an
  API answer that is not strict JSON (nested too deep, NaN, Infinity) becomes one
  ``unexpected_response`` error naming the field, before any parser sees it.
- Delivery is tracked: inside ``tracking_delivery()`` every attempt that may have reached
  the server (a network failure after the connection opened, a 5xx, 408, or 409
  ``request_in_progress``) is noted, so a create whose later attempts meet only 429s
  still knows its outcome is unknown.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from heygen_lipsync import __version__, telemetry
from heygen_lipsync._transport.bodies import ACCEPT_ENCODING, read_answer
from heygen_lipsync._transport.mapping import parse_retry_after
from heygen_lipsync.config import ENV_REQUEST_DEADLINE, Settings
from heygen_lipsync.errors import APIError, APITimeoutError
from heygen_lipsync.upload_events import rate_limit_wait

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_MAX",
    "EXT_DEADLINE",
    "EXT_NO_AUTH",
    "EXT_STREAM",
    "EXT_UPLOAD",
    "IDEMPOTENT_METHODS",
    "MAX_RETRY_AFTER",
    "USER_AGENT",
    "WRITE_METHODS",
    "Delivery",
    "PolicyTransport",
    "backoff_delay",
    "build_http_client",
    "new_idempotency_key",
    "origin_of",
    "timeouts_for",
    "tracking_delivery",
]


logger = logging.getLogger("heygen_lipsync.http")

USER_AGENT = f"heygen-lipsync/{__version__}"
BACKOFF_BASE = 1.0
BACKOFF_MAX = 30.0
# A Retry-After longer than this is clamped: the caller sees a RateLimitError with the
# server's full retry_after once retries run out, rather than a client that hangs.
MAX_RETRY_AFTER = 30.0
POOL_TIMEOUT = 30.0
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Requests that change something: they get the write timeouts (120 s to answer).
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRYABLE_STATUSES = frozenset({408, 500, 502, 503, 504})
# Answers after which the request may have been carried out (5xx: the server may have
# failed after committing; 408: it may have read the whole request).
_MAYBE_DONE_STATUSES = frozenset({408, *range(500, 600)})
_UPLOAD_PATHS = frozenset({"/v3/assets"})
# POSTs the API documents as idempotent, safe to resend without a key.
_IDEMPOTENT_POST = re.compile(r"^/v3/assets/[^/]+/complete$")

# ``rate_limit_wait`` (upload_events): the hook a front-end sets to say it waits out a 429.
# Request extensions the library sets on requests it builds itself: presigned storage URLs
# get no credentials (even when storage shares the API's origin, as in the sandbox), and
# transfers of file bodies get the long upload timeouts.
EXT_NO_AUTH = "heygen_lipsync.no_auth"
EXT_UPLOAD = "heygen_lipsync.upload"
# A download: its answer is streamed by the caller, under the deadline the response carries.
EXT_STREAM = "heygen_lipsync.stream"
EXT_DEADLINE = "heygen_lipsync.deadline"
# Failures where the request certainly never reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

Sleep = Callable[[float], Awaitable[None]]
# Looked up at call time so tests can swap in a fake clock (no real sleeping).
_sleep: Sleep = asyncio.sleep


@dataclass
class Delivery:
    """What the attempts of one logical call (a create, an upload) may have done server-side."""

    # True once any attempt may have reached the server: its outcome is unknown from then on.
    maybe_delivered: bool = False
    # True while an attempt is on the wire (a cancellation then leaves the outcome unknown too).
    in_flight: bool = False

    @property
    def outcome_unknown(self) -> bool:
        """Whether the call may have had its effect (the job or asset may exist)."""
        return self.maybe_delivered or self.in_flight


_delivery: contextvars.ContextVar[Delivery | None] = contextvars.ContextVar("heygen_lipsync_delivery", default=None)


@contextlib.contextmanager
def tracking_delivery() -> Iterator[Delivery]:
    """Track whether the requests sent inside may have reached the server (per task).

    Each use starts a fresh record, so a create's uploads do not mark the create itself.
    """
    delivery = Delivery()
    token = _delivery.set(delivery)
    try:
        yield delivery
    finally:
        _delivery.reset(token)


def _note_delivery(*, maybe: bool | None = None, in_flight: bool | None = None) -> None:
    delivery = _delivery.get()
    if delivery is None:
        return
    if maybe:
        delivery.maybe_delivered = True
    if in_flight is not None:
        delivery.in_flight = in_flight


def new_idempotency_key(prefix: str = "hl") -> str:
    """A fresh key for one logical create; reuse it for every retry of that create."""
    import uuid

    return f"{prefix}-{uuid.uuid4().hex}"


def backoff_delay(
    attempt: int, *, base: float = BACKOFF_BASE, cap: float = BACKOFF_MAX, rng: random.Random | None = None
) -> float:
    """Delay before retry number ``attempt`` (0-based): base * 2**attempt, capped, with jitter in [50%, 100%]."""
    delay = min(cap, base * (2**attempt))
    r = float((rng or random).random())
    return float(delay * (0.5 + r / 2))


def origin_of(url: httpx.URL) -> tuple[str, str, int | None]:
    """(scheme, host, port) with default ports made explicit, for same-origin checks."""
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, port)


def timeouts_for(settings: Settings, *, upload: bool = False, write: bool = False) -> httpx.Timeout:
    """The httpx timeouts for reads, for writes (``write``), or for uploads/downloads (``upload``)."""
    if upload:
        return httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.upload_timeout,
            write=settings.upload_timeout,
            pool=POOL_TIMEOUT,
        )
    read = settings.write_timeout if write else settings.timeout
    return httpx.Timeout(connect=settings.connect_timeout, read=read, write=settings.write_timeout, pool=POOL_TIMEOUT)


def _path_for_log(request: httpx.Request) -> str:
    # Never log query strings: presigned URLs carry signatures there.
    url = request.url
    return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}{url.path}"


class PolicyTransport(httpx.AsyncBaseTransport):
    """Wraps a transport with the library's auth, timeout and retry policy."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        settings: Settings,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._inner = inner
        self._settings = settings
        self._api_origin = origin_of(httpx.URL(settings.base_url))
        self._sleep_override = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._upload_timeouts = timeouts_for(settings, upload=True)
        self._write_timeouts = timeouts_for(settings, write=True)
        self._read_timeouts = timeouts_for(settings)

    def __repr__(self) -> str:
        return f"PolicyTransport(base_url={self._settings.base_url!r}, max_retries={self._settings.max_retries})"

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt."""
        return self._settings.max_retries

    def is_api_request(self, request: httpx.Request) -> bool:
        """True when the request goes to the API's own origin (and so carries auth)."""
        return origin_of(request.url) == self._api_origin

    def _prepare(self, request: httpx.Request) -> None:
        for name in ("x-api-key", "authorization"):
            if name in request.headers:
                del request.headers[name]
        if self.is_api_request(request) and not request.extensions.get(EXT_NO_AUTH):
            request.headers.update(self._settings.auth_headers())
        if self._is_transfer(request):
            request.extensions = {**request.extensions, "timeout": self._upload_timeouts.as_dict()}
        elif request.method in WRITE_METHODS and request.extensions.get("timeout") == self._read_timeouts.as_dict():
            # Only when the client's defaults are set: a per-request timeout from the caller stays.
            request.extensions = {**request.extensions, "timeout": self._write_timeouts.as_dict()}
        request.headers.setdefault("User-Agent", USER_AGENT)
        if not request.extensions.get(EXT_STREAM):  # only encodings inflated with a bound (_bodies)
            request.headers["Accept-Encoding"] = ACCEPT_ENCODING

    @staticmethod
    def _may_resend(request: httpx.Request) -> bool:
        return (
            request.method in IDEMPOTENT_METHODS
            or "idempotency-key" in request.headers
            or (request.method == "POST" and bool(_IDEMPOTENT_POST.match(request.url.path)))
        )

    async def _pause(self, seconds: float) -> None:
        await (self._sleep_override or _sleep)(seconds)

    def _delay(self, attempt: int) -> float:
        return backoff_delay(attempt, rng=self._rng)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send with auth and retries; the final response or exception is the caller's.

        The response's body is already read (bounded), unless the request asked to stream it
        (``EXT_STREAM``).

        Raises:
            httpx.TransportError: the last network failure once retries are exhausted
                (``httpx.ReadTimeout`` when an attempt's answer did not arrive in full in time).
            APITimeoutError: the request's deadline (``Settings.request_deadline``) passed.
            APIError: the answer is too large (``response_too_large``) or not strict JSON
                (``unexpected_response``, naming the field).
            ConfigurationError: the request needs credentials and none are configured.
        """
        self._prepare(request)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._settings.request_deadline
        attempt = 0
        where = f"{request.method} {_path_for_log(request)}"
        while True:
            _note_delivery(in_flight=True)
            started = time.monotonic()  # for the --debug trace: how long each exchange took
            try:
                response = await self._attempt(request, deadline)
            except httpx.TransportError as exc:
                _note_delivery(maybe=not isinstance(exc, _NOT_SENT), in_flight=False)
                retryable = isinstance(exc, _NOT_SENT) or self._may_resend(request)
                pause = self._delay(attempt)
                if retryable and attempt < self.max_retries and loop.time() + pause < deadline:
                    logger.debug("%s failed (%s); retry %d in %.2fs", where, type(exc).__name__, attempt + 1, pause)
                    await self._pause(pause)
                    attempt += 1
                    continue
                logger.debug("%s failed (%s) after %d attempt(s)", where, type(exc).__name__, attempt + 1)
                raise
            except APIError:
                _note_delivery(maybe=True, in_flight=False)  # it reached the server: its effect is unknown
                raise
            _note_delivery(maybe=response.status_code in _MAYBE_DONE_STATUSES, in_flight=False)
            request_id = response.headers.get("x-request-id")
            delay: float | None = None
            if attempt < self.max_retries:
                response, delay = await self._retry_decision(request, response, attempt)
            if delay is not None and loop.time() + delay >= deadline:
                delay = None  # no time left to wait and try again: this answer is the caller's
            telemetry.exchange(request.method, request.url.path, response.status_code, request_id)
            if delay is None:
                logger.debug(
                    "%s -> %d (request id %s, attempt %d, %.0f ms)",
                    where,
                    response.status_code,
                    request_id,
                    attempt + 1,
                    (time.monotonic() - started) * 1000,
                )
                return response
            logger.debug(
                "%s -> %d (request id %s, %.0f ms); retry %d in %.2fs",
                where,
                response.status_code,
                request_id,
                (time.monotonic() - started) * 1000,
                attempt + 1,
                delay,
            )
            await response.aclose()
            hook = rate_limit_wait.get()
            if hook is not None and response.status_code == 429:
                # Say why nothing happens (e.g. a create waiting for a free slot).
                hook(f"{request.method} {request.url.path}", delay)
            await self._pause(delay)
            attempt += 1

    def _is_transfer(self, request: httpx.Request) -> bool:
        """An upload (multipart POST /v3/assets, a PUT to storage) or a download: a file's bytes."""
        return bool(request.extensions.get(EXT_UPLOAD) or request.extensions.get(EXT_STREAM)) or (
            request.method == "POST" and self.is_api_request(request) and request.url.path in _UPLOAD_PATHS
        )

    def _attempt_budget(self, request: httpx.Request) -> float | None:
        """The time one attempt has for its whole answer: the read timeout in force, or None for a transfer."""
        if self._is_transfer(request):
            return None  # a file's bytes: bounded per read or write, and by the deadline
        timeout = request.extensions.get("timeout")
        read = timeout.get("read") if isinstance(timeout, dict) else None
        return float(read) if isinstance(read, int | float) else None

    async def _attempt(self, request: httpx.Request, deadline: float) -> httpx.Response:
        """One exchange, from connecting to the last byte of the answer, within its time."""
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise self._deadline_error(request)
        budget = self._attempt_budget(request)
        limit = left if budget is None else min(left, budget)
        try:
            async with asyncio.timeout(limit):
                response = await self._inner.handle_async_request(request)
                if request.extensions.get(EXT_STREAM):
                    response.extensions = {**response.extensions, EXT_DEADLINE: deadline}
                    return response
                strict = self.is_api_request(request) and not request.extensions.get(EXT_NO_AUTH)
                return await read_answer(request, response, limit=self._settings.max_response_bytes, strict_json=strict)
        except TimeoutError:
            if budget is None or left <= budget:
                raise self._deadline_error(request) from None
            # Retried like any read timeout; the final error names the read or write timeout.
            raise httpx.ReadTimeout(f"no complete answer within {limit:g} s", request=request) from None

    def _deadline_error(self, request: httpx.Request) -> APITimeoutError:
        return APITimeoutError(
            f"{request.method} {_path_for_log(request)} did not finish within "
            f"{self._settings.request_deadline:g} s ({ENV_REQUEST_DEADLINE}); retry later, or raise "
            f"{ENV_REQUEST_DEADLINE} for a large file on a slow link"
        )

    async def _retry_decision(
        self, request: httpx.Request, response: httpx.Response, attempt: int
    ) -> tuple[httpx.Response, float | None]:
        status = response.status_code
        if status == 429:
            return response, self._server_delay(response, attempt)
        if status in RETRYABLE_STATUSES and self._may_resend(request):
            if status == 503 and response.headers.get("retry-after"):
                return response, self._server_delay(response, attempt)
            return response, self._delay(attempt)
        if status == 409 and "idempotency-key" in request.headers:
            response, code = await self._peek_error_code(request, response)
            if code == "request_in_progress":
                _note_delivery(maybe=True)  # the first attempt is running server-side
                return response, self._server_delay(response, attempt)
        return response, None

    def _server_delay(self, response: httpx.Response, attempt: int) -> float:
        after = parse_retry_after(response.headers.get("retry-after"))
        if after is None:
            return self._delay(attempt)
        return min(after, MAX_RETRY_AFTER)

    @staticmethod
    async def _peek_error_code(request: httpx.Request, response: httpx.Response) -> tuple[httpx.Response, str | None]:
        # Read the body to learn the error code, then hand back an equivalent response whose
        # body can still be read by the caller.
        if response.is_stream_consumed:
            copy = response  # already in memory (e.g. built from bytes): readable as it is
        else:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
            await response.aclose()
            copy = httpx.Response(
                response.status_code,
                headers=response.headers,
                content=raw,
                request=request,
                extensions=response.extensions,
            )
        code: str | None = None
        try:
            body: Any = json.loads(copy.content)
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                value = body["error"].get("code")
                code = value if isinstance(value, str) else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            code = None
        return copy, code

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()


def build_http_client(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Sleep | None = None,
    event_hooks: dict[str, list[Callable[..., Any]]] | None = None,
) -> httpx.AsyncClient:
    """The one ``httpx.AsyncClient`` the library uses, with the policy transport.

    It carries no credentials itself (the transport adds them per request), so its repr
    and headers never reveal the key.
    """
    inner = transport if transport is not None else httpx.AsyncHTTPTransport()
    policy = PolicyTransport(inner, settings=settings, sleep=sleep)
    return httpx.AsyncClient(
        base_url=settings.base_url,
        transport=policy,
        timeout=timeouts_for(settings),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
        event_hooks=event_hooks or {},
    )
