"""The MCP App review player: a ``ui://`` page that plays a finished dub where the conversation is.

Hosts that speak MCP Apps render ``PLAYER_URI`` beside the results of the tools named in
``PLAYER_TOOLS``; every other client ignores the tools' ``_meta.ui`` and gets exactly the
results it always got. ``extension`` holds the Apps extension (resource, CSP, what an
Apps client's results carry besides); ``player.html`` is the page itself.
"""

from __future__ import annotations

from heygen_lipsync.mcp.player.extension import (
    PLAYER_CSP,
    PLAYER_META_KEY,
    PLAYER_TOOLS,
    PLAYER_URI,
    PlayerApps,
    bind_player,
    player_html,
)

__all__ = ["PLAYER_CSP", "PLAYER_META_KEY", "PLAYER_TOOLS", "PLAYER_URI", "PlayerApps", "bind_player", "player_html"]
