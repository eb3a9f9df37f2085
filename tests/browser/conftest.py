"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, and the test host page.

Nothing is downloaded or built at test time: the official AppBridge host and axe-core are bundled into
host/dist beforehand by ``npm ci && npm run build`` in tests/browser/host (.ci/run does it once; CONTRIBUTING.md
says how to do it locally). When Chromium, Playwright or the host bundle is missing, the tests skip locally
and say which and how to get it; in CI (``CI`` set) they fail instead.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

# The MCP tests' fixtures: a sandbox server whose jobs the player is fed.
from tests.conftest import skip_or_fail
from tests.mcp.conftest import anyio_backend, sandbox_server, settings, workdir  # noqa: F401

HOST_DIR = Path(__file__).parent / "host"
# Where the built host lives; the variable exists for the tests of these fixtures (an empty folder).
DIST = Path(os.environ.get("HEYGEN_LIPSYNC_TEST_HOST_DIST") or HOST_DIR / "dist")
BUNDLE = DIST / "app-bridge.js"
AXE = DIST / "axe.js"  # axe-core, run inside the player's iframe
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


def missing_host_bundle() -> list[str]:
    """The built files of the test host that are not there (never builds them: that needs the network)."""
    return [str(path) for path in (BUNDLE, AXE) if not path.is_file()]


@pytest.fixture(scope="session")
def host_url() -> Iterator[str]:
    """The test host page (AppBridge inside), served on loopback."""
    if not Path(CHROMIUM).exists():
        skip_or_fail(
            f"no browser: {CHROMIUM} is missing (apt-get install chromium, or set HEYGEN_LIPSYNC_CHROMIUM "
            "to a Chromium binary)"
        )
    try:
        import playwright  # noqa: F401
    except ImportError:
        skip_or_fail("no Playwright for Python: pip install -e '.[dev]'")
    missing = missing_host_bundle()
    if missing:
        skip_or_fail(
            f"the browser-test host is not built ({', '.join(missing)} missing): "
            "run 'npm ci && npm run build' there once (it downloads from npm; see CONTRIBUTING.md)"
        )
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
