"""The sandbox's routes, one module per resource; `build_routes` lists them in matching order.

- `lipsyncs`: `/v3/lipsyncs`, `/v3/lipsyncs/{id}`
- `batches`: `/v3/lipsyncs/batches`, `/v3/lipsyncs/batches/{id}`
- `statuses`: `/v3/lipsyncs/statuses`
- `assets`: `/v3/assets`, direct uploads, complete, asset get/delete/statuses, and the
  presigned PUT `/_sandbox/uploads/{id}`
- `asset_batches`: `/v3/assets/direct-uploads/batches`, `/v3/assets/complete/batches`, `/v3/assets/batches/{id}`
- `users`: `/v3/users/me`
- `folders`: `/v3/folders`, `/v3/folders/{id}` (and `/_sandbox/folders/{id}/trash`)
- `webhook_endpoints`: `/v3/webhooks/endpoints`, `.../{id}`, `.../{id}/rotate-secret`, event types, events
- `internal`: `/_sandbox/assets/{id}`, `/_sandbox/outputs/{name}`, `/_sandbox/faults`, `/_sandbox/info`
"""

from __future__ import annotations

from starlette.routing import Route

from heygen_lipsync.sandbox.context import Services
from heygen_lipsync.sandbox.routes.asset_batches import AssetBatchRoutes
from heygen_lipsync.sandbox.routes.assets import AssetRoutes
from heygen_lipsync.sandbox.routes.batches import BatchRoutes
from heygen_lipsync.sandbox.routes.folders import FolderRoutes
from heygen_lipsync.sandbox.routes.internal import InternalRoutes
from heygen_lipsync.sandbox.routes.lipsyncs import LipsyncRoutes
from heygen_lipsync.sandbox.routes.statuses import StatusRoutes
from heygen_lipsync.sandbox.routes.users import UserRoutes
from heygen_lipsync.sandbox.routes.webhook_endpoints import WebhookRoutes

__all__ = ["build_routes"]


def build_routes(sb: Services) -> list[Route]:
    """Every route of the sandbox; fixed sub-paths of /v3/lipsyncs come before `{lipsync_id}`."""
    lipsyncs = LipsyncRoutes(sb)
    assets = AssetRoutes(sb)
    batches = AssetBatchRoutes(sb, assets)
    assets.batch_items = batches.items_of  # GET /v3/assets/statuses?batch_ids= reads the upload batches
    return [
        *lipsyncs.routes(),
        *StatusRoutes(sb).routes(),
        *BatchRoutes(sb).routes(),
        *lipsyncs.item_routes(),
        *batches.routes(),
        *assets.routes(),
        *UserRoutes(sb).routes(),
        *FolderRoutes(sb).routes(),
        *WebhookRoutes(sb).routes(),
        *InternalRoutes(sb).routes(),
    ]
