from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.item_error import ItemError


T = TypeVar("T", bound="LipsyncStatusEntry")


@_attrs_define
class LipsyncStatusEntry:
    """The status of one lipsync or batch item. Ids that were not found are reported with status not_found."""

    status: str
    """ Where the job is: queued, processing, completed or failed, or not_found for an id that does not exist or is
    not the caller's. HeyGen leaves it an open string; other values may appear. """
    video_id: None | str | Unset = UNSET
    """ Identifier of the lipsync """
    batch_id: None | str | Unset = UNSET
    """ Identifier of the batch the entry belongs to """
    item_index: int | None | Unset = UNSET
    """ Position of the entry in its batch """
    error: ItemError | None | Unset = UNSET
    """ Why the job failed (an object, not a string); set only when failed """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.item_error import ItemError

        status = self.status

        video_id: None | str | Unset
        if isinstance(self.video_id, Unset):
            video_id = UNSET
        else:
            video_id = self.video_id

        batch_id: None | str | Unset
        if isinstance(self.batch_id, Unset):
            batch_id = UNSET
        else:
            batch_id = self.batch_id

        item_index: int | None | Unset
        if isinstance(self.item_index, Unset):
            item_index = UNSET
        else:
            item_index = self.item_index

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, ItemError):
            error = self.error.to_dict()
        else:
            error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if video_id is not UNSET:
            field_dict["video_id"] = video_id
        if batch_id is not UNSET:
            field_dict["batch_id"] = batch_id
        if item_index is not UNSET:
            field_dict["item_index"] = item_index
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.item_error import ItemError

        d = dict(src_dict)
        status = d.pop("status")

        def _parse_video_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        video_id = _parse_video_id(d.pop("video_id", UNSET))

        def _parse_batch_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        batch_id = _parse_batch_id(d.pop("batch_id", UNSET))

        def _parse_item_index(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        item_index = _parse_item_index(d.pop("item_index", UNSET))

        def _parse_error(data: object) -> ItemError | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = ItemError.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ItemError | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        lipsync_status_entry = cls(
            status=status,
            video_id=video_id,
            batch_id=batch_id,
            item_index=item_index,
            error=error,
        )

        lipsync_status_entry.additional_properties = d
        return lipsync_status_entry

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
