"""What the store keeps: a job record, and how one is read back from a row of either backend."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

__all__ = ["FAILED_STATUSES", "JobRecord", "Row", "iso", "record_of"]

# Statuses that mean the job exists but will never produce a video: they do not block a new identical create.
FAILED_STATUSES = frozenset({"failed", "deleted", "not_found", "refused"})
T = TypeVar("T")


class Row(Protocol):
    """A row as either backend gives it: SQLite's ``sqlite3.Row`` or a Postgres ``dict``."""

    def keys(self) -> Any: ...

    def __getitem__(self, key: str, /) -> Any: ...


@dataclass(frozen=True)
class JobRecord:
    """One row of the ledger: a create (``kind`` lipsync or batch) or an upload."""

    id: int
    created_at: float
    updated_at: float
    kind: str
    base_url: str
    fingerprint: str | None
    idempotency_key: str | None
    inputs: dict[str, Any]
    hashes: dict[str, str]
    estimate_usd: float | None
    lipsync_id: str | None
    batch_id: str | None
    asset_id: str | None
    status: str
    downloads: list[dict[str, Any]] = field(default_factory=list)
    #: The process that is sending it ("host:pid"), while its status is ``sending``.
    owner: str | None = None
    #: What the job counts as against the daily spend cap (its estimate, else the unknown-length rule).
    counted_usd: float | None = None

    @property
    def remote_id(self) -> str | None:
        """The id HeyGen gave it (lipsync, batch or asset), once known."""
        return self.lipsync_id or self.batch_id or self.asset_id

    @property
    def outcome_unknown(self) -> bool:
        """Sent (or about to be) with no answer recorded: the job may or may not exist."""
        return self.remote_id is None and self.status in ("sending", "unknown")

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON (times as ISO 8601 UTC)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["created_at"] = iso(self.created_at)
        out["updated_at"] = iso(self.updated_at)
        out["title"] = self.inputs.get("title")
        out["mode"] = self.inputs.get("mode")
        out["output_path"] = self.downloads[-1]["path"] if self.downloads else None
        return out


def iso(when: float) -> str:
    """Epoch seconds as ISO 8601 UTC."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def _json(raw: Any, default: T) -> T:
    """A JSON column's value; ``default`` for a missing, malformed or mistyped one (rows other versions wrote)."""
    try:
        value = json.loads(raw) if isinstance(raw, str | bytes) else raw
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def record_of(row: Row) -> JobRecord:
    """A record from a row (SQLite's ``Row`` or a Postgres dict), tolerating missing columns and bad JSON.

    A bad row never breaks a command.
    """
    have = set(row.keys())

    def col(name: str, default: Any = None) -> Any:
        return row[name] if name in have else default

    estimate = col("estimate_usd")
    inputs: dict[str, Any] = _json(col("inputs", "{}"), {})
    counted = inputs.pop("counted_usd", None)  # kept beside the inputs, not one of them
    return JobRecord(
        id=int(col("id", 0) or 0),
        created_at=float(col("created_at", 0.0) or 0.0),
        updated_at=float(col("updated_at", 0.0) or 0.0),
        kind=str(col("kind", "lipsync") or "lipsync"),
        base_url=str(col("base_url", "") or ""),
        fingerprint=col("fingerprint"),
        idempotency_key=col("idempotency_key"),
        inputs=inputs,
        hashes=_json(col("hashes", "{}"), {}),
        estimate_usd=float(estimate) if isinstance(estimate, int | float) else None,
        lipsync_id=col("lipsync_id"),
        batch_id=col("batch_id"),
        asset_id=col("asset_id"),
        status=str(col("status", "unknown") or "unknown"),
        downloads=_json(col("downloads", "[]"), []),
        owner=col("owner"),
        counted_usd=float(counted) if isinstance(counted, int | float) else None,
    )
