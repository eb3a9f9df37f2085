"""Serving the sandbox: blocking (`run_sandbox`) or in a background thread (`EmbeddedSandbox`)."""

from __future__ import annotations

import socket
import sys
import threading
import time
from types import TracebackType
from typing import Any

import anyio
import uvicorn

from heygen_lipsync.sandbox.app import SandboxApp
from heygen_lipsync.sandbox.config import FaultConfig, SandboxConfig
from heygen_lipsync.sandbox.jobs import is_loopback
from heygen_lipsync.sandbox.request_log import RequestLog

__all__ = ["EmbeddedSandbox", "run_sandbox", "startup_line"]

_START_TIMEOUT = 30.0


def _av_missing() -> bool:
    try:
        import av  # noqa: F401
    except ImportError:
        return True
    return False


def startup_line(base_url: str, config: SandboxConfig) -> str:
    """What the sandbox prints when it starts: where, which key, and that it does not re-animate lips."""
    where = str(config.data_dir) if config.data_dir is not None else "in memory (lost on exit)"
    line = (
        f"HeyGen Lipsync sandbox on {base_url} (API key: {config.api_key!r}; data: {where}). "
        "It does NOT re-animate lips: outputs are the source video with the new audio muxed in."
    )
    if _av_missing():
        line += " PyAV is missing, so jobs will fail: pip install 'heygen-lipsync[sandbox]'."
    if config.faults.active:
        line += f" Fault injection is on: {config.faults.to_dict()}."
    return line


def run_sandbox(host: str = "127.0.0.1", port: int = 8765, config: SandboxConfig | None = None) -> None:
    """Serve the sandbox until interrupted (Ctrl-C). Prints its startup line to stderr.

    `config` defaults to `SandboxConfig.from_env()` (data in the platform's user data
    directory or `HEYGEN_LIPSYNC_SANDBOX_DIR`).

    Raises:
        OSError: the address is in use or cannot be bound.
        ValueError: an environment setting does not parse.
    """
    config = config if config is not None else SandboxConfig.from_env()
    # Bind before saying where we listen: a busy port fails here, with no banner printed.
    sock = _listening_socket(host, port)
    sandbox = SandboxApp(config)
    try:
        bound_port = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        print(startup_line(f"http://{shown}:{bound_port}", config), file=sys.stderr, flush=True)  # noqa: T201
        if not is_loopback(host):
            print(  # noqa: T201
                f"warning: listening on {host}, not loopback: anyone who can reach it can use the sandbox.",
                file=sys.stderr,
                flush=True,
            )
        # Our own access log: one line per request, without the signed query strings.
        uv_config = uvicorn.Config(RequestLog(sandbox.asgi), log_level="warning", access_log=False, lifespan="on")
        uvicorn.Server(uv_config).run(sockets=[sock])
    finally:
        sock.close()
        sandbox.close()


def _listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket for the server (port 0: any free port).

    IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    says TCP, and without it every keep-alive response waits ~40 ms (Nagle).

    Raises:
        OSError: the address is in use or cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class EmbeddedSandbox:
    """A sandbox served on 127.0.0.1 (free port) from a background thread.

    Use as `with EmbeddedSandbox(config) as sb:` or `async with EmbeddedSandbox(config) as sb:`,
    then talk to `sb.base_url` with `sb.api_key`. `sb.config` is live: assign
    `sb.config.faults` (or call `sb.set_faults(...)`) to change faults while it runs.
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config if config is not None else SandboxConfig()
        self._sandbox: SandboxApp | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.base_url = ""

    @property
    def api_key(self) -> str:
        return self.config.api_key

    @property
    def app(self) -> SandboxApp:
        """The running sandbox's state (its store), for tests.

        Raises:
            RuntimeError: the sandbox is not running.
        """
        if self._sandbox is None:
            raise RuntimeError("the sandbox is not running")
        return self._sandbox

    def set_faults(self, faults: FaultConfig | None = None, **settings: Any) -> None:
        """Replace the fault settings (reseeding the fault generator); no arguments turn faults off."""
        self.config.faults = faults if faults is not None else FaultConfig(**settings)

    def start(self) -> EmbeddedSandbox:
        """Start serving and wait until the server accepts connections.

        Raises:
            RuntimeError: already started, or the server did not come up.
        """
        if self._thread is not None:
            raise RuntimeError("the sandbox is already running")
        self._sandbox = SandboxApp(self.config)
        sock = _listening_socket("127.0.0.1", 0)
        self._socket = sock
        port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        # log_config=None: an embedded server must not reconfigure the host program's logging
        # (uvicorn's default pins handlers to whatever sys.stderr is at that moment).
        uv_config = uvicorn.Config(
            self._sandbox.asgi, log_config=None, log_level="warning", access_log=False, lifespan="on"
        )
        self._server = uvicorn.Server(uv_config)
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.run(sockets=[sock]), name="heygen-lipsync-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the embedded sandbox did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and release the port (an in-memory sandbox also deletes its files)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=_START_TIMEOUT)
        if self._socket is not None:
            self._socket.close()
        if self._sandbox is not None:
            self._sandbox.close()
        self._server = self._thread = self._socket = self._sandbox = None

    def __enter__(self) -> EmbeddedSandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> EmbeddedSandbox:
        return await anyio.to_thread.run_sync(self.start)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await anyio.to_thread.run_sync(self.stop)
