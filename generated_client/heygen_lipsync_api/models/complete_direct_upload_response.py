from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CompleteDirectUploadResponse")


@_attrs_define
class CompleteDirectUploadResponse:
    """Response for POST /v3/assets/{asset_id}/complete."""

    asset_id: str
    """ Identifier to use in inputs of type asset_id """
    url: str
    """ URL of the stored asset """
    mime_type: str
    """ Media type detected from the file's content """
    size_bytes: int
    """ Size of the file in bytes """
    status: str
    """ Where the asset is, for example processing while HeyGen prepares it. HeyGen leaves it an open string: an
    asset may not be ready when this call returns. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        asset_id = self.asset_id

        url = self.url

        mime_type = self.mime_type

        size_bytes = self.size_bytes

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "asset_id": asset_id,
                "url": url,
                "mime_type": mime_type,
                "size_bytes": size_bytes,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        asset_id = d.pop("asset_id")

        url = d.pop("url")

        mime_type = d.pop("mime_type")

        size_bytes = d.pop("size_bytes")

        status = d.pop("status")

        complete_direct_upload_response = cls(
            asset_id=asset_id,
            url=url,
            mime_type=mime_type,
            size_bytes=size_bytes,
            status=status,
        )

        complete_direct_upload_response.additional_properties = d
        return complete_direct_upload_response

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
