"""`/v3/assets`: uploads (multipart, direct), asset get/delete/statuses and the presigned PUT target.

A direct upload is three requests: `POST /v3/assets/direct-uploads` reserves an asset and
hands out a presigned `upload_url`; the client PUTs the bytes there (no API key, the
declared Content-Type, exactly `size_bytes`); `POST /v3/assets/{id}/complete` checks them
(type, optional SHA-256) and makes the asset usable.

Retrying is safe at every step. A repeated create or multipart upload with the same
Idempotency-Key replays its first answer (its URLs on the address the repeat reached, so
they work after a restart on another port). A PUT after the upload is complete is a 409
`conflict` ("already complete"): the bytes are there, go on to complete. A complete of an
upload that is already complete succeeds again, with the same data; with the same
Idempotency-Key it replays the first success (`Idempotent-Replayed: true`). A complete
that was refused (bytes not there yet, checksum mismatch) is not recorded under its key,
so the same key works once the problem is fixed.

A completed direct upload is `processing` for `asset_processing_seconds` before a create
may use it (see `asset_status`); `GET /v3/assets/{id}` and `GET /v3/assets/statuses` show
it, and `DELETE /v3/assets/{id}` removes the asset and its bytes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from heygen_lipsync.sandbox import asset_status, clock, media
from heygen_lipsync.sandbox.context import Services
from heygen_lipsync.sandbox.errors import ApiError, invalid
from heygen_lipsync.sandbox.store import AssetRow
from heygen_lipsync.sandbox.validation import check_object, check_sha256, parse_id_list
from heygen_lipsync.sandbox.web import LimitedRequest, read_json, resource, too_large

__all__ = ["AssetRoutes"]

_CHUNK = 1024 * 1024
_HEAD_BYTES = 64  # enough to sniff the type
_MULTIPART_OVERHEAD = 64 * 1024
_UNSUPPORTED = "not a supported media type (png, jpeg, mp4, webm, mp3, wav, pdf or srt)"


class AssetRoutes:
    """Handlers of the asset resource and of the direct-upload PUT target."""

    def __init__(self, sb: Services) -> None:
        self.sb = sb
        # When each PUT's object becomes visible to `complete` (this process's view, as storage's).
        self._visible_at: dict[str, float] = {}
        # The items of an upload batch (``asset_batches``), or None for an unknown batch id.
        self.batch_items: Callable[[str], list[dict[str, Any]] | None] = lambda _batch_id: None

    def routes(self) -> list[Route]:
        """The asset routes, the presigned PUT target included."""
        return [
            resource("/v3/assets", POST=self.upload),
            resource("/v3/assets/direct-uploads", POST=self.create_direct_upload),
            resource("/v3/assets/statuses", GET=self.statuses),
            resource("/v3/assets/{asset_id}/complete", POST=self.complete),
            resource("/v3/assets/{asset_id}", GET=self.get, DELETE=self.delete),
            resource("/_sandbox/uploads/{asset_id}", PUT=self.put_upload),
        ]

    def _found(self, request: Request) -> AssetRow:
        asset = self.sb.store.get_asset(request.path_params["asset_id"])
        if asset is None:
            raise ApiError(404, "not_found", "Asset not found.")
        return asset

    async def get(self, request: Request) -> Response:
        self.sb.authenticate(request)
        asset = self._found(request)
        ready = asset.status == "uploaded"
        data = {
            "id": asset.id,
            "name": asset.filename or asset.id,
            "type": (asset.mime_type or asset.content_type or "application/octet-stream").split("/")[0],
            "owner": "sandbox",
            "space_id": "sandbox",
            "uploaded_at": int(asset.created_at),
            "url": f"{self.sb.base_url(request)}/_sandbox/assets/{asset.id}" if ready else None,
            "folder_id": None,
        }
        return JSONResponse({"data": data})

    async def delete(self, request: Request) -> Response:
        self.sb.authenticate(request)
        asset = self.sb.store.delete_asset(request.path_params["asset_id"])
        if asset is None:
            raise ApiError(404, "not_found", "Asset not found.")
        return JSONResponse({"data": {"id": asset.id}})

    async def statuses(self, request: Request) -> Response:
        self.sb.authenticate(request)
        asset_ids = parse_id_list("asset_ids", request.query_params.get("asset_ids"))
        batch_ids = parse_id_list("batch_ids", request.query_params.get("batch_ids"))
        if not asset_ids and not batch_ids:
            raise invalid("asset_ids", "Give 'asset_ids' or 'batch_ids' (comma-separated).")
        if len(asset_ids) + len(batch_ids) > 100:
            raise invalid("asset_ids", "'asset_ids' and 'batch_ids' accept at most 100 ids in all.")
        entries: list[dict[str, Any]] = [
            {"video_id": i, "status": asset_status.read_status(self.sb.store.get_asset(i)), "error": None}
            for i in asset_ids
        ]
        for batch_id in batch_ids:
            items = self.batch_items(batch_id)
            if items is None:
                entries.append({"video_id": None, "status": "not_found", "batch_id": batch_id})
            else:
                entries += [{**item, "batch_id": batch_id} for item in items]
        return JSONResponse({"data": entries, "has_more": False, "next_token": None})

    def _data(self, request: Request, asset: AssetRow) -> dict[str, Any]:
        return {
            "asset_id": asset.id,
            "url": f"{self.sb.base_url(request)}/_sandbox/assets/{asset.id}",
            "mime_type": asset.mime_type,
            "size_bytes": asset.size_bytes,
        }

    async def upload(self, request: Request) -> Response:
        self.sb.authenticate(request)
        limit = self.sb.config.max_upload_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit + _MULTIPART_OVERHEAD:
            raise too_large(limit)

        async def work() -> Response:
            limited = LimitedRequest(request.scope, request.receive)
            limited.limit = limit + _MULTIPART_OVERHEAD
            try:
                form = await limited.form(max_files=1, max_fields=10)
            except (ApiError, ClientDisconnect):
                # A client gone midway never finished its request: no answer is recorded under
                # its Idempotency-Key (the retry runs again), and `web.client_gone` logs it.
                raise
            except Exception:  # noqa: BLE001 - any malformed multipart body is the client's error
                raise invalid("file", "The body must be multipart/form-data with a 'file' field.") from None
            try:
                upload = form.get("file")
                if not isinstance(upload, UploadFile):
                    raise invalid("file", "'file' is required: send the file as a multipart form field named 'file'.")
                return await self._store_upload(request, upload, limit)
            finally:
                await form.close()

        return await self.sb.idempotency.run(request, work)

    async def _store_upload(self, request: Request, upload: UploadFile, limit: int) -> Response:
        asset_id = "asset_" + secrets.token_hex(8)
        path = self.sb.store.asset_path(asset_id)
        size = 0
        head = b""
        try:
            with path.open("wb") as out:
                while chunk := await upload.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise too_large(limit)
                    if len(head) < 64:
                        head += chunk[:64]
                    out.write(chunk)
            mime_type = media.sniff_bytes(head)
            if size == 0:
                raise invalid("file", "'file' is empty.")
            if mime_type is None:
                raise invalid("file", f"'file' is {_UNSUPPORTED}.")
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        asset = AssetRow(
            id=asset_id,
            filename=upload.filename,
            content_type=upload.content_type,
            mime_type=mime_type,
            size_bytes=size,
            declared_size=size,
            checksum=None,
            status="uploaded",
            path=str(path),
            created_at=clock.now(),
            expires_at=None,
        )
        self.sb.store.insert_asset(asset)
        return JSONResponse({"data": self._data(request, asset)})

    async def create_direct_upload(self, request: Request) -> Response:
        self.sb.authenticate(request)

        async def work() -> Response:
            return JSONResponse({"data": self.reserve(request, await read_json(request))})

        return await self.sb.idempotency.run(request, work)

    def check_upload(self, body: Any, where: str = "") -> tuple[Any, int, str | None]:
        """One direct upload's body checked (``where`` prefixes the params): the body, its size and checksum.

        Raises:
            ApiError: 400 naming the field (``files[2].size_bytes``).
        """
        config = self.sb.config
        body = check_object(body, {"filename", "content_type", "size_bytes", "checksum_sha256"}, where)
        for name in ("filename", "content_type"):
            if not isinstance(body.get(name), str) or not body[name]:
                raise invalid(where + name, f"'{where}{name}' is required and must be a non-empty string.")
        size = body.get("size_bytes")
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise invalid(where + "size_bytes", f"'{where}size_bytes' must be a positive integer.")
        if size > config.max_direct_upload_bytes:
            raise invalid(where + "size_bytes", f"'{where}size_bytes' exceeds {config.max_direct_upload_bytes} bytes.")
        return body, size, check_sha256(where + "checksum_sha256", body.get("checksum_sha256"))

    def reserve(self, request: Request, body: Any, where: str = "") -> dict[str, Any]:
        """Check one direct upload's body, reserve its asset; its upload slot (``where`` prefixes the params).

        Raises:
            ApiError: 400 naming the field (``files[2].size_bytes``).
        """
        config = self.sb.config
        body, size, checksum = self.check_upload(body, where)
        asset_id = "asset_" + secrets.token_hex(8)
        created = clock.now()
        asset = AssetRow(
            id=asset_id,
            filename=body["filename"],
            content_type=body["content_type"],
            mime_type=None,
            size_bytes=None,
            declared_size=size,
            checksum=checksum,
            status="pending_upload",
            path=str(self.sb.store.asset_path(asset_id)),
            created_at=created,
            expires_at=created + config.url_ttl_seconds,
        )
        self.sb.store.insert_asset(asset)
        return {
            "asset_id": asset_id,
            "upload_url": self.sb.presign(request, f"/_sandbox/uploads/{asset_id}"),
            "upload_headers": _upload_headers(body["content_type"], checksum),
            "expires_in_seconds": config.url_ttl_seconds,
            "max_bytes": size,
            "status": "pending_upload",
        }

    async def put_upload(self, request: Request) -> Response:
        """The presigned PUT of a direct upload: no auth header, the declared Content-Type, at most size_bytes."""
        self.sb.signer.check(request)
        store = self.sb.store
        asset = store.get_asset(request.path_params["asset_id"])
        if asset is None:
            raise ApiError(404, "not_found", "Asset not found.")
        if "authorization" in request.headers or "x-api-key" in request.headers:
            raise invalid(None, "Send no authentication header with a presigned upload URL.")
        if request.headers.get("content-type") != asset.content_type:
            raise ApiError(
                403,
                "forbidden",
                f"The Content-Type header must be exactly {asset.content_type!r}, as upload_headers say.",
            )
        if asset.status == "uploaded":
            raise ApiError(409, "conflict", "This upload is already complete.")
        # Until complete, `checksum` is the one declared at presign time, signed into upload_headers.
        signed = _upload_headers("", asset.checksum).get("x-amz-checksum-sha256") if asset.checksum else None
        if signed is not None and request.headers.get("x-amz-checksum-sha256") != signed:
            raise ApiError(403, "forbidden", "Send the x-amz-checksum-sha256 header as upload_headers say.")
        limit = asset.declared_size or 0
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise ApiError(413, "payload_too_large", f"The upload may carry at most {limit} bytes.")
        tmp = store.tmp_path()
        size = 0
        digest = hashlib.sha256()
        head = b""
        try:
            with tmp.open("wb") as out:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise ApiError(413, "payload_too_large", f"The upload may carry at most {limit} bytes.")
                    digest.update(chunk)
                    if len(head) < _HEAD_BYTES:
                        head += chunk[: _HEAD_BYTES - len(head)]
                    out.write(chunk)
            if size != limit:
                raise invalid(None, f"Expected {limit} bytes (size_bytes), received {size}.")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if asset.checksum is not None and digest.hexdigest() != asset.checksum:
            tmp.unlink(missing_ok=True)  # object storage refuses bytes that miss the signed checksum
            raise ApiError(400, "BadDigest", "The SHA-256 you specified did not match the calculated checksum.")
        os.replace(tmp, asset.path)
        self._visible_at[asset.id] = clock.now() + self.sb.config.put_visible_seconds
        store.update_asset(asset.id, size_bytes=size, received_sha256=digest.hexdigest(), received_head=head)
        return Response(status_code=200, headers={"ETag": f'"{digest.hexdigest()}"'})

    async def complete(self, request: Request) -> Response:
        self.sb.authenticate(request)
        return await self.sb.idempotency.run(request, lambda: self._complete(request), record_errors=False)

    async def _complete(self, request: Request) -> Response:
        store = self.sb.store
        asset = store.get_asset(request.path_params["asset_id"])
        body = check_object(await read_json(request, optional=True), {"checksum_sha256"})
        checksum = check_sha256("checksum_sha256", body.get("checksum_sha256"))
        if asset is None:
            raise ApiError(404, "not_found", "Asset not found.")
        if not self.visible(asset):
            # HeyGen answers 409 while the PUT's object is not visible yet; its own upload code retries it.
            raise ApiError(
                409, "conflict", "Uploaded object not found yet. Retry after the PUT to upload_url returns 200."
            )
        asset = await self.finish(asset, checksum)
        # HeyGen's status is open: `processing` until the asset may be used, then `uploaded`.
        data = {**self._data(request, asset), "status": "uploaded" if asset_status.is_ready(asset) else "processing"}
        return JSONResponse({"data": data})

    def visible(self, asset: AssetRow) -> bool:
        """True once the PUT's bytes are stored and visible to ``complete`` (storage's delay over)."""
        return Path(asset.path).exists() and clock.now() >= self._visible_at.get(asset.id, 0.0)

    async def finish(self, asset: AssetRow, checksum: str | None) -> AssetRow:
        """Check a visible upload's bytes (type, SHA-256) and make it an asset; again is harmless.

        Raises:
            ApiError: 400 ``checksum_sha256`` (the bytes do not match) or ``file`` (not a supported type).
        """
        store = self.sb.store
        expected = checksum or asset.checksum
        if expected is not None or asset.status != "uploaded":
            if asset.received_sha256 is not None and asset.received_head is not None:
                actual, head = asset.received_sha256, asset.received_head  # hashed as the PUT arrived
            else:  # bytes stored before the PUT recorded its hash
                actual, head = await anyio.to_thread.run_sync(_hash_file, Path(asset.path))
            if expected is not None and actual != expected:
                raise invalid("checksum_sha256", "'checksum_sha256' does not match the uploaded bytes.")
            if asset.status != "uploaded":
                mime_type = media.sniff_bytes(head)
                if mime_type is None:
                    raise invalid("file", f"The uploaded file is {_UNSUPPORTED}.")
                ready_at = clock.now() + self.sb.config.asset_processing_seconds
                store.update_asset(asset.id, status="uploaded", mime_type=mime_type, checksum=actual, ready_at=ready_at)
                asset = store.get_asset(asset.id) or asset
        return asset


def _upload_headers(content_type: str, checksum: str | None) -> dict[str, str]:
    """What the PUT must send: the declared type and, when a checksum was given, S3's form of it.

    The API's `checksum_sha256` is hex (HeyGen's own upload code sends `digest("hex")`); S3
    enforces it on the PUT through `x-amz-checksum-sha256`, which carries the same digest in
    base64: the form HeyGen's CLI examples show.
    """
    headers = {"Content-Type": content_type}
    if checksum is not None:
        headers["x-amz-checksum-sha256"] = base64.b64encode(bytes.fromhex(checksum)).decode()
    return headers


def _hash_file(path: Path) -> tuple[str, bytes]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
        digest.update(head)
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest(), head
