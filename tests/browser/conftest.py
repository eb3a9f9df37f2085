"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, and the test host page.

Nothing is downloaded at test time except, once, the official AppBridge host and axe-core from npm (built
into host/dist by ``npm ci && npm run build``; .ci/run does it). When Chromium, Playwright or
the host bundle is missing, the tests skip and say which and how to get it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

# The MCP tests' fixtures: a sandbox server whose jobs the player is fed.
from tests.mcp.conftest import anyio_backend, sandbox_server, settings, workdir  # noqa: F401

HOST_DIR = Path(__file__).parent / "host"
BUNDLE = HOST_DIR / "dist" / "app-bridge.js"
AXE = HOST_DIR / "dist" / "axe.js"  # axe-core, run inside the player's iframe
CHROMIUM = os.environ.get("HEYGEN_LIPSYNC_CHROMIUM", "/usr/bin/chromium")
# Headless and quiet: no GPU, no sandbox (CI runs as root), no calls home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def _host_bundle() -> Path | None:
    if BUNDLE.is_file() and AXE.is_file():
        return BUNDLE
    npm = shutil.which("npm")
    if npm is None:
        return None
    for step in (["ci", "--no-audit", "--no-fund"], ["run", "build"]):
        done = subprocess.run([npm, *step], cwd=HOST_DIR, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            return None
    return BUNDLE if BUNDLE.is_file() and AXE.is_file() else None


@pytest.fixture(scope="session")
def host_url() -> Iterator[str]:
    """The test host page (AppBridge inside), served on loopback."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no browser: {CHROMIUM} is missing (apt-get install chromium, or set HEYGEN_LIPSYNC_CHROMIUM)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("no Playwright for Python: pip install -e '.[dev]'")
    if _host_bundle() is None:
        pytest.skip("no AppBridge host or axe-core bundle: run 'npm ci && npm run build' in tests/browser/host")
    handler = functools.partial(_QuietHandler, directory=str(HOST_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        # host.html loads app-bridge.js beside it; the bundle lives in dist/.
        if path.split("?")[0] == "/app-bridge.js":
            return str(BUNDLE)
        return super().translate_path(path)

    def log_message(self, format: str, *args: object) -> None:
        pass
