"""What upload progress reports: ``UploadEvent`` objects, for a handler wrapped in ``UploadEvents``.

Apart from ``uploads`` (which needs httpx), so that the MCP server's progress relay, the dub
runner and the package's names load without the HTTP stack.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from heygen_lipsync.resources.assets import AssetWaitProgress

__all__ = ["UploadEvent", "UploadEvents", "UploadProgress", "rate_limit_wait"]

#: ``hook(where, seconds)``, called before the client waits out a 429 (``where`` is e.g.
#: ``POST /v3/lipsyncs``): a caller can say it waits (the CLI: "waiting for a slot").
rate_limit_wait: contextvars.ContextVar[Callable[[str, float], None] | None] = contextvars.ContextVar(
    "rate_limit_wait", default=None
)


@dataclass(frozen=True)
class UploadEvent:
    """Progress of one file's upload.

    ``field`` is the request field the file is for (``video``, ``audio``,
    ``lipsyncs[0].video``; ``file`` for a plain upload), ``path`` the file, ``sent`` the
    bytes sent by this attempt of ``total``, and ``attempt`` counts from 1: a retried
    request sends the file again from 0 with the next number.
    """

    field: str
    path: Path
    sent: int
    total: int
    attempt: int


class UploadEvents:
    """Opt in to ``UploadEvent`` objects: pass ``UploadEvents(handler)`` as the progress callback.

    A bare callable keeps receiving ``(sent, total)`` as before. ``on_asset_wait`` (optional)
    is ``assets.wait_until_ready``'s hook ``(asset_id, status, elapsed)``: called while HeyGen
    still processes an uploaded file, so a caller can say why nothing seems to happen.
    """

    def __init__(
        self, handler: Callable[[UploadEvent], Any], *, on_asset_wait: AssetWaitProgress | None = None
    ) -> None:
        self.handler = handler
        self.on_asset_wait = on_asset_wait

    def __call__(self, event: UploadEvent) -> Any:
        return self.handler(event)


UploadProgress = Callable[[int, int], Any] | UploadEvents
