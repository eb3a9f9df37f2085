"""The floor for one MCP tool call: an MCPServer whose one tool does a raw httpx GET of a lipsync.

`call_overhead.py` runs it over stdio beside `heygen-lipsync-mcp`, so `get_lipsync`'s cost is
compared with the SDK's and a bare GET's, not with a GET alone. Reads HEYGEN_BASE_URL and
HEYGEN_API_KEY as the real server does.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import httpx
from mcp.server import MCPServer

server = MCPServer("raw-get-floor")
# Log at WARNING like heygen-lipsync-mcp (HEYGEN_LIPSYNC_LOG_LEVEL above), so the floor pays no
# INFO line per request that the measured server does not pay.
logging.getLogger("httpx").setLevel(logging.WARNING)
_http = httpx.AsyncClient(base_url=os.environ["HEYGEN_BASE_URL"], headers={"x-api-key": os.environ["HEYGEN_API_KEY"]})


@server.tool()
async def get_lipsync(lipsync_id: str) -> dict[str, Any]:
    """GET /v3/lipsyncs/{id} and return its data, unchecked."""
    response = await _http.get(f"/v3/lipsyncs/{lipsync_id}")
    response.raise_for_status()
    data: dict[str, Any] = response.json()["data"]
    return data


if __name__ == "__main__":
    server.run("stdio")
