from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.event_data import EventData


T = TypeVar("T", bound="WebhookEventResponse")


@_attrs_define
class WebhookEventResponse:
    """A delivered webhook event."""

    event_id: str
    """ Unique identifier for this event delivery. """
    event_type: str
    """ The event type, e.g. 'avatar_video.success'. """
    event_data: EventData
    """ The event payload data. """
    created_at: str
    """ ISO 8601 timestamp when the event was created. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_id = self.event_id

        event_type = self.event_type

        event_data = self.event_data.to_dict()

        created_at = self.created_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event_id": event_id,
                "event_type": event_type,
                "event_data": event_data,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_data import EventData

        d = dict(src_dict)
        event_id = d.pop("event_id")

        event_type = d.pop("event_type")

        event_data = EventData.from_dict(d.pop("event_data"))

        created_at = d.pop("created_at")

        webhook_event_response = cls(
            event_id=event_id,
            event_type=event_type,
            event_data=event_data,
            created_at=created_at,
        )

        webhook_event_response.additional_properties = d
        return webhook_event_response

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
