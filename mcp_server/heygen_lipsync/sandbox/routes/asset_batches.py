"""`/v3/assets/direct-uploads/batches`, `/v3/assets/complete/batches`, `/v3/assets/batches/{id}`: uploads by the 100.

An upload batch is up to 100 direct uploads presigned in one call: each file is checked
and reserved as `POST /v3/assets/direct-uploads` would (a bad one is a 400 naming
`files[i].field`, and nothing is reserved), and the answer lists one upload slot per file,
in order. The client PUTs each file to its slot as for a single upload, then completes the
whole batch in one call (202): each file is checked on its own, so a file whose bytes miss
their checksum, are not a supported type, or were never PUT fails alone (its item carries
an error object) while the others become assets. A file PUT but not yet visible makes the
complete a 409, as the single complete (retry shortly). Completing again is harmless.

`GET /v3/assets/batches/{id}` is the lipsync batches' read model: items `queued` until the
batch is completed, then `processing` while the asset is prepared, `completed` or
`failed`; an item's asset id is its `video_id`. `GET /v3/assets/statuses?batch_ids=` reads
the same items. Batches live in a table of the store's database, like every other row.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from heygen_lipsync.sandbox import asset_status, clock, cursors, status
from heygen_lipsync.sandbox.context import Services
from heygen_lipsync.sandbox.errors import ApiError, invalid
from heygen_lipsync.sandbox.routes.assets import AssetRoutes
from heygen_lipsync.sandbox.store import Store
from heygen_lipsync.sandbox.validation import check_object, parse_limit
from heygen_lipsync.sandbox.web import read_json, resource

__all__ = ["AssetBatchRoutes", "AssetBatches"]

MAX_FILES = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS asset_batches (
    id TEXT PRIMARY KEY,
    title TEXT,
    asset_ids TEXT NOT NULL,
    errors TEXT NOT NULL DEFAULT '{}',
    completed INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class AssetBatchRow:
    id: str
    title: str | None
    asset_ids: list[str]
    errors: dict[str, dict[str, str]]  # item index (as text) -> error object
    completed: bool
    created_at: float


def _row(row: sqlite3.Row) -> AssetBatchRow:
    return AssetBatchRow(
        id=row["id"],
        title=row["title"],
        asset_ids=json.loads(row["asset_ids"]),
        errors=json.loads(row["errors"]),
        completed=bool(row["completed"]),
        created_at=row["created_at"],
    )


class AssetBatches:
    """The upload batches of the sandbox, in the store's database."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store._lock:
            store._db.executescript(_SCHEMA)

    def add(self, title: str | None, asset_ids: list[str], now: float) -> AssetBatchRow:
        batch_id = "asb_" + secrets.token_hex(8)
        with self.store._tx() as db:
            db.execute(
                "INSERT INTO asset_batches (id, title, asset_ids, created_at) VALUES (?, ?, ?, ?)",
                (batch_id, title, json.dumps(asset_ids), now),
            )
        found = self.get(batch_id)
        assert found is not None
        return found

    def get(self, batch_id: str) -> AssetBatchRow | None:
        row = self.store._one("SELECT * FROM asset_batches WHERE id = ?", (batch_id,))
        return None if row is None else _row(row)

    def complete(self, batch_id: str, errors: dict[str, dict[str, str]]) -> None:
        with self.store._tx() as db:
            db.execute(
                "UPDATE asset_batches SET completed = 1, errors = ? WHERE id = ?", (json.dumps(errors), batch_id)
            )

    def items(self, batch: AssetBatchRow) -> list[dict[str, Any]]:
        """Every item of the batch in the read model (item_index, status, video_id, error)."""
        entries = []
        for index, asset_id in enumerate(batch.asset_ids):
            error = batch.errors.get(str(index))
            asset = self.store.get_asset(asset_id)
            if error is None and batch.completed and asset is None:
                error = {"code": "not_found", "message": "The asset was deleted."}
            if error is not None:
                item_status = "failed"
            elif not batch.completed:
                item_status = "queued"
            else:
                item_status = asset_status.read_status(asset)
            entries.append({"item_index": index, "status": item_status, "video_id": asset_id, "error": error})
        return entries


def _error_of(exc: ApiError) -> dict[str, str]:
    return {"code": exc.code, "message": exc.message}


