"""What every route needs from its sandbox: settings, store, signer, replay records, scheduler.

One `Services` per sandbox, built by `app.SandboxApp` and handed to each route module.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from heygen_lipsync.sandbox import asset_status, web
from heygen_lipsync.sandbox.config import SandboxConfig
from heygen_lipsync.sandbox.idempotency import Idempotency
from heygen_lipsync.sandbox.scheduler import Scheduler
from heygen_lipsync.sandbox.signing import Signer
from heygen_lipsync.sandbox.store import Store
from heygen_lipsync.sandbox.webhooks import Webhooks
from heygen_lipsync.sandbox.workspace import Workspace

__all__ = ["Services"]


@dataclass
class Services:
    """The parts of one sandbox, as the routes use them."""

    config: SandboxConfig
    store: Store
    signer: Signer
    idempotency: Idempotency
    webhooks: Webhooks
    scheduler: Scheduler
    workspace: Workspace

    @classmethod
    def build(cls, config: SandboxConfig) -> Services:
        """Open the store of `config.data_dir` (or a temporary one) and wire everything to it."""
        store = Store(config.data_dir)
        signer = Signer(store.secret, config)
        workspace = Workspace(store)
        webhooks = Webhooks(store, config, signer, workspace)
        return cls(
            config=config,
            store=store,
            signer=signer,
            idempotency=Idempotency(store, config),
            webhooks=webhooks,
            scheduler=Scheduler(store, config, webhooks),
            workspace=workspace,
        )

    def authenticate(self, request: Request) -> None:
        """See `web.authenticate`.

        Raises:
            ApiError: 401 `unauthorized`.
        """
        web.authenticate(request, self.config)

    def base_url(self, request: Request) -> str:
        """Where this request reached the sandbox (or `public_base_url`)."""
        return web.base_url(request, self.config)

    def presign(self, request: Request, path: str) -> str:
        """A presigned URL for `path` on the address this request used."""
        return self.signer.presign(self.base_url(request), path)

    def asset_ready(self, asset_id: str) -> bool:
        """True when the asset exists, its bytes are complete and it is no longer processing."""
        return asset_status.is_ready(self.store.get_asset(asset_id))
