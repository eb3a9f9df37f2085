"""``heygen-lipsync-mcp``: run the MCP server over stdio (default) or streamable HTTP.

stdout belongs to JSON-RPC on stdio, so every log line goes to stderr. How uvicorn serves
the HTTP transport (slow clients disconnected) is ``http_server.py``'s.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from heygen_lipsync.config import is_loopback_host
from heygen_lipsync.errors import ConfigurationError
from heygen_lipsync.mcp.logs import stderr_handler
from heygen_lipsync.mcp.settings import ENV_LOG_LEVEL, ENV_MCP_TOKEN, ServerSettings, load_server_settings

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["BearerTokenMiddleware", "http_app", "main", "parse_args"]

logger = logging.getLogger("heygen_lipsync.mcp")

ENV_HOST = "HEYGEN_LIPSYNC_MCP_HOST"
ENV_PORT = "HEYGEN_LIPSYNC_MCP_PORT"
ENV_ALLOWED_HOSTS = "HEYGEN_LIPSYNC_MCP_ALLOWED_HOSTS"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class BearerTokenMiddleware:
    """Refuse every HTTP request that does not carry ``Authorization: Bearer <token>``."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            supplied = b""
            for name, value in scope.get("headers", []):
                if name.lower() == b"authorization" and value[:7].lower() == b"bearer ":
                    supplied = value[7:].strip()
            if not hmac.compare_digest(supplied, self._token):
                from starlette.responses import JSONResponse

                response = JSONResponse(
                    {"error": "unauthorized", "message": "send Authorization: Bearer <HEYGEN_LIPSYNC_MCP_TOKEN>"},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="heygen-lipsync-mcp"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line; every option also has an environment variable (see the README)."""
    parser = argparse.ArgumentParser(
        prog="heygen-lipsync-mcp",
        description="MCP server for HeyGen's Lipsync API. Credentials come from the environment (HEYGEN_API_KEY).",
    )
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio", help="default: stdio")
    parser.add_argument("--host", default=None, help=f"HTTP bind address (default {DEFAULT_HOST}; env {ENV_HOST})")
    parser.add_argument("--port", type=int, default=None, help=f"HTTP port (default {DEFAULT_PORT}; env {ENV_PORT})")
    parser.add_argument(
        "--stateless", action="store_true", help="stateless streamable HTTP, for replicas behind a load balancer"
    )
    parser.add_argument("--sandbox", action="store_true", help="run against an embedded sandbox: no account needed")
    parser.add_argument(
        "--allowed-dir",
        action="append",
        dest="allowed_dirs",
        metavar="DIR",
        help="directory tools may read and write (repeatable; env HEYGEN_LIPSYNC_ALLOWED_DIRS; default: cwd)",
    )
    parser.add_argument("--output-dir", default=None, help="where downloads go (env HEYGEN_LIPSYNC_OUTPUT_DIR)")
    parser.add_argument(
        "--max-jobs",
        type=int,
        default=None,
        help="jobs one session may create (env HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION)",
    )
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        default=None,
        help=f"log level; logs go to stderr (env {ENV_LOG_LEVEL}; default INFO)",
    )
    return parser.parse_args(argv)


def _configure_logging(level: str) -> None:
    handler = stderr_handler()  # every line redacted, tracebacks included
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request at INFO, with URLs; keep that for DEBUG.
    logging.getLogger("httpx").setLevel(max(logging.getLevelName(level), logging.WARNING))


def _origins(hosts: Sequence[str]) -> list[str]:
    """Origins a browser sends for these ``host:port`` names (it leaves out default ports)."""
    origins: list[str] = []
    for host in hosts:
        origins += [f"https://{host}", f"http://{host}"]
        if host.endswith(":443"):
            origins.append(f"https://{host.removesuffix(':443')}")
        if host.endswith(":80"):
            origins.append(f"http://{host.removesuffix(':80')}")
    return origins


def http_app(
    server: MCPServer[Any], settings: ServerSettings, *, host: str, stateless: bool, allowed_hosts: Sequence[str] = ()
) -> ASGIApp:
    """The streamable-HTTP ASGI app: DNS-rebinding protection on loopback, the bearer token when set.

    Raises:
        ConfigurationError: a non-loopback bind address without HEYGEN_LIPSYNC_MCP_TOKEN.
    """
    from mcp.server.transport_security import TransportSecuritySettings

    loopback = is_loopback_host(host)
    if not loopback and not settings.mcp_token:
        raise ConfigurationError(
            f"refusing to listen on {host}, which is not a loopback address, without a bearer token: set "
            f"{ENV_MCP_TOKEN} (clients then send 'Authorization: Bearer <token>'), or bind 127.0.0.1"
        )
    security: TransportSecuritySettings | None = None
    if allowed_hosts:
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=list(allowed_hosts),
            allowed_origins=_origins(allowed_hosts),
        )
    elif loopback:
        name = f"[{host}]" if ":" in host else host
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=[f"{name}:*", "127.0.0.1:*", "localhost:*", "[::1]:*"],
            allowed_origins=[f"http://{name}:*", "http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
        )
    else:
        # Behind a load balancer the Host header is the public name, unknown here: the bearer
        # token (required above) is what keeps other sites' pages out. List the names in
        # HEYGEN_LIPSYNC_MCP_ALLOWED_HOSTS to check Host/Origin as well.
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    app: ASGIApp = server.streamable_http_app(
        # SSE responses even when stateless: they carry wait_for_lipsync's progress notifications.
        stateless_http=stateless,
        transport_security=security,
        host=host,
    )
    if settings.mcp_token:
        app = BearerTokenMiddleware(app, settings.mcp_token)
    return app


def _env_port() -> int:
    raw = (os.environ.get(ENV_PORT) or "").strip()
    if not raw:
        return DEFAULT_PORT
    try:
        port = int(raw)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise ConfigurationError(f"{ENV_PORT} must be a port number (0-65535), got {raw!r}")
    return port


def main(argv: Sequence[str] | None = None) -> None:
    """Run the server until the client disconnects (stdio) or it is interrupted (HTTP)."""
    args = parse_args(argv)
    level = (args.log_level or os.environ.get(ENV_LOG_LEVEL) or "INFO").strip().upper()
    _configure_logging(level if level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL") else "INFO")
    try:
        settings = load_server_settings(
            allowed_dirs=args.allowed_dirs,
            output_dir=args.output_dir,
            max_jobs_per_session=args.max_jobs,
            log_level=args.log_level,
        )
        if args.stateless:
            import dataclasses

            settings = dataclasses.replace(settings, stateless=True)
        from heygen_lipsync.mcp.server import build_server

        server = build_server(settings, sandbox=args.sandbox)
        if args.transport == "stdio":
            server.run("stdio")
            return
        host = args.host or os.environ.get(ENV_HOST) or DEFAULT_HOST
        port = args.port if args.port is not None else _env_port()
        allowed = [h.strip() for h in (os.environ.get(ENV_ALLOWED_HOSTS) or "").split(",") if h.strip()]
        app = http_app(server, settings, host=host, stateless=args.stateless, allowed_hosts=allowed)
    except ConfigurationError as exc:
        print(f"heygen-lipsync-mcp: {exc}", file=sys.stderr)  # noqa: T201 - the one line a misconfigured user sees
        raise SystemExit(2) from None
    import uvicorn

    from heygen_lipsync.mcp.http_server import uvicorn_config

    logger.info("listening on http://%s:%d/mcp%s", host, port, " (stateless)" if args.stateless else "")
    uvicorn.Server(uvicorn_config(app, host=host, port=port, log_level=level)).run()