class AssetBatchRoutes:
    """Handlers of the upload-batch resource."""

    def __init__(self, sb: Services, assets: AssetRoutes) -> None:
        self.sb = sb
        self.assets = assets
        self.batches = AssetBatches(sb.store)

    def routes(self) -> list[Route]:
        """The upload-batch routes (before `/v3/assets/{asset_id}`)."""
        return [
            resource("/v3/assets/direct-uploads/batches", POST=self.create),
            resource("/v3/assets/complete/batches", POST=self.complete),
            resource("/v3/assets/batches/{batch_id}", GET=self.get),
        ]

    async def create(self, request: Request) -> Response:
        self.sb.authenticate(request)

        async def work() -> Response:
            body = check_object(await read_json(request), {"files", "title", "callback_url"})
            files = body.get("files")
            if not isinstance(files, list) or not 1 <= len(files) <= MAX_FILES:
                raise invalid("files", f"'files' must contain between 1 and {MAX_FILES} files.")
            for name in ("title", "callback_url"):
                if body.get(name) is not None and not isinstance(body[name], str):
                    raise invalid(name, f"'{name}' must be a string or null.")
            for index, file in enumerate(files):  # every file checked before any is reserved
                self.assets.check_upload(file, f"files[{index}].")
            slots = [self.assets.reserve(request, file, f"files[{index}].") for index, file in enumerate(files)]
            batch = self.batches.add(body.get("title"), [slot["asset_id"] for slot in slots], clock.now())
            return JSONResponse({"data": {"batch_id": batch.id, "items": slots}})

        return await self.sb.idempotency.run(request, work)

    def items_of(self, batch_id: str) -> list[dict[str, Any]] | None:
        """The items of an upload batch in the read model, or None when there is no such batch."""
        batch = self.batches.get(batch_id)
        return None if batch is None else self.batches.items(batch)

    def _found(self, batch_id: Any) -> Any:
        batch = self.batches.get(batch_id) if isinstance(batch_id, str) else None
        if batch is None:
            raise ApiError(404, "not_found", "Upload batch not found.")
        return batch

    async def complete(self, request: Request) -> Response:
        self.sb.authenticate(request)
        body = check_object(await read_json(request), {"batch_id"})
        if not isinstance(body.get("batch_id"), str) or not body["batch_id"]:
            raise invalid("batch_id", "'batch_id' is required: the id POST /v3/assets/direct-uploads/batches returned.")
        batch = self._found(body["batch_id"])
        store = self.sb.store
        assets = [store.get_asset(asset_id) for asset_id in batch.asset_ids]
        for asset in assets:  # a PUT that returned but is not visible yet: retry the whole call shortly
            stored = asset is not None and asset.status == "uploaded"
            if asset is not None and not stored and _put_arrived(asset) and not self.assets.visible(asset):
                raise ApiError(
                    409, "conflict", "An uploaded object is not found yet. Retry after every PUT returns 200."
                )
        errors: dict[str, dict[str, str]] = dict(batch.errors)
        for index, asset in enumerate(assets):
            if str(index) in errors or asset is None:
                continue
            if not self.assets.visible(asset):
                errors[str(index)] = {
                    "code": "upload_missing",
                    "message": "No bytes were PUT to this file's upload_url.",
                }
                continue
            try:
                await self.assets.finish(asset, None)
            except ApiError as exc:  # one bad file fails alone
                errors[str(index)] = _error_of(exc)
        self.batches.complete(batch.id, errors)
        return JSONResponse({"data": {"batch_id": batch.id}}, status_code=202)

    async def get(self, request: Request) -> Response:
        self.sb.authenticate(request)
        limit = parse_limit(request.query_params.get("limit"), 100)
        batch_id = request.path_params["batch_id"]
        offset = cursors.decode_offset(f"asset-batch:{batch_id}", request.query_params.get("token"))
        batch = self._found(batch_id)
        entries = self.batches.items(batch)
        counts = status.batch_counts(str(entry["status"]) for entry in entries)
        has_more = offset + limit < len(entries)
        return JSONResponse(
            {
                "data": {
                    "batch_id": batch.id,
                    "status": status.batch_status(counts, len(entries)),
                    "total_items": len(entries),
                    "counts_by_status": counts,
                    "created_at": int(batch.created_at),
                    "title": batch.title,
                    "items": entries[offset : offset + limit],
                    "has_more": has_more,
                    "next_token": cursors.encode(f"asset-batch:{batch_id}", offset + limit) if has_more else None,
                }
            }
        )


def _put_arrived(asset: Any) -> bool:
    """True once a PUT stored the upload's bytes (the sandbox records their hash as they arrive)."""
    return asset.received_sha256 is not None
