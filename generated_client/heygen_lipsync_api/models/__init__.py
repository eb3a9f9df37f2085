"""Contains all the data models used in inputs/outputs

Each model's module loads on first use (PEP 562): importing one operation loads only the
models it needs, not all of them. Type checkers see every import below.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .asset_batch_detail import AssetBatchDetail
    from .asset_batch_detail_counts_by_status import AssetBatchDetailCountsByStatus
    from .asset_batch_detail_envelope import AssetBatchDetailEnvelope
    from .asset_batch_item import AssetBatchItem
    from .asset_delete_response import AssetDeleteResponse
    from .asset_delete_response_envelope import AssetDeleteResponseEnvelope
    from .asset_detail import AssetDetail
    from .asset_detail_envelope import AssetDetailEnvelope
    from .asset_id import AssetId
    from .asset_status_entry import AssetStatusEntry
    from .asset_upload_batch_accepted import AssetUploadBatchAccepted
    from .asset_upload_batch_accepted_envelope import AssetUploadBatchAcceptedEnvelope
    from .asset_upload_batch_response import AssetUploadBatchResponse
    from .asset_upload_batch_response_envelope import AssetUploadBatchResponseEnvelope
    from .asset_url import AssetUrl
    from .auto_reload_info import AutoReloadInfo
    from .complete_asset_upload_batch_request import CompleteAssetUploadBatchRequest
    from .complete_direct_upload_request import CompleteDirectUploadRequest
    from .complete_direct_upload_response import CompleteDirectUploadResponse
    from .complete_direct_upload_response_envelope import CompleteDirectUploadResponseEnvelope
    from .counts_by_status import CountsByStatus
    from .create_asset_upload_batch_request import CreateAssetUploadBatchRequest
    from .create_direct_upload_request import CreateDirectUploadRequest
    from .create_folder_request import CreateFolderRequest
    from .create_folder_request_type import CreateFolderRequestType
    from .create_lipsync_batch_request import CreateLipsyncBatchRequest
    from .create_lipsync_request import CreateLipsyncRequest
    from .create_webhook_endpoint_request import CreateWebhookEndpointRequest
    from .credit_pool import CreditPool
    from .delete_webhook_endpoint_response_200 import DeleteWebhookEndpointResponse200
    from .delete_webhook_endpoint_response_200_data import DeleteWebhookEndpointResponse200Data
    from .delete_webhook_endpoint_response_200_error_type_0 import DeleteWebhookEndpointResponse200ErrorType0
    from .direct_upload_response import DirectUploadResponse
    from .direct_upload_response_envelope import DirectUploadResponseEnvelope
    from .error_envelope import ErrorEnvelope
    from .event_data import EventData
    from .folder import Folder
    from .folder_envelope import FolderEnvelope
    from .get_lipsync_statuses_v3_response_200 import GetLipsyncStatusesV3Response200
    from .item_error import ItemError
    from .lipsync_batch_create_response import LipsyncBatchCreateResponse
    from .lipsync_batch_create_response_envelope import LipsyncBatchCreateResponseEnvelope
    from .lipsync_batch_detail import LipsyncBatchDetail
    from .lipsync_batch_detail_envelope import LipsyncBatchDetailEnvelope
    from .lipsync_batch_item import LipsyncBatchItem
    from .lipsync_create_response import LipsyncCreateResponse
    from .lipsync_create_response_envelope import LipsyncCreateResponseEnvelope
    from .lipsync_delete_response import LipsyncDeleteResponse
    from .lipsync_delete_response_envelope import LipsyncDeleteResponseEnvelope
    from .lipsync_detail import LipsyncDetail
    from .lipsync_detail_envelope import LipsyncDetailEnvelope
    from .lipsync_status_entry import LipsyncStatusEntry
    from .list_asset_statuses_v3_response_200 import ListAssetStatusesV3Response200
    from .list_lipsyncs_v3_response_200 import ListLipsyncsV3Response200
    from .list_webhook_endpoints_response_200 import ListWebhookEndpointsResponse200
    from .list_webhook_event_types_response_200 import ListWebhookEventTypesResponse200
    from .list_webhook_events_event_type import ListWebhookEventsEventType
    from .list_webhook_events_response_200 import ListWebhookEventsResponse200
    from .rotate_secret_response_data import RotateSecretResponseData
    from .rotate_secret_response_data_envelope import RotateSecretResponseDataEnvelope
    from .standard_api_error import StandardAPIError
    from .subscription_credits import SubscriptionCredits
    from .subscription_info import SubscriptionInfo
    from .update_lipsync_request import UpdateLipsyncRequest
    from .update_webhook_endpoint_request import UpdateWebhookEndpointRequest
    from .upload_asset_body import UploadAssetBody
    from .upload_asset_v3_response import UploadAssetV3Response
    from .upload_asset_v3_response_envelope import UploadAssetV3ResponseEnvelope
    from .upload_headers import UploadHeaders
    from .usage_based_info import UsageBasedInfo
    from .user_info_response import UserInfoResponse
    from .user_info_response_envelope import UserInfoResponseEnvelope
    from .video_translation_mode import VideoTranslationMode
    from .wallet_info import WalletInfo
    from .webhook_endpoint_response import WebhookEndpointResponse
    from .webhook_endpoint_response_envelope import WebhookEndpointResponseEnvelope
    from .webhook_event_response import WebhookEventResponse
    from .webhook_event_type import WebhookEventType
    from .webhook_event_type_item import WebhookEventTypeItem

# Each model's name, and the module it is defined in.
_MODULES = {
    "AssetBatchDetail": ".asset_batch_detail",
    "AssetBatchDetailCountsByStatus": ".asset_batch_detail_counts_by_status",
    "AssetBatchDetailEnvelope": ".asset_batch_detail_envelope",
    "AssetBatchItem": ".asset_batch_item",
    "AssetDeleteResponse": ".asset_delete_response",
    "AssetDeleteResponseEnvelope": ".asset_delete_response_envelope",
    "AssetDetail": ".asset_detail",
    "AssetDetailEnvelope": ".asset_detail_envelope",
    "AssetId": ".asset_id",
    "AssetStatusEntry": ".asset_status_entry",
    "AssetUploadBatchAccepted": ".asset_upload_batch_accepted",
    "AssetUploadBatchAcceptedEnvelope": ".asset_upload_batch_accepted_envelope",
    "AssetUploadBatchResponse": ".asset_upload_batch_response",
    "AssetUploadBatchResponseEnvelope": ".asset_upload_batch_response_envelope",
    "AssetUrl": ".asset_url",
    "AutoReloadInfo": ".auto_reload_info",
    "CompleteAssetUploadBatchRequest": ".complete_asset_upload_batch_request",
    "CompleteDirectUploadRequest": ".complete_direct_upload_request",
    "CompleteDirectUploadResponse": ".complete_direct_upload_response",
    "CompleteDirectUploadResponseEnvelope": ".complete_direct_upload_response_envelope",
    "CountsByStatus": ".counts_by_status",
    "CreateAssetUploadBatchRequest": ".create_asset_upload_batch_request",
    "CreateDirectUploadRequest": ".create_direct_upload_request",
    "CreateFolderRequest": ".create_folder_request",
    "CreateFolderRequestType": ".create_folder_request_type",
    "CreateLipsyncBatchRequest": ".create_lipsync_batch_request",
    "CreateLipsyncRequest": ".create_lipsync_request",
    "CreateWebhookEndpointRequest": ".create_webhook_endpoint_request",
    "CreditPool": ".credit_pool",
    "DeleteWebhookEndpointResponse200": ".delete_webhook_endpoint_response_200",
    "DeleteWebhookEndpointResponse200Data": ".delete_webhook_endpoint_response_200_data",
    "DeleteWebhookEndpointResponse200ErrorType0": ".delete_webhook_endpoint_response_200_error_type_0",
    "DirectUploadResponse": ".direct_upload_response",
    "DirectUploadResponseEnvelope": ".direct_upload_response_envelope",
    "ErrorEnvelope": ".error_envelope",
    "EventData": ".event_data",
    "Folder": ".folder",
    "FolderEnvelope": ".folder_envelope",
    "GetLipsyncStatusesV3Response200": ".get_lipsync_statuses_v3_response_200",
    "ItemError": ".item_error",
    "LipsyncBatchCreateResponse": ".lipsync_batch_create_response",
    "LipsyncBatchCreateResponseEnvelope": ".lipsync_batch_create_response_envelope",
    "LipsyncBatchDetail": ".lipsync_batch_detail",
    "LipsyncBatchDetailEnvelope": ".lipsync_batch_detail_envelope",
    "LipsyncBatchItem": ".lipsync_batch_item",
    "LipsyncCreateResponse": ".lipsync_create_response",
    "LipsyncCreateResponseEnvelope": ".lipsync_create_response_envelope",
    "LipsyncDeleteResponse": ".lipsync_delete_response",
    "LipsyncDeleteResponseEnvelope": ".lipsync_delete_response_envelope",
    "LipsyncDetail": ".lipsync_detail",
    "LipsyncDetailEnvelope": ".lipsync_detail_envelope",
    "LipsyncStatusEntry": ".lipsync_status_entry",
    "ListAssetStatusesV3Response200": ".list_asset_statuses_v3_response_200",
    "ListLipsyncsV3Response200": ".list_lipsyncs_v3_response_200",
    "ListWebhookEndpointsResponse200": ".list_webhook_endpoints_response_200",
    "ListWebhookEventTypesResponse200": ".list_webhook_event_types_response_200",
    "ListWebhookEventsEventType": ".list_webhook_events_event_type",
    "ListWebhookEventsResponse200": ".list_webhook_events_response_200",
    "RotateSecretResponseData": ".rotate_secret_response_data",
    "RotateSecretResponseDataEnvelope": ".rotate_secret_response_data_envelope",
    "StandardAPIError": ".standard_api_error",
    "SubscriptionCredits": ".subscription_credits",
    "SubscriptionInfo": ".subscription_info",
    "UpdateLipsyncRequest": ".update_lipsync_request",
    "UpdateWebhookEndpointRequest": ".update_webhook_endpoint_request",
    "UploadAssetBody": ".upload_asset_body",
    "UploadAssetV3Response": ".upload_asset_v3_response",
    "UploadAssetV3ResponseEnvelope": ".upload_asset_v3_response_envelope",
    "UploadHeaders": ".upload_headers",
    "UsageBasedInfo": ".usage_based_info",
    "UserInfoResponse": ".user_info_response",
    "UserInfoResponseEnvelope": ".user_info_response_envelope",
    "VideoTranslationMode": ".video_translation_mode",
    "WalletInfo": ".wallet_info",
    "WebhookEndpointResponse": ".webhook_endpoint_response",
    "WebhookEndpointResponseEnvelope": ".webhook_endpoint_response_envelope",
    "WebhookEventResponse": ".webhook_event_response",
    "WebhookEventType": ".webhook_event_type",
    "WebhookEventTypeItem": ".webhook_event_type_item",
}

__all__ = (
    "AssetBatchDetail",
    "AssetBatchDetailCountsByStatus",
    "AssetBatchDetailEnvelope",
    "AssetBatchItem",
    "AssetDeleteResponse",
    "AssetDeleteResponseEnvelope",
    "AssetDetail",
    "AssetDetailEnvelope",
    "AssetId",
    "AssetStatusEntry",
    "AssetUploadBatchAccepted",
    "AssetUploadBatchAcceptedEnvelope",
    "AssetUploadBatchResponse",
    "AssetUploadBatchResponseEnvelope",
    "AssetUrl",
    "AutoReloadInfo",
    "CompleteAssetUploadBatchRequest",
    "CompleteDirectUploadRequest",
    "CompleteDirectUploadResponse",
    "CompleteDirectUploadResponseEnvelope",
    "CountsByStatus",
    "CreateAssetUploadBatchRequest",
    "CreateDirectUploadRequest",
    "CreateFolderRequest",
    "CreateFolderRequestType",
    "CreateLipsyncBatchRequest",
    "CreateLipsyncRequest",
    "CreateWebhookEndpointRequest",
    "CreditPool",
    "DeleteWebhookEndpointResponse200",
    "DeleteWebhookEndpointResponse200Data",
    "DeleteWebhookEndpointResponse200ErrorType0",
    "DirectUploadResponse",
    "DirectUploadResponseEnvelope",
    "ErrorEnvelope",
    "EventData",
    "Folder",
    "FolderEnvelope",
    "GetLipsyncStatusesV3Response200",
    "ItemError",
    "LipsyncBatchCreateResponse",
    "LipsyncBatchCreateResponseEnvelope",
    "LipsyncBatchDetail",
    "LipsyncBatchDetailEnvelope",
    "LipsyncBatchItem",
    "LipsyncCreateResponse",
    "LipsyncCreateResponseEnvelope",
    "LipsyncDeleteResponse",
    "LipsyncDeleteResponseEnvelope",
    "LipsyncDetail",
    "LipsyncDetailEnvelope",
    "LipsyncStatusEntry",
    "ListAssetStatusesV3Response200",
    "ListLipsyncsV3Response200",
    "ListWebhookEndpointsResponse200",
    "ListWebhookEventTypesResponse200",
    "ListWebhookEventsEventType",
    "ListWebhookEventsResponse200",
    "RotateSecretResponseData",
    "RotateSecretResponseDataEnvelope",
    "StandardAPIError",
    "SubscriptionCredits",
    "SubscriptionInfo",
    "UpdateLipsyncRequest",
    "UpdateWebhookEndpointRequest",
    "UploadAssetBody",
    "UploadAssetV3Response",
    "UploadAssetV3ResponseEnvelope",
    "UploadHeaders",
    "UsageBasedInfo",
    "UserInfoResponse",
    "UserInfoResponseEnvelope",
    "VideoTranslationMode",
    "WalletInfo",
    "WebhookEndpointResponse",
    "WebhookEndpointResponseEnvelope",
    "WebhookEventResponse",
    "WebhookEventType",
    "WebhookEventTypeItem",
)


def __getattr__(name: str) -> Any:
    try:
        module = _MODULES[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
