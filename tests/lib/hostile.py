"""A small hostile HTTP server on 127.0.0.1: a real socket server in a thread, bounded in time.

Each test sets what a path answers (``server.route(path, answer)``); an answer is a function
that writes the raw response to the socket, so it can trickle, lie about its length, send a
gzip bomb or nest JSON as deep as it likes. One request per connection (``Connection:
close``). Every answer stops when the server stops (a trickle checks between bytes), and a
client that hangs up ends it too, so no test can leave a thread writing for ever.
"""

from __future__ import annotations

import contextlib
import json
import socketserver
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["Answer", "HostileServer", "Seen", "gzip_of_repeated", "json_answer", "raw_answer", "trickle"]


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


Answer = Callable[["_Exchange"], None]


@dataclass
class _Exchange:
    seen: Seen
    write: Callable[[bytes], None]
    stopping: threading.Event


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in {**headers, "Connection": "close"}.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def raw_answer(body: bytes, *, status: int = 200, headers: dict[str, str] | None = None, length: bool = True) -> Answer:
    """Answer ``body`` as it is, with a Content-Length (``length=False``: none, the end is the hang-up)."""

    def answer(ex: _Exchange) -> None:
        given = {"Content-Type": "application/json", **(headers or {})}
        if length:
            given.setdefault("Content-Length", str(len(body)))
        ex.write(_head(status, given) + body)

    return answer


def json_answer(payload: Any, *, status: int = 200) -> Answer:
    """Answer a JSON value (``json.dumps`` allows NaN: the hostile part is the caller's)."""
    return raw_answer(json.dumps(payload).encode(), status=status)


def trickle(body: bytes, *, every: float, headers: dict[str, str] | None = None, endless: bool = False) -> Answer:
    """Send ``body`` one byte every ``every`` seconds (``endless``: then keep sending spaces)."""

    def answer(ex: _Exchange) -> None:
        given = {"Content-Type": "application/json", "Content-Length": str(len(body)), **(headers or {})}
        ex.write(_head(200, given))
        sent = 0
        while not ex.stopping.is_set() and (endless or sent < len(body)):
            ex.write(body[sent : sent + 1] if sent < len(body) else b" ")
            sent += 1
            time.sleep(every)

    return answer


def gzip_of_repeated(prefix: bytes, filler: bytes, size: int, suffix: bytes) -> bytes:
    """gzip of ``prefix + filler * n + suffix`` (about ``size`` bytes inflated), compressed piecewise."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(prefix)]
    block = filler * (1024 * 1024 // len(filler))
    for _ in range(size // len(block)):
        parts.append(packer.compress(block))
    parts.append(packer.compress(suffix))
    parts.append(packer.flush())
    return b"".join(parts)


@dataclass
class HostileServer:
    """The server; use it as a context manager. ``seen`` lists the requests, in order."""

    routes: dict[str, Answer] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 10  # a client that stops reading cannot hold a thread past this

            def handle(self) -> None:
                line = self.rfile.readline(65536).decode("latin-1").strip()
                if not line:
                    return
                method, target, _ = [*line.split(" "), "", ""][:3]
                headers: dict[str, str] = {}
                while (header := self.rfile.readline(65536).decode("latin-1").strip()) != "":
                    name, _, value = header.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    self.rfile.read(length)
                parts = urlsplit(target)
                seen = Seen(method, parts.path, parse_qs(parts.query), headers)
                outer.seen.append(seen)
                answer = outer._answer_for(parts.path)

                def write(data: bytes) -> None:
                    self.wfile.write(data)
                    self.wfile.flush()

                with contextlib.suppress(OSError):  # the client hung up: what a bounded client does
                    answer(_Exchange(seen, write, outer.stopping))

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _answer_for(self, path: str) -> Answer:
        if path in self.routes:
            return self.routes[path]
        return json_answer({"error": {"code": "not_found", "message": f"no route {path}"}}, status=404)

    def route(self, path: str, answer: Answer) -> None:
        """Answer requests for ``path`` with ``answer`` (any other path: 404)."""
        self.routes[path] = answer

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def requests_to(self, path: str) -> list[Seen]:
        """The requests for ``path``."""
        return [s for s in self.seen if s.path == path]

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
