"""Sending one create (lipsync or batch) with its uploads.

The key every attempt carries, and what an unknown outcome hands back to the caller; uploads
of local files (a file with the content of a recent upload is not sent again).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from heygen_lipsync import telemetry
from heygen_lipsync._transport.http import tracking_delivery
from heygen_lipsync._transport.responses import data_of
from heygen_lipsync.errors import (
    APIConnectionError,
    APIError,
    ConflictError,
    NotFoundError,
    ServerError,
    ValidationError,
)
from heygen_lipsync.jobs.uploads import upload_once
from heygen_lipsync.media.opened import OpenedInput
from heygen_lipsync.media.paths import expand_user
from heygen_lipsync.models import (
    Asset,
)
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.resources.asset_calls import AssetCalls
from heygen_lipsync.resources.uploads import UploadProgress, upload_file
from heygen_lipsync.sources import (
    AssetSource,
    MediaSource,
)

logger = logging.getLogger("heygen_lipsync")


def _unknown_outcome(exc: APIError) -> bool:
    """A create failed in a way that does not say whether the job was made."""
    return isinstance(exc, (APIConnectionError, ServerError)) or (
        isinstance(exc, ConflictError) and exc.code == "request_in_progress"
    )


def _note_unknown_outcome(exc: BaseException, key: str, what: str) -> None:
    # A cancellation must stay a cancellation (task groups and timeouts rely on it), so the
    # key rides on the exception instead of replacing it: the caller can still retry safely.
    exc.idempotency_key = key  # type: ignore[attr-defined]
    exc.add_note(f"the {what} may have gone through: retry with idempotency_key={key} so it cannot make a second job")
    logger.warning("%s interrupted with an unknown outcome; retry with idempotency_key=%s", what, key)


def derived_upload_key(key: str, suffix: str) -> str:
    """The key of one upload (or batch item) of a create: stable across the caller's retries.

    A hash of the caller's key and the suffix, not a prefix of the key: cutting a long key to
    fit 255 characters made two items' keys equal, and the second replayed the first's upload.
    The suffix stays readable at the end; the result matches the key pattern for any suffix
    of letters, digits and ``_:.-``.
    """
    digest = hashlib.sha256(f"{key}\n{suffix}".encode()).hexdigest()
    return f"hl-{digest}:{suffix}"


class SendCalls(AssetCalls):
    """Sending one create with its uploads, under one key (see the module docstring)."""

    async def _create(self, fn: Callable[..., Awaitable[Any]], body: Any, *, key: str, what: str, id_field: str) -> str:
        """Send one create (lipsync or batch) with its Idempotency-Key; return the new id.

        Raises:
            APIError: the create failed; when its outcome is unknown (the job may exist) the
                error carries ``idempotency_key``, the only safe way to retry it.
        """
        with tracking_delivery() as delivery:
            try:
                result = await self._call(fn, body=body, idempotency_key=key)
            except APIError as exc:
                # Once an attempt may have reached the server, a later 429 or an exhausted
                # retry says nothing about the job: it may exist, and only this key is safe.
                if delivery.outcome_unknown or _unknown_outcome(exc):
                    exc.idempotency_key = key
                raise
            except BaseException as exc:
                if delivery.outcome_unknown:
                    _note_unknown_outcome(exc, key, what)
                raise
        data = data_of(result, what)
        new_id = data.get(id_field)
        if not isinstance(new_id, str) or not new_id:
            raise APIError(f"{what} returned no {id_field}: {dict(data)}", code="unexpected_response")
        return new_id

    async def _upload_sources(
        self,
        request: LipsyncRequest,
        *,
        key: str,
        on_progress: UploadProgress | None,
        field_prefix: str = "",
        create_key: str | None = None,
        digests: Mapping[str, str] | None = None,
    ) -> LipsyncRequest:
        create_key = create_key or key
        replaced: dict[str, MediaSource] = {}
        for name, source in request.file_sources.items():
            try:
                asset = await self._upload_once(
                    source.path,
                    idempotency_key=derived_upload_key(key, name),
                    on_progress=on_progress,
                    field=f"{field_prefix}{name}",
                    digest=(digests or {}).get(name),
                )
            except ValidationError as exc:
                raise ValidationError(f"{field_prefix}{name}", exc.reason) from exc
            except APIError as exc:
                if exc.idempotency_key is not None:
                    # The caller retries the create, whose key derives this upload's again.
                    exc.idempotency_key = create_key
                raise
            replaced[name] = AssetSource(asset.asset_id)
        return request.with_sources(**replaced) if replaced else request

    async def upload(
        self, path: str | Path, *, idempotency_key: str | None = None, on_progress: UploadProgress | None = None
    ) -> Asset:
        """Upload a local file as an asset, streamed from disk.

        Files up to 32 MB go through POST /v3/assets; larger ones through the direct-upload
        flow (presign, PUT to storage without credentials, complete with SHA-256).
        ``on_progress(bytes_sent, total)`` is called as bytes go out. With the ledger on, a
        file with the same content as one uploaded lately (``HEYGEN_LIPSYNC_ASSET_REUSE_DAYS``,
        default 7) that HeyGen still has is not uploaded again: that asset is returned.

        A create from the asset is priced: ``remembered_probe`` reads the file's media probe
        when a price first needs it (the upload itself never loads PyAV).

        Returns:
            The asset; use ``AssetSource(asset.asset_id)`` in a request.

        Raises:
            ValidationError: missing, unreadable or unsupported file (sniffed from its bytes), bad key.
            APIStatusError, APIConnectionError: as for every call.
        """
        local = expand_user(Path(path)).absolute()
        try:  # which file this was, for a price later (``remembered_probe`` probes it then)
            before = (path if isinstance(path, OpenedInput) else local).stat()  # an opened file: its descriptor
        except OSError:
            before = None  # the upload reports the unreadable file properly
        with telemetry.span("upload", file=local.name) as current:
            asset = await self._upload_once(
                # An opened file stays opened: its descriptor, checked by the caller, is what is sent.
                path if isinstance(path, Path) else Path(path),
                idempotency_key=idempotency_key,
                on_progress=on_progress,
                check_reused=True,
            )
            current.set("asset_id", asset.asset_id)
        if before is not None and asset.asset_id:
            self._uploaded[asset.asset_id] = (local, before.st_size, before.st_mtime_ns)
        return asset

    async def _upload_once(
        self,
        path: Path,
        *,
        idempotency_key: str | None,
        on_progress: UploadProgress | None,
        field: str = "file",
        digest: str | None = None,
        check_reused: bool = False,
    ) -> Asset:
        """Upload, or reuse the asset the ledger remembers for this content (see ``once.upload_once``).

        ``check_reused``: a plain upload (no create to recover in) first asks HeyGen whether a
        remembered asset still exists.
        """

        return await upload_once(
            self.ledger,
            base_url=self.settings.base_url,
            path=expand_user(path),  # `~dub.mp4` is a file here: `~` only as a home prefix
            digest=digest,
            upload=lambda on_hashed: upload_file(
                self._http,
                self._api,
                path,
                idempotency_key=idempotency_key,
                on_progress=on_progress,
                field=field,
                on_hashed=on_hashed,
            ),
            still_there=self._remembered_asset if check_reused else None,
        )

    async def _remembered_asset(self, asset_id: str) -> Asset | None:
        """The remembered asset as HeyGen has it now, or None when it is gone."""
        try:
            detail = await self.get_asset(asset_id)
        except NotFoundError:
            return None
        return Asset(asset_id=detail.id or asset_id, url=detail.url)
