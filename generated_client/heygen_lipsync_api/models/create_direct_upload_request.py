from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateDirectUploadRequest")


@_attrs_define
class CreateDirectUploadRequest:
    """Request body for POST /v3/assets/direct-uploads."""

    filename: str
    """ Name of the file being uploaded """
    content_type: str
    """ Media type of the file """
    size_bytes: int
    """ Exact size of the file in bytes """
    checksum_sha256: None | str | Unset = UNSET
    """ Hex SHA-256 of the file, verified on completion """

    def to_dict(self) -> dict[str, Any]:
        filename = self.filename

        content_type = self.content_type

        size_bytes = self.size_bytes

        checksum_sha256: None | str | Unset
        if isinstance(self.checksum_sha256, Unset):
            checksum_sha256 = UNSET
        else:
            checksum_sha256 = self.checksum_sha256

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "filename": filename,
                "content_type": content_type,
                "size_bytes": size_bytes,
            }
        )
        if checksum_sha256 is not UNSET:
            field_dict["checksum_sha256"] = checksum_sha256

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        filename = d.pop("filename")

        content_type = d.pop("content_type")

        size_bytes = d.pop("size_bytes")

        def _parse_checksum_sha256(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        checksum_sha256 = _parse_checksum_sha256(d.pop("checksum_sha256", UNSET))

        create_direct_upload_request = cls(
            filename=filename,
            content_type=content_type,
            size_bytes=size_bytes,
            checksum_sha256=checksum_sha256,
        )

        return create_direct_upload_request
