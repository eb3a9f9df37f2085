"""What the server remembers of the batches it created: each item's title and video source.

The API reports a batch's items by index and lipsync id only; a person knows them as
"the French one" or "interview.mp4". Results of the batch tools carry these labels
where this server created the batch (in-memory, for the server's lifetime).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BatchItemLabel", "BatchMemory"]

_SOURCES = ("video_path", "video_url", "video_asset_id")


@dataclass(frozen=True)
class BatchItemLabel:
    """What the session knows of one batch item: the title and video source it was created with."""

    title: str | None
    source: str | None


@dataclass
class BatchMemory:
    """Labels of the items of the batches this server created, by batch id and item index."""

    labels: dict[str, tuple[BatchItemLabel, ...]] = field(default_factory=dict)

    def remember(self, batch_id: str, items: Sequence[Mapping[str, Any]]) -> None:
        """Keep each item's title and video source (the first of path, URL or asset id given)."""
        self.labels[batch_id] = tuple(
            BatchItemLabel(item.get("title"), next((str(item[k]) for k in _SOURCES if item.get(k)), None))
            for item in items
        )

    def label(self, batch_id: str, index: int | None) -> BatchItemLabel:
        """The item's label, empty when this session did not create the batch."""
        known = self.labels.get(batch_id, ())
        return known[index] if index is not None and 0 <= index < len(known) else BatchItemLabel(None, None)
