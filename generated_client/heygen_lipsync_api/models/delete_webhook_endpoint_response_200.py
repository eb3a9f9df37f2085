from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.delete_webhook_endpoint_response_200_data import DeleteWebhookEndpointResponse200Data
    from ..models.delete_webhook_endpoint_response_200_error_type_0 import DeleteWebhookEndpointResponse200ErrorType0


T = TypeVar("T", bound="DeleteWebhookEndpointResponse200")


@_attrs_define
class DeleteWebhookEndpointResponse200:
    error: DeleteWebhookEndpointResponse200ErrorType0 | None | Unset = UNSET
    data: DeleteWebhookEndpointResponse200Data | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.delete_webhook_endpoint_response_200_error_type_0 import (
            DeleteWebhookEndpointResponse200ErrorType0,
        )

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, DeleteWebhookEndpointResponse200ErrorType0):
            error = self.error.to_dict()
        else:
            error = self.error

        data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if error is not UNSET:
            field_dict["error"] = error
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.delete_webhook_endpoint_response_200_data import DeleteWebhookEndpointResponse200Data
        from ..models.delete_webhook_endpoint_response_200_error_type_0 import (
            DeleteWebhookEndpointResponse200ErrorType0,
        )

        d = dict(src_dict)

        def _parse_error(data: object) -> DeleteWebhookEndpointResponse200ErrorType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = DeleteWebhookEndpointResponse200ErrorType0.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DeleteWebhookEndpointResponse200ErrorType0 | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        _data = d.pop("data", UNSET)
        data: DeleteWebhookEndpointResponse200Data | Unset
        if isinstance(_data, Unset):
            data = UNSET
        else:
            data = DeleteWebhookEndpointResponse200Data.from_dict(_data)

        delete_webhook_endpoint_response_200 = cls(
            error=error,
            data=data,
        )

        delete_webhook_endpoint_response_200.additional_properties = d
        return delete_webhook_endpoint_response_200

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
