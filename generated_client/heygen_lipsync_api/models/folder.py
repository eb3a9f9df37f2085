from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Folder")


@_attrs_define
class Folder:
    """A folder of the caller's workspace."""

    folder_id: str
    """ The folder's id, for a create's folder_id or another folder's parent_id. """
    name: str
    """ The folder's name. """
    type_: str
    """ The kind of folder. Known values: mixed, video, video_translate; others may appear. """
    is_trash: bool
    """ Whether the folder is in the trash. """
    created_at: int
    """ When it was made (unix seconds). """
    updated_at: int
    """ When it last changed (unix seconds). """
    parent_id: None | str | Unset = UNSET
    """ The folder holding it; absent or null at the workspace root. """
    creator_username: None | str | Unset = UNSET
    """ Who in the workspace made it. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        folder_id = self.folder_id

        name = self.name

        type_ = self.type_

        is_trash = self.is_trash

        created_at = self.created_at

        updated_at = self.updated_at

        parent_id: None | str | Unset
        if isinstance(self.parent_id, Unset):
            parent_id = UNSET
        else:
            parent_id = self.parent_id

        creator_username: None | str | Unset
        if isinstance(self.creator_username, Unset):
            creator_username = UNSET
        else:
            creator_username = self.creator_username

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "folder_id": folder_id,
                "name": name,
                "type": type_,
                "is_trash": is_trash,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if parent_id is not UNSET:
            field_dict["parent_id"] = parent_id
        if creator_username is not UNSET:
            field_dict["creator_username"] = creator_username

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        folder_id = d.pop("folder_id")

        name = d.pop("name")

        type_ = d.pop("type")

        is_trash = d.pop("is_trash")

        created_at = d.pop("created_at")

        updated_at = d.pop("updated_at")

        def _parse_parent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent_id = _parse_parent_id(d.pop("parent_id", UNSET))

        def _parse_creator_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        creator_username = _parse_creator_username(d.pop("creator_username", UNSET))

        folder = cls(
            folder_id=folder_id,
            name=name,
            type_=type_,
            is_trash=is_trash,
            created_at=created_at,
            updated_at=updated_at,
            parent_id=parent_id,
            creator_username=creator_username,
        )

        folder.additional_properties = d
        return folder

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
