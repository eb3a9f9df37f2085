from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CompleteDirectUploadRequest")


@_attrs_define
class CompleteDirectUploadRequest:
    """Request body for POST /v3/assets/{asset_id}/complete."""

    checksum_sha256: None | str | Unset = UNSET
    """ Hex SHA-256 of the uploaded bytes """

    def to_dict(self) -> dict[str, Any]:
        checksum_sha256: None | str | Unset
        if isinstance(self.checksum_sha256, Unset):
            checksum_sha256 = UNSET
        else:
            checksum_sha256 = self.checksum_sha256

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if checksum_sha256 is not UNSET:
            field_dict["checksum_sha256"] = checksum_sha256

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_checksum_sha256(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        checksum_sha256 = _parse_checksum_sha256(d.pop("checksum_sha256", UNSET))

        complete_direct_upload_request = cls(
            checksum_sha256=checksum_sha256,
        )

        return complete_direct_upload_request
