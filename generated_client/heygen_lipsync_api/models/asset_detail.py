from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AssetDetail")


@_attrs_define
class AssetDetail:
    """One asset of the caller's workspace."""

    id: str
    """ Identifier of the asset """
    name: str
    """ Display name of the asset """
    type_: str
    """ Kind of file, for example image, video or audio """
    owner: str
    """ Username of the account that uploaded it """
    space_id: str
    """ Identifier of the workspace the asset belongs to """
    uploaded_at: int
    """ Upload time, in Unix seconds """
    url: None | str | Unset = UNSET
    """ URL to fetch the asset; null when none can be made """
    folder_id: None | str | Unset = UNSET
    """ Folder holding the asset; null at the top of the workspace """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        type_ = self.type_

        owner = self.owner

        space_id = self.space_id

        uploaded_at = self.uploaded_at

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        folder_id: None | str | Unset
        if isinstance(self.folder_id, Unset):
            folder_id = UNSET
        else:
            folder_id = self.folder_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "type": type_,
                "owner": owner,
                "space_id": space_id,
                "uploaded_at": uploaded_at,
            }
        )
        if url is not UNSET:
            field_dict["url"] = url
        if folder_id is not UNSET:
            field_dict["folder_id"] = folder_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        type_ = d.pop("type")

        owner = d.pop("owner")

        space_id = d.pop("space_id")

        uploaded_at = d.pop("uploaded_at")

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        def _parse_folder_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        folder_id = _parse_folder_id(d.pop("folder_id", UNSET))

        asset_detail = cls(
            id=id,
            name=name,
            type_=type_,
            owner=owner,
            space_id=space_id,
            uploaded_at=uploaded_at,
            url=url,
            folder_id=folder_id,
        )

        asset_detail.additional_properties = d
        return asset_detail

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
