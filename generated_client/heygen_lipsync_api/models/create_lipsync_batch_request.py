from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_lipsync_request import CreateLipsyncRequest


T = TypeVar("T", bound="CreateLipsyncBatchRequest")


@_attrs_define
class CreateLipsyncBatchRequest:
    """Request body for POST /v3/lipsyncs/batches."""

    lipsyncs: list[CreateLipsyncRequest]
    """ The jobs to create, each a create-lipsync request body """
    title: None | str | Unset = UNSET
    """ Title of the batch """
    callback_url: None | str | Unset = UNSET
    """ Webhook URL called once, when every item of the batch has reached a terminal state (completed or failed) """

    def to_dict(self) -> dict[str, Any]:
        lipsyncs = []
        for lipsyncs_item_data in self.lipsyncs:
            lipsyncs_item = lipsyncs_item_data.to_dict()
            lipsyncs.append(lipsyncs_item)

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        callback_url: None | str | Unset
        if isinstance(self.callback_url, Unset):
            callback_url = UNSET
        else:
            callback_url = self.callback_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "lipsyncs": lipsyncs,
            }
        )
        if title is not UNSET:
            field_dict["title"] = title
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.create_lipsync_request import CreateLipsyncRequest

        d = dict(src_dict)
        lipsyncs = []
        _lipsyncs = d.pop("lipsyncs")
        for lipsyncs_item_data in _lipsyncs:
            lipsyncs_item = CreateLipsyncRequest.from_dict(lipsyncs_item_data)

            lipsyncs.append(lipsyncs_item)

        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))

        def _parse_callback_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        callback_url = _parse_callback_url(d.pop("callback_url", UNSET))

        create_lipsync_batch_request = cls(
            lipsyncs=lipsyncs,
            title=title,
            callback_url=callback_url,
        )

        return create_lipsync_batch_request
