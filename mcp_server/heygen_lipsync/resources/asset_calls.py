"""The asset, account, folder and webhook operations of the client, and what it remembers of its uploads."""

from __future__ import annotations

import builtins
import logging
from collections.abc import Sequence

from heygen_lipsync._transport.responses import data_of
from heygen_lipsync.checks import check_id as _check_id
from heygen_lipsync.errors import (
    ValidationError,
)
from heygen_lipsync.media.probe import MediaProbe, probe_if_unchanged
from heygen_lipsync.models import (
    Account,
    AssetDetail,
    AssetStatus,
)
from heygen_lipsync.resources import assets, folders, webhooks
from heygen_lipsync.resources.folders import Folder
from heygen_lipsync.resources.lipsync_calls import LipsyncCalls
from heygen_lipsync.resources.webhooks import WebhookEndpoint, WebhookEvent, WebhookEventType

logger = logging.getLogger("heygen_lipsync")


class AssetCalls(LipsyncCalls):
    """The asset, account, folder and webhook operations of the client, and what it remembers of its uploads."""

    def remember_probe(self, asset_id: str, probe: MediaProbe) -> None:
        """Remember what the file uploaded as ``asset_id`` holds, so preflight can price jobs using it.

        Kept in this client and, when the ledger is on and recorded the upload, in the ledger
        (by the file's SHA-256), so later processes of this install price the asset too.
        """
        self._probes[asset_id] = probe
        if self.ledger is not None:
            self.ledger.remember_asset_probe(asset_id, probe.to_dict())

    def remembered_probe(self, asset_id: str) -> MediaProbe | None:
        """What the file uploaded as ``asset_id`` holds (by this client, or recorded in the ledger), or None.

        The first call for an upload probes its file with PyAV (it blocks: servers call it off
        their event loop), if the file is still as it was uploaded (same size and modification
        time); then the probe is remembered. None for assets this install did not upload.
        """
        probe = self._probes.get(asset_id)
        if probe is None and self.ledger is not None:
            stored = self.ledger.probe_for_asset(asset_id)
            try:
                probe = MediaProbe.from_dict(stored) if stored is not None else None
            except (KeyError, TypeError, ValueError):  # a row written by another version: unknown, not an error
                probe = None
        if probe is None:
            stamp = self._uploaded.get(asset_id) or (self.ledger.upload_stamp(asset_id) if self.ledger else None)
            probe = probe_if_unchanged(*stamp) if stamp is not None else None
            if probe is not None:
                self.remember_probe(asset_id, probe)
        return probe

    async def get_asset(self, asset_id: str) -> AssetDetail:
        """One asset of the workspace: its name, type, owner, upload time and a URL when one can be made.

        Raises:
            ValidationError: the id is empty or malformed.
            NotFoundError: no such asset (or not this workspace's).
            APIStatusError, APIConnectionError: as for every call.
        """
        asset_id = _check_id(asset_id, "asset_id")
        from heygen_lipsync_api.api.assets import get_asset_v3

        return AssetDetail.from_api(data_of(await self._call(get_asset_v3.asyncio_detailed, asset_id), "get_asset"))

    async def asset_statuses(self, asset_ids: Sequence[str]) -> builtins.list[AssetStatus]:
        """Statuses of many assets (one request per 100 ids): ``processing`` means not usable yet.

        Raises:
            ValidationError: no ids, or a malformed id.
            APIStatusError, APIConnectionError: as for every call.
        """
        ids = [_check_id(i, "asset_ids") for i in asset_ids]
        if not ids:
            raise ValidationError("asset_ids", "give at least one asset id")
        return await assets.asset_statuses(self._api, ids)

    async def delete_asset(self, asset_id: str) -> str:
        """Delete an uploaded asset for good (it holds the user's face or voice); returns its id.

        Raises:
            ValidationError: the id is empty or malformed.
            NotFoundError: no such asset, or already deleted.
            APIStatusError, APIConnectionError: as for every call.
        """
        asset_id = _check_id(asset_id, "asset_id")
        from heygen_lipsync_api.api.assets import delete_asset_v3

        data = data_of(await self._call(delete_asset_v3.asyncio_detailed, asset_id), "delete_asset")
        deleted = data.get("id")
        return deleted if isinstance(deleted, str) and deleted else asset_id

    async def account(self) -> Account:
        """The account behind the API key: billing type and what is left to spend (``wallet``).

        Raises:
            AuthenticationError: the key is not valid.
            APIStatusError, APIConnectionError: as for every call.
        """
        from heygen_lipsync_api.api.user import get_user_me_v3

        return Account.from_api(data_of(await self._call(get_user_me_v3.asyncio_detailed), "account"))

    async def create_folder(
        self, name: str, *, parent_id: str | None = None, type: str | None = None, idempotency_key: str | None = None
    ) -> Folder:
        """A new folder (root, or in ``parent_id``); its ``folder_id`` is what a create's ``folder_id`` takes.

        Raises:
            ValidationError, NotFoundError, APIStatusError, APIConnectionError: see ``resources.folders.create_folder``.
        """
        return await folders.create_folder(
            self._api, name, parent_id=parent_id, type=type, idempotency_key=idempotency_key
        )

    async def get_folder(self, folder_id: str) -> Folder:
        """One folder of the workspace (``is_trash`` says whether a create may still use it).

        Raises:
            ValidationError, NotFoundError, APIStatusError, APIConnectionError: see ``resources.folders.get_folder``.
        """
        return await folders.get_folder(self._api, folder_id)

    async def list_webhook_endpoints(
        self, *, limit: int | None = None, token: str | None = None
    ) -> tuple[builtins.list[WebhookEndpoint], str | None]:
        """One page of registered webhook endpoints, and the next page's token.

        Raises:
            ValidationError, APIStatusError, APIConnectionError: see ``resources.webhooks.list_endpoints``.
        """
        return await webhooks.list_endpoints(self._api, limit=limit, token=token)

    async def create_webhook_endpoint(
        self, url: str, *, events: Sequence[str] | None = None, entity_id: str | None = None
    ) -> WebhookEndpoint:
        """Register ``url`` for ``events`` (None: all); store the returned ``secret``, shown only now.

        Raises:
            ValidationError, APIStatusError, APIConnectionError: see ``resources.webhooks.create_endpoint``.
        """
        return await webhooks.create_endpoint(self._api, url, events=events, entity_id=entity_id)

    async def update_webhook_endpoint(
        self, endpoint_id: str, *, url: str | None = None, events: Sequence[str] | None = None
    ) -> WebhookEndpoint:
        """Change an endpoint's URL and/or its events (the list is replaced whole).

        Raises:
            ValidationError, NotFoundError, APIStatusError, APIConnectionError: see ``resources.webhooks``.
        """
        return await webhooks.update_endpoint(self._api, endpoint_id, url=url, events=events)

    async def delete_webhook_endpoint(self, endpoint_id: str) -> str:
        """Remove an endpoint for good; returns its id.

        Raises:
            ValidationError, NotFoundError, APIStatusError, APIConnectionError: see ``resources.webhooks``.
        """
        return await webhooks.delete_endpoint(self._api, endpoint_id)

    async def rotate_webhook_secret(self, endpoint_id: str) -> WebhookEndpoint:
        """A new signing secret for an endpoint (the old one stops at once).

        Raises:
            ValidationError, NotFoundError, APIStatusError, APIConnectionError: see ``resources.webhooks``.
        """
        return await webhooks.rotate_secret(self._api, endpoint_id)

    async def list_webhook_event_types(self) -> builtins.list[WebhookEventType]:
        """Every event type HeyGen can send (a batch's is ``batch.finished``; there is no lipsync type).

        Raises:
            APIStatusError, APIConnectionError: as for every call.
        """
        return await webhooks.list_event_types(self._api)

    async def list_webhook_events(
        self,
        *,
        event_type: str | None = None,
        entity_id: str | None = None,
        limit: int | None = None,
        token: str | None = None,
    ) -> tuple[builtins.list[WebhookEvent], str | None]:
        """One page of delivered events, newest first (what a receiver that was down missed).

        Raises:
            ValidationError, APIStatusError, APIConnectionError: see ``resources.webhooks.list_events``.
        """
        return await webhooks.list_events(
            self._api, event_type=event_type, entity_id=entity_id, limit=limit, token=token
        )
