"""The MCP server's fixtures (a working directory, a paid-mode server), and the store on both backends."""

from tests.ledger.stores import store
from tests.mcp.conftest import anyio_backend, paid_server, settings, upstream, workdir

__all__ = ["anyio_backend", "paid_server", "settings", "store", "upstream", "workdir"]
