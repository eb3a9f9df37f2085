from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AutoReloadInfo")


@_attrs_define
class AutoReloadInfo:
    """Automatic top-up of a wallet."""

    enabled: bool
    """ Whether the wallet is topped up automatically """
    threshold_usd: float | None | Unset = UNSET
    """ Balance, in USD, below which a top-up happens """
    amount_usd: float | None | Unset = UNSET
    """ Amount, in USD, of each top-up """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        threshold_usd: float | None | Unset
        if isinstance(self.threshold_usd, Unset):
            threshold_usd = UNSET
        else:
            threshold_usd = self.threshold_usd

        amount_usd: float | None | Unset
        if isinstance(self.amount_usd, Unset):
            amount_usd = UNSET
        else:
            amount_usd = self.amount_usd

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "enabled": enabled,
            }
        )
        if threshold_usd is not UNSET:
            field_dict["threshold_usd"] = threshold_usd
        if amount_usd is not UNSET:
            field_dict["amount_usd"] = amount_usd

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        enabled = d.pop("enabled")

        def _parse_threshold_usd(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        threshold_usd = _parse_threshold_usd(d.pop("threshold_usd", UNSET))

        def _parse_amount_usd(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        amount_usd = _parse_amount_usd(d.pop("amount_usd", UNSET))

        auto_reload_info = cls(
            enabled=enabled,
            threshold_usd=threshold_usd,
            amount_usd=amount_usd,
        )

        auto_reload_info.additional_properties = d
        return auto_reload_info

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
