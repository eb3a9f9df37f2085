"""HeyGen's folders (``/v3/folders``): create one, read one. A create's ``folder_id`` names one of them.

HeyGen publishes no operation that lists folders: keep the ids ``create_folder`` returns,
and check a stored one with ``get_folder`` (a folder in the trash says ``is_trash``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from heygen_lipsync._transport.responses import call_generated, data_of
from heygen_lipsync.checks import check_id
from heygen_lipsync.errors import ValidationError
from heygen_lipsync.models._read import _bool, _int, _mapping, _str
from heygen_lipsync.sources import validate_idempotency_key
from heygen_lipsync_api.client import AuthenticatedClient

__all__ = ["FOLDER_TYPES", "Folder", "create_folder", "get_folder"]

FOLDER_TYPES = ("mixed", "video", "video_translate")
MAX_NAME_LENGTH = 256


@dataclass(frozen=True)
class Folder:
    """A folder of the workspace; ``folder_id`` is what a create's ``folder_id`` takes."""

    folder_id: str
    name: str | None = None
    type: str | None = None
    parent_id: str | None = None
    is_trash: bool = False
    creator_username: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _KNOWN = ("folder_id", "name", "type", "parent_id", "is_trash", "creator_username", "created_at", "updated_at")

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Folder:
        """Build from the API's JSON object, unknown fields kept in ``extra``."""
        data = _mapping(data)
        return cls(
            folder_id=_str(data.get("folder_id")) or "",
            name=_str(data.get("name")),
            type=_str(data.get("type")),
            parent_id=_str(data.get("parent_id")),
            is_trash=_bool(data.get("is_trash")),
            creator_username=_str(data.get("creator_username")),
            created_at=_int(data.get("created_at")),
            updated_at=_int(data.get("updated_at")),
            extra={k: v for k, v in data.items() if k not in cls._KNOWN},
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the API's field names (unknown fields included)."""
        return {**self.extra, **{name: getattr(self, name) for name in self._KNOWN}}


async def create_folder(
    api: AuthenticatedClient,
    name: str,
    *,
    parent_id: str | None = None,
    type: str | None = None,
    idempotency_key: str | None = None,
) -> Folder:
    """``POST /v3/folders``: a new folder at the workspace root, or in ``parent_id``.

    Raises:
        ValidationError: an empty or over-long name, an unknown type, a malformed key.
        NotFoundError: ``parent_id`` names no folder of this workspace (or one in the trash).
        APIStatusError, APIConnectionError: as for every call.
    """
    from heygen_lipsync_api.api.folders import create_folder_v3
    from heygen_lipsync_api.models import CreateFolderRequest, CreateFolderRequestType

    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise ValidationError("name", f"must be 1 to {MAX_NAME_LENGTH} characters")
    body = CreateFolderRequest(name=name)
    if parent_id:
        body.parent_id = check_id(parent_id, "parent_id")
    if type is not None:
        if type not in FOLDER_TYPES:
            raise ValidationError("type", f"must be one of {', '.join(FOLDER_TYPES)}, got {type!r}")
        body.type_ = CreateFolderRequestType(type)
    kwargs: dict[str, Any] = {"body": body}
    if idempotency_key is not None:
        kwargs["idempotency_key"] = validate_idempotency_key(idempotency_key)
    return Folder.from_api(data_of(await call_generated(api, create_folder_v3.asyncio_detailed, **kwargs), "folder"))


async def get_folder(api: AuthenticatedClient, folder_id: str) -> Folder:
    """``GET /v3/folders/{id}``: one folder (one in the trash included: see ``is_trash``).

    Raises:
        ValidationError: the id is empty or malformed.
        NotFoundError: no such folder in this workspace.
        APIStatusError, APIConnectionError: as for every call.
    """
    from heygen_lipsync_api.api.folders import get_folder_v3

    folder_id = check_id(folder_id, "folder_id")
    return Folder.from_api(data_of(await call_generated(api, get_folder_v3.asyncio_detailed, folder_id), "folder"))
