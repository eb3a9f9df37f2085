"""Contains all the data models used in inputs/outputs"""

from .asset_delete_response import AssetDeleteResponse
from .asset_delete_response_envelope import AssetDeleteResponseEnvelope
from .asset_detail import AssetDetail
from .asset_detail_envelope import AssetDetailEnvelope
from .asset_id import AssetId
from .asset_status_entry import AssetStatusEntry
from .asset_url import AssetUrl
from .auto_reload_info import AutoReloadInfo
from .complete_direct_upload_request import CompleteDirectUploadRequest
from .complete_direct_upload_response import CompleteDirectUploadResponse
from .complete_direct_upload_response_envelope import CompleteDirectUploadResponseEnvelope
from .counts_by_status import CountsByStatus
from .create_direct_upload_request import CreateDirectUploadRequest
from .create_lipsync_batch_request import CreateLipsyncBatchRequest
from .create_lipsync_request import CreateLipsyncRequest
from .credit_pool import CreditPool
from .direct_upload_response import DirectUploadResponse
from .direct_upload_response_envelope import DirectUploadResponseEnvelope
from .error_envelope import ErrorEnvelope
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
from .standard_api_error import StandardAPIError
from .subscription_credits import SubscriptionCredits
from .subscription_info import SubscriptionInfo
from .update_lipsync_request import UpdateLipsyncRequest
from .upload_asset_body import UploadAssetBody
from .upload_asset_v3_response import UploadAssetV3Response
from .upload_asset_v3_response_envelope import UploadAssetV3ResponseEnvelope
from .upload_headers import UploadHeaders
from .usage_based_info import UsageBasedInfo
from .user_info_response import UserInfoResponse
from .user_info_response_envelope import UserInfoResponseEnvelope
from .video_translation_mode import VideoTranslationMode
from .wallet_info import WalletInfo

__all__ = (
    "AssetDeleteResponse",
    "AssetDeleteResponseEnvelope",
    "AssetDetail",
    "AssetDetailEnvelope",
    "AssetId",
    "AssetStatusEntry",
    "AssetUrl",
    "AutoReloadInfo",
    "CompleteDirectUploadRequest",
    "CompleteDirectUploadResponse",
    "CompleteDirectUploadResponseEnvelope",
    "CountsByStatus",
    "CreateDirectUploadRequest",
    "CreateLipsyncBatchRequest",
    "CreateLipsyncRequest",
    "CreditPool",
    "DirectUploadResponse",
    "DirectUploadResponseEnvelope",
    "ErrorEnvelope",
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
    "StandardAPIError",
    "SubscriptionCredits",
    "SubscriptionInfo",
    "UpdateLipsyncRequest",
    "UploadAssetBody",
    "UploadAssetV3Response",
    "UploadAssetV3ResponseEnvelope",
    "UploadHeaders",
    "UsageBasedInfo",
    "UserInfoResponse",
    "UserInfoResponseEnvelope",
    "VideoTranslationMode",
    "WalletInfo",
)
