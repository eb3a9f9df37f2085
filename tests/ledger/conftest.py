"""The MCP server's fixtures (a working directory, a paid-mode server over a sandbox), for the ledger's MCP tests."""

from tests.mcp.conftest import anyio_backend, paid_server, settings, upstream, workdir

__all__ = ["anyio_backend", "paid_server", "settings", "upstream", "workdir"]
