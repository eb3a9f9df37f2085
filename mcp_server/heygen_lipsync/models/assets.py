"""The asset and account models: uploads, their statuses, the wallet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from heygen_lipsync.models._read import _float, _int, _mapping, _str
from heygen_lipsync.models.lipsyncs import ASSET_WAITING_STATUSES, ItemError, _error_dict

__all__ = ["Account", "Asset", "AssetDetail", "AssetStatus", "Wallet"]


@dataclass(frozen=True)
class Asset:
    """An uploaded asset, usable as ``AssetSource(asset.asset_id)``."""

    asset_id: str
    url: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Asset:
        """Build from the API's JSON object."""
        data = _mapping(data)
        return cls(
            asset_id=_str(data.get("asset_id")) or "",
            url=_str(data.get("url")),
            mime_type=_str(data.get("mime_type")),
            size_bytes=_int(data.get("size_bytes")),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the API's field names."""
        return {"asset_id": self.asset_id, "url": self.url, "mime_type": self.mime_type, "size_bytes": self.size_bytes}


@dataclass(frozen=True)
class AssetDetail:
    """One asset of the workspace (GET /v3/assets/{asset_id})."""

    id: str
    name: str | None = None
    type: str | None = None
    owner: str | None = None
    space_id: str | None = None
    uploaded_at: int | None = None
    url: str | None = None
    folder_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _KNOWN = ("id", "name", "type", "owner", "space_id", "uploaded_at", "url", "folder_id")

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> AssetDetail:
        """Build from the API's JSON object, unknown fields kept in ``extra``."""
        data = _mapping(data)
        return cls(
            id=_str(data.get("id")) or "",
            name=_str(data.get("name")),
            type=_str(data.get("type")),
            owner=_str(data.get("owner")),
            space_id=_str(data.get("space_id")),
            uploaded_at=_int(data.get("uploaded_at")),
            url=_str(data.get("url")),
            folder_id=_str(data.get("folder_id")),
            extra={k: v for k, v in data.items() if k not in cls._KNOWN},
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the API's field names (unknown fields included)."""
        out: dict[str, Any] = dict(self.extra)
        out.update({name: getattr(self, name) for name in self._KNOWN})
        return out


@dataclass(frozen=True)
class AssetStatus:
    """One row of GET /v3/assets/statuses; ``asset_id`` is the API's ``video_id``."""

    status: str
    asset_id: str | None = None
    batch_id: str | None = None
    error: ItemError | None = None

    @property
    def is_waiting(self) -> bool:
        """True while the asset is not ready for a create (still uploading or processing)."""
        return self.status in ASSET_WAITING_STATUSES

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> AssetStatus:
        """Build from the API's JSON object."""
        data = _mapping(data)
        return cls(
            status=_str(data.get("status")) or "unknown",
            asset_id=_str(data.get("video_id")),
            batch_id=_str(data.get("batch_id")),
            error=ItemError.from_api(data.get("error")),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the API's field names (``video_id`` holds the asset id)."""
        return {
            "video_id": self.asset_id,
            "status": self.status,
            "batch_id": self.batch_id,
            "error": _error_dict(self.error),
        }


@dataclass(frozen=True)
class Wallet:
    """A prepaid balance: ``currency`` is ``usd`` or ``credits`` (others may appear)."""

    currency: str | None = None
    remaining_balance: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the API's field names."""
        return {"currency": self.currency, "remaining_balance": self.remaining_balance}


@dataclass(frozen=True)
class Account:
    """The account behind the credentials (GET /v3/users/me) and what it has left to spend.

    ``billing_type`` says which of ``wallet`` (API keys: a prepaid balance),
    ``subscription`` (a web plan's credit pools) and ``usage_based`` is set; the last two
    are kept as HeyGen sends them, and ``raw`` is the whole ``data`` object.
    """

    username: str | None = None
    email: str | None = None
    billing_type: str | None = None
    wallet: Wallet | None = None
    subscription: dict[str, Any] | None = None
    usage_based: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def plan(self) -> str | None:
        """The web plan's name, when billed by subscription."""
        plan = (self.subscription or {}).get("plan")
        if isinstance(plan, Mapping):
            return _str(plan.get("name")) or _str(plan.get("tier"))
        return _str(plan)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Account:
        """Build from the API's JSON object, whatever billing it describes."""
        data = _mapping(data)
        raw_wallet = data.get("wallet")
        wallet = None
        if isinstance(raw_wallet, Mapping):
            balance = _float(raw_wallet.get("remaining_balance"))
            wallet = Wallet(currency=_str(raw_wallet.get("currency")), remaining_balance=balance)
        subscription, usage = data.get("subscription"), data.get("usage_based")
        return cls(
            username=_str(data.get("username")),
            email=_str(data.get("email")),
            billing_type=_str(data.get("billing_type")),
            wallet=wallet,
            subscription=dict(subscription) if isinstance(subscription, Mapping) else None,
            usage_based=dict(usage) if isinstance(usage, Mapping) else None,
            raw=dict(data),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: HeyGen's fields as it sent them."""
        return dict(self.raw)
