"""The floor for MCP start-up: an MCPServer with one tool, over stdio (the SDK's own cost)."""

from __future__ import annotations

from mcp.server import MCPServer

server = MCPServer("floor")


@server.tool()
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


if __name__ == "__main__":
    server.run("stdio")
