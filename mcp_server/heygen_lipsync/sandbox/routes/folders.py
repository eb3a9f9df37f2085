"""`/v3/folders`: create a folder and read one, as HeyGen's CLI publishes them.

A create's `folder_id` must name one of these folders, not in the trash (checked in
`validation.validate_create`). `POST /_sandbox/folders/{id}/trash` (API key needed) moves
a folder to the trash, so that refusal can be tried.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from heygen_lipsync.sandbox import clock
from heygen_lipsync.sandbox.context import Services
from heygen_lipsync.sandbox.errors import ApiError, invalid
from heygen_lipsync.sandbox.validation import check_object
from heygen_lipsync.sandbox.web import read_json, resource
from heygen_lipsync.sandbox.workspace import FolderRow

__all__ = ["FOLDER_TYPES", "FolderRoutes", "folder_data"]

FOLDER_TYPES = ("mixed", "video", "video_translate")
_CREATOR = "sandbox"


def folder_data(folder: FolderRow) -> dict[str, Any]:
    """A folder as HeyGen returns it (`parent_id` left out at the workspace root)."""
    data: dict[str, Any] = {
        "folder_id": folder.id,
        "name": folder.name,
        "type": folder.type,
        "is_trash": folder.is_trash,
        "creator_username": _CREATOR,
        "created_at": int(folder.created_at),
        "updated_at": int(folder.updated_at),
    }
    if folder.parent_id:
        data["parent_id"] = folder.parent_id
    return data


class FolderRoutes:
    """Handlers of the folder resource."""

    def __init__(self, sb: Services) -> None:
        self.sb = sb

    def routes(self) -> list[Route]:
        """The folder routes, and the sandbox's own way to trash one."""
        return [
            resource("/v3/folders", POST=self.create),
            resource("/v3/folders/{folder_id}", GET=self.get),
            resource("/_sandbox/folders/{folder_id}/trash", POST=self.trash),
        ]

    async def create(self, request: Request) -> Response:
        self.sb.authenticate(request)

        async def work() -> Response:
            body = check_object(await read_json(request), {"name", "parent_id", "type"})
            name = body.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 256:
                raise invalid("name", "'name' is required: a string of 1 to 256 characters.")
            kind = body.get("type", "mixed")
            if kind not in FOLDER_TYPES:
                raise invalid("type", f"'type' must be one of: {', '.join(FOLDER_TYPES)}.")
            parent = body.get("parent_id")
            if parent is not None and not isinstance(parent, str):
                raise invalid("parent_id", "'parent_id' must be a string or null.")
            if parent and not self.sb.workspace.usable_folder(parent):
                raise ApiError(404, "not_found", f"Parent folder '{parent}' not found (or in the trash).")
            folder = self.sb.workspace.add_folder(name, kind, parent or None, clock.now())
            return JSONResponse({"data": folder_data(folder)})

        return await self.sb.idempotency.run(request, work)

    async def get(self, request: Request) -> Response:
        self.sb.authenticate(request)
        folder = self.sb.workspace.folder(request.path_params["folder_id"])
        if folder is None:
            raise ApiError(404, "not_found", "Folder not found.")
        return JSONResponse({"data": folder_data(folder)})

    async def trash(self, request: Request) -> Response:
        self.sb.authenticate(request)
        folder_id = request.path_params["folder_id"]
        if not self.sb.workspace.trash_folder(folder_id, clock.now()):
            raise ApiError(404, "not_found", "Folder not found.")
        folder = self.sb.workspace.folder(folder_id)
        assert folder is not None
        return JSONResponse({"data": folder_data(folder)})
