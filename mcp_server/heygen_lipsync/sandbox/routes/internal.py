"""The sandbox's own routes under `/_sandbox/`: the files it serves, fault settings and its info.

Stored assets are served by id; outputs only on a presigned URL. `/_sandbox/faults`
needs the API key; `/_sandbox/info` is open (it says what the sandbox is, nothing more).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from heygen_lipsync.sandbox.config import FaultConfig
from heygen_lipsync.sandbox.context import Services
from heygen_lipsync.sandbox.errors import ApiError, invalid
from heygen_lipsync.sandbox.jobs import SANDBOX_NOTE
from heygen_lipsync.sandbox.web import read_json, resource

__all__ = ["InternalRoutes"]


class InternalRoutes:
    """Handlers of the `/_sandbox/` file and admin routes."""

    def __init__(self, sb: Services) -> None:
        self.sb = sb

    def routes(self) -> list[Route]:
        """The file and admin routes (the direct-upload PUT target lives with the assets)."""
        return [
            resource("/_sandbox/assets/{asset_id}", GET=self.serve_asset),
            resource("/_sandbox/outputs/{name}", GET=self.serve_output),
            resource("/_sandbox/faults", GET=self.get_faults, PUT=self.set_faults),
            resource("/_sandbox/info", GET=self.info),
        ]

    async def serve_asset(self, request: Request) -> Response:
        asset = self.sb.store.get_asset(request.path_params["asset_id"])
        if asset is None or asset.status != "uploaded":
            raise ApiError(404, "not_found", "Asset not found.")
        return FileResponse(asset.path, media_type=asset.mime_type)

    async def serve_output(self, request: Request) -> Response:
        self.sb.signer.check(request)
        name = request.path_params["name"]
        lipsync_id, _, ext = name.rpartition(".")
        path = self.sb.store.output_path(lipsync_id, ext) if ext in ("mp4", "srt") else None
        if path is None or not path.exists():
            raise ApiError(404, "not_found", "Output not found (was the lipsync deleted?).")
        media_type = "video/mp4" if ext == "mp4" else "application/x-subrip"
        return FileResponse(path, media_type=media_type, filename=name)

    async def get_faults(self, request: Request) -> Response:
        self.sb.authenticate(request)
        return JSONResponse({"data": self.sb.config.faults.to_dict()})

    async def set_faults(self, request: Request) -> Response:
        """Replace the fault settings (and reseed); `{}` turns every fault off."""
        self.sb.authenticate(request)
        body = await read_json(request)
        if not isinstance(body, dict):
            raise invalid(None, "The body must be a JSON object of fault settings.")
        try:
            self.sb.config.faults = FaultConfig.from_dict(body)
        except (TypeError, ValueError) as exc:
            raise invalid(None, str(exc)) from None
        return JSONResponse({"data": self.sb.config.faults.to_dict()})

    async def info(self, request: Request) -> Response:
        return JSONResponse(
            {
                "data": {
                    "sandbox": True,
                    "lips_reanimated": False,
                    "note": SANDBOX_NOTE,
                    "persistent": self.sb.store.persistent,
                    "max_concurrent_jobs": self.sb.config.max_concurrent_jobs,
                }
            }
        )
