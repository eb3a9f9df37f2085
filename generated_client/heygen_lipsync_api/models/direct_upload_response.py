from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.upload_headers import UploadHeaders


T = TypeVar("T", bound="DirectUploadResponse")


@_attrs_define
class DirectUploadResponse:
    """Where and how to PUT the file's bytes."""

    asset_id: str
    """ Identifier of the asset being uploaded """
    upload_url: str
    """ Presigned URL to PUT the bytes to, without authentication """
    upload_headers: UploadHeaders
    """ Headers to send verbatim with the PUT """
    expires_in_seconds: int
    """ Seconds until upload_url expires """
    max_bytes: int
    """ Largest number of bytes the PUT may carry """
    status: str
    """ Where the upload is; pending_upload when the upload is created """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        asset_id = self.asset_id

        upload_url = self.upload_url

        upload_headers = self.upload_headers.to_dict()

        expires_in_seconds = self.expires_in_seconds

        max_bytes = self.max_bytes

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "asset_id": asset_id,
                "upload_url": upload_url,
                "upload_headers": upload_headers,
                "expires_in_seconds": expires_in_seconds,
                "max_bytes": max_bytes,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.upload_headers import UploadHeaders

        d = dict(src_dict)
        asset_id = d.pop("asset_id")

        upload_url = d.pop("upload_url")

        upload_headers = UploadHeaders.from_dict(d.pop("upload_headers"))

        expires_in_seconds = d.pop("expires_in_seconds")

        max_bytes = d.pop("max_bytes")

        status = d.pop("status")

        direct_upload_response = cls(
            asset_id=asset_id,
            upload_url=upload_url,
            upload_headers=upload_headers,
            expires_in_seconds=expires_in_seconds,
            max_bytes=max_bytes,
            status=status,
        )

        direct_upload_response.additional_properties = d
        return direct_upload_response

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
