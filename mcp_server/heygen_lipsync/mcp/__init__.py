"""The heygen-lipsync MCP server: lipsync tools for AI assistants.

``build_server()`` gives a transport-agnostic ``MCPServer``; ``main()`` is the
``heygen-lipsync-mcp`` command (stdio by default, ``--transport http`` for streamable HTTP).
"""

from __future__ import annotations

from heygen_lipsync.mcp.main import main
from heygen_lipsync.mcp.server import AppState, build_server
from heygen_lipsync.mcp.settings import ServerSettings, load_server_settings

__all__ = ["AppState", "ServerSettings", "build_server", "load_server_settings", "main"]
