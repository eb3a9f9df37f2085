"""``python -m heygen_lipsync.mcp``: the same as ``heygen-lipsync-mcp``."""

from heygen_lipsync.mcp.main import main

main()
