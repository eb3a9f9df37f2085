"""Callback deliveries that wake a ``wait``: ``CallbackReceiver``, a tiny local HTTP receiver.

HeyGen (or the sandbox) POSTs to a job's ``callback_url`` when the job finishes. A wait
given a receiver (``client.wait(id, receiver=r)``, ``wait_many(ids, receiver=r)``) sleeps
until its next scheduled poll *or* a delivery naming one of its jobs, whichever comes
first, and then polls at once: the job is seen finished within a request of its callback,
not up to 30 s later.

A delivery is only a hint to poll now: the wait still confirms the job's status with a
GET, so a forged or stale POST costs one request and never reports a job finished. That
is why the receiver needs no signature check and why it listens on 127.0.0.1 only.

Two ways to feed it:

- ``with CallbackReceiver() as receiver:`` serves ``receiver.url`` (``http://127.0.0.1:<port>/heygen-callback``)
  from a daemon thread; pass that URL as the job's ``callback_url`` (the sandbox, or a
  tunnel to this machine);
- ``receiver.deliver(payload)`` from your own endpoint (a web app that already receives
  HeyGen's webhooks): no server is started.

Deliveries are accepted from any thread; waiters on any event loop are woken through
that loop (the blocking client's own loop thread included).

HeyGen's registered webhooks (``client.create_webhook_endpoint(receiver.url,
events=["batch.finished"])``) feed it too: a ``batch.finished`` event names the batch,
not its jobs, so it wakes every wait (each confirms with one GET). After a restart,
``await receiver.catch_up(client, ids)`` reads what was delivered meanwhile from
``GET /v3/webhooks/events``. No signature is checked: HeyGen documents no signing
scheme for its webhooks in the material this library follows, and a delivery is only a
hint anyway.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Protocol, Self

__all__ = ["BATCH_FINISHED", "CALLBACK_PATH", "MAX_CALLBACK_BYTES", "CallbackReceiver", "EventSource", "delivered_id"]

CALLBACK_PATH = "/heygen-callback"
# A webhook payload is a few hundred bytes; anything far larger is not one.
MAX_CALLBACK_BYTES = 64 * 1024
_MAX_REMEMBERED = 4096
#: HeyGen's event for a batch whose every item has finished (it lists no lipsync event type).
BATCH_FINISHED = "batch.finished"


class EventSource(Protocol):
    """Where ``catch_up`` reads delivered events: ``AsyncLipsyncClient.list_webhook_events``."""

    async def list_webhook_events(self, *, event_type: str | None = ..., limit: int | None = ...) -> tuple[Any, Any]:
        """One page of delivered events, newest first, and the next page's token."""
        ...


def delivered_id(payload: Mapping[str, Any]) -> str | None:
    """The job (or batch) id a callback payload names, or None when it names none.

    Accepts ``{"event_data": {"lipsync_id": ...}}`` (the sandbox's and HeyGen's envelope),
    ``{"event_data": {"batch_id": ...}}`` and the same keys at the top level.
    """
    data = payload.get("event_data")
    for where in (data if isinstance(data, Mapping) else {}, payload):
        for key in ("lipsync_id", "batch_id", "id"):
            value = where.get(key)
            if isinstance(value, str) and value:
                return value
    return None


