from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="UpdateLipsyncRequest")


@_attrs_define
class UpdateLipsyncRequest:
    """Request body for PATCH /v3/lipsyncs/{lipsync_id}."""

    title: str
    """ The new title """

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        title = d.pop("title")

        update_lipsync_request = cls(
            title=title,
        )

        return update_lipsync_request
