"""heygen_lipsync: dub videos with HeyGen's Lipsync API."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