class _Waiter:
    __slots__ = ("future", "ids", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop, ids: frozenset[str]) -> None:
        self.loop = loop
        self.ids = ids
        self.future: asyncio.Future[None] = loop.create_future()


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class CallbackReceiver:
    """Receives job callbacks and wakes the waits that follow those jobs.

    ```python
    with CallbackReceiver() as receiver, LipsyncClient() as client:
        job = client.create(LipsyncRequest(video=..., audio=..., callback_url=receiver.url))
        done = client.wait(job, receiver=receiver)  # returns as soon as the callback arrives
    ```

    Raises:
        OSError: ``start()`` could not bind ``host:port``.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._payloads: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._unclaimed: set[str] = set()  # delivered, not yet seen by a wait
        self._waiters: list[_Waiter] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- serving ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The URL to give as ``callback_url``.

        Raises:
            RuntimeError: the receiver is not serving (use ``with`` or ``start()``).
        """
        if self._server is None:
            raise RuntimeError("the CallbackReceiver is not serving: use `with CallbackReceiver() as r` or r.start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{CALLBACK_PATH}"

    def start(self) -> Self:
        """Serve ``url`` from a daemon thread until ``close()``.

        Raises:
            RuntimeError: already serving.
            OSError: the address could not be bound.
        """
        if self._server is not None:
            raise RuntimeError("the CallbackReceiver is already serving")
        server = ThreadingHTTPServer((self._host, self._port), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="heygen-callbacks", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving (deliveries through ``deliver`` still work)."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.close)

    # -- deliveries ---------------------------------------------------------------------

    def deliver(self, payload: Mapping[str, Any]) -> str | None:
        """Record one callback payload (from ``url`` or your own endpoint) and wake its waits.

        Returns:
            The job (or batch) id the payload names, or None (then nothing is woken).
        """
        delivered = delivered_id(payload)
        if delivered is None:
            return None
        with self._lock:
            self._payloads[delivered] = dict(payload)
            self._payloads.move_to_end(delivered)
            while len(self._payloads) > _MAX_REMEMBERED:
                self._payloads.popitem(last=False)
            self._unclaimed.add(delivered)
            # A batch event names the batch, not its jobs: every wait polls once to see whether it is one of them.
            everyone = payload.get("event_type") == BATCH_FINISHED
            for waiter in self._waiters:
                if everyone or delivered in waiter.ids:
                    waiter.loop.call_soon_threadsafe(_wake, waiter.future)
        return delivered

    async def catch_up(
        self, source: EventSource, ids: Collection[str] | None = None, *, event_type: str = BATCH_FINISHED
    ) -> set[str]:
        """Deliver the events of ``event_type`` HeyGen sent while this receiver was not listening.

        Reads the newest page (up to 100) of ``GET /v3/webhooks/events`` and delivers each event
        naming one of ``ids`` (every event when None), as if it had just arrived; returns the
        ids delivered. Like any delivery, each is only a hint the waits confirm with a GET.

        Raises:
            APIStatusError, APIConnectionError: the events could not be read.
        """
        events, _ = await source.list_webhook_events(event_type=event_type, limit=100)
        delivered: set[str] = set()
        for event in events:
            payload = {"event_type": event.event_type, "event_data": event.event_data}
            named = delivered_id(payload)
            if named is not None and (ids is None or named in ids) and self.deliver(payload) is not None:
                delivered.add(named)
        return delivered

    def payload(self, delivered: str) -> dict[str, Any] | None:
        """The last payload delivered for a job (or batch) id, or None."""
        with self._lock:
            found = self._payloads.get(delivered)
            return None if found is None else dict(found)

    def _take(self, ids: Collection[str]) -> set[str]:
        hits = self._unclaimed.intersection(ids)
        self._unclaimed -= hits
        return hits

    async def wait_any(self, ids: Collection[str]) -> set[str]:
        """Wait until a delivery names one of ``ids`` (at once if one arrived unseen); return those ids.

        Each delivery wakes one wait at most once: a wait that saw it and found the job still
        running (a stale or forged POST) does not spin on it.
        """
        waiter = _Waiter(asyncio.get_running_loop(), frozenset(ids))
        with self._lock:
            hits = self._take(waiter.ids)
            if hits:
                return hits
            self._waiters.append(waiter)
        try:
            await waiter.future
        finally:
            with self._lock:
                self._waiters.remove(waiter)
        with self._lock:
            return self._take(waiter.ids)


def _handler_for(receiver: CallbackReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path.split("?", 1)[0] != CALLBACK_PATH:
                self._answer(404, "not the callback path")
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            if not 0 < length <= MAX_CALLBACK_BYTES:
                self._answer(413 if length > MAX_CALLBACK_BYTES else 400, "a JSON body of at most 64 KiB")
                return
            try:
                payload = json.loads(self.rfile.read(length))
            except ValueError:
                self._answer(400, "the body is not JSON")
                return
            if not isinstance(payload, Mapping) or receiver.deliver(payload) is None:
                self._answer(400, "the payload names no lipsync_id")
                return
            self._answer(200, "ok")

        def _answer(self, status: int, message: str) -> None:
            body = json.dumps({"message": message}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return  # no stderr noise per delivery

    return Handler
