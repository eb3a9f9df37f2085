from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.asset_batch_detail_counts_by_status import AssetBatchDetailCountsByStatus
    from ..models.asset_batch_item import AssetBatchItem


T = TypeVar("T", bound="AssetBatchDetail")


@_attrs_define
class AssetBatchDetail:
    """An upload batch, its progress, and one page of its files."""

    batch_id: str
    """ Identifier of the batch. """
    status: str
    """ Known values: processing, completed, failed; others may appear. """
    total_items: int
    """ Number of files in the batch. """
    counts_by_status: AssetBatchDetailCountsByStatus
    """ Number of files in each status. """
    created_at: int
    """ Creation time, in Unix seconds. """
    items: list[AssetBatchItem]
    """ One page of the batch's files, by item_index. """
    has_more: bool
    """ True when more files follow this page. """
    title: None | str | Unset = UNSET
    """ Title of the batch. """
    next_token: None | str | Unset = UNSET
    """ Cursor to pass as token for the next page. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        batch_id = self.batch_id

        status = self.status

        total_items = self.total_items

        counts_by_status = self.counts_by_status.to_dict()

        created_at = self.created_at

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        has_more = self.has_more

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        next_token: None | str | Unset
        if isinstance(self.next_token, Unset):
            next_token = UNSET
        else:
            next_token = self.next_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "batch_id": batch_id,
                "status": status,
                "total_items": total_items,
                "counts_by_status": counts_by_status,
                "created_at": created_at,
                "items": items,
                "has_more": has_more,
            }
        )
        if title is not UNSET:
            field_dict["title"] = title
        if next_token is not UNSET:
            field_dict["next_token"] = next_token

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.asset_batch_detail_counts_by_status import AssetBatchDetailCountsByStatus
        from ..models.asset_batch_item import AssetBatchItem

        d = dict(src_dict)
        batch_id = d.pop("batch_id")

        status = d.pop("status")

        total_items = d.pop("total_items")

        counts_by_status = AssetBatchDetailCountsByStatus.from_dict(d.pop("counts_by_status"))

        created_at = d.pop("created_at")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = AssetBatchItem.from_dict(items_item_data)

            items.append(items_item)

        has_more = d.pop("has_more")

        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))

        def _parse_next_token(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_token = _parse_next_token(d.pop("next_token", UNSET))

        asset_batch_detail = cls(
            batch_id=batch_id,
            status=status,
            total_items=total_items,
            counts_by_status=counts_by_status,
            created_at=created_at,
            items=items,
            has_more=has_more,
            title=title,
            next_token=next_token,
        )

        asset_batch_detail.additional_properties = d
        return asset_batch_detail

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
