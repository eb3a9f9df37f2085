"""Uploading many local files at once: ``upload_many``, and the uploads of a batch create.

Every file goes through the ledger as a single upload does (``upload_once``): a file with
the content of one uploaded lately is not sent again, and each upload is recorded (then
marked uploaded, refused or unknown). What differs is how the files that do need sending
are sent: once every file has either been found in the ledger or asked to be sent, those
that take the direct-upload flow (over 32 MB), two or more of them, go as upload batches
of up to 100 (``resources.upload_batches``: one presign, a PUT per file, one complete),
and the rest one by one, as ``upload`` sends them. A server without upload batches (404)
gets them one by one too. The same file given twice (the same content, or the same file)
is sent once.

Each file is read from its checked descriptor when it has one (a prepared create's
``OpenedInput``), never opened again by path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heygen_lipsync import telemetry
from heygen_lipsync._transport.http import new_idempotency_key
from heygen_lipsync.errors import APIError, ValidationError
from heygen_lipsync.jobs.plan import PreparedJob
from heygen_lipsync.jobs.sending import SendCalls, derived_upload_key
from heygen_lipsync.jobs.uploads import upload_once
from heygen_lipsync.media.opened import OpenedInput
from heygen_lipsync.media.paths import expand_user
from heygen_lipsync.models import Asset
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.resources.upload_batches import (
    MAX_BATCH_FILES,
    BatchFile,
    BatchUploadsUnsupported,
    takes_direct_upload,
    upload_batch,
)
from heygen_lipsync.resources.uploads import UploadProgress, _byte_report, upload_file
from heygen_lipsync.sources import AssetSource, open_checked, validate_idempotency_key

__all__ = ["UploadManyCalls"]

logger = logging.getLogger("heygen_lipsync")


@dataclass
class _File:
    """One file to upload: where it came from, the field it fills, the key of its single upload."""

    path: Path  # an OpenedInput when the caller checked and opened it
    field: str
    key: str
    digest: str | None = None
    identity: tuple[Any, ...] = ()
    future: asyncio.Future[tuple[Asset, str | None]] | None = None


class _Round:
    """Collects the files that need sending until every file has been seen, then sends them at once."""

    def __init__(self, count: int, send: Callable[[list[_File]], Any]) -> None:
        self.undecided = count
        self.joined: list[_File] = []
        self._send = send
        self.task: asyncio.Task[None] | None = None

    async def join(self, file: _File, on_hashed: Callable[[str], Any]) -> Asset:
        file.future = asyncio.get_running_loop().create_future()
        self.joined.append(file)
        self._decided()
        asset, sha256 = await file.future
        if sha256 is not None:
            on_hashed(sha256)
        return asset

    def left(self, file: _File) -> None:
        if file.future is None:  # found in the ledger (or refused before sending): nothing to send
            self._decided()

    def _decided(self) -> None:
        self.undecided -= 1
        if self.undecided == 0 and self.joined:
            self.task = asyncio.ensure_future(self._send(self.joined))


def _identity(path: Path, digest: str | None) -> tuple[Any, ...]:
    """What makes two files the same upload: their content hash, else the file itself."""
    if digest is not None:
        return ("sha256", digest)
    try:
        stat = path.stat()
    except OSError:
        return ("path", str(path))
    return ("inode", stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class UploadManyCalls(SendCalls):
    """``upload_many`` and the uploads of a batch create, in upload batches where that cuts requests."""

    async def upload_many(
        self,
        paths: Sequence[str | Path],
        *,
        idempotency_key: str | None = None,
        idempotency_keys: Sequence[str] | None = None,
        on_progress: UploadProgress | None = None,
    ) -> list[Asset]:
        """Upload many local files; one asset per path, in order.

        As ``upload`` for each file (a file with the content of one uploaded lately, that
        HeyGen still has, is not uploaded again; the same file twice is uploaded once), but
        files over 32 MB, two or more, are presigned and completed 100 at a time in one
        request each (HeyGen's upload batches) instead of two requests per file. A server
        without upload batches gets them one by one. ``idempotency_key`` makes a retry
        store each file once (each file's key derives from it and the file's place in
        ``paths``); ``idempotency_keys`` gives each file its own key instead, one per path,
        for a caller whose files keep their keys whatever the list (a campaign's rows).
        An opened file (``OpenedInput``) is read from its descriptor and left open.

        Raises:
            ValidationError: a missing, unreadable or unsupported file (naming ``paths[i]``), a
                bad key, or ``idempotency_keys`` not one per path (or given with ``idempotency_key``).
            APIStatusError, APIConnectionError: as for every call; with ``idempotency_key`` set
                when an upload may have stored a file.
        """
        if idempotency_key is not None:
            validate_idempotency_key(idempotency_key)
        base = idempotency_key or new_idempotency_key()
        keys = [derived_upload_key(base, str(i)) for i in range(len(paths))]
        if idempotency_keys is not None:
            if idempotency_key is not None:
                raise ValidationError("idempotency_keys", "give idempotency_key or idempotency_keys, not both")
            if len(idempotency_keys) != len(paths):
                raise ValidationError(
                    "idempotency_keys", f"give one key per path: {len(idempotency_keys)} keys for {len(paths)} paths"
                )
            keys = [
                validate_idempotency_key(key, field=f"idempotency_keys[{i}]") for i, key in enumerate(idempotency_keys)
            ]
        opened: list[OpenedInput] = []
        try:
            for index, path in enumerate(paths):
                given = path if isinstance(path, OpenedInput) else None
                opened.append(given or open_checked(expand_user(path), field=f"paths[{index}]"))
            stamps = [(Path(o.absolute()), o.fstat().st_size, o.fstat().st_mtime_ns) for o in opened]
            files = [_File(o, f"paths[{i}]", keys[i]) for i, o in enumerate(opened)]
            retry_key = base if idempotency_keys is None else None  # else each file's own key
            with telemetry.span("upload_many", files=len(files)) as current:
                assets = await self._upload_files(
                    files, on_progress=on_progress, check_reused=True, create_key=retry_key
                )
                current.set("asset_ids", [asset.asset_id for asset in assets])
        finally:
            for index, o in enumerate(opened):
                if not isinstance(paths[index], OpenedInput):
                    o.close()
        for asset, stamp in zip(assets, stamps, strict=True):
            self._uploaded[asset.asset_id] = stamp
        return assets

    async def _upload_job_sources(self, jobs: Sequence[PreparedJob], *, key: str) -> list[LipsyncRequest]:
        """Each job's request with its local files uploaded (as ``_upload_sources`` would, item by item)."""
        files: list[_File] = []
        where: list[tuple[int, str]] = []
        for index, job in enumerate(jobs):
            item_key = derived_upload_key(key, str(index))
            for name, source in job.request.file_sources.items():
                files.append(
                    _File(
                        source.path,
                        f"lipsyncs[{index}].{name}",
                        derived_upload_key(item_key, name),
                        digest=job.hashes.get(name),
                    )
                )
                where.append((index, name))
        assets = await self._upload_files(files, on_progress=None, check_reused=False, create_key=key)
        replaced: list[dict[str, AssetSource]] = [{} for _ in jobs]
        for (index, name), asset in zip(where, assets, strict=True):
            replaced[index][name] = AssetSource(asset.asset_id)
        return [job.request.with_sources(**replaced[i]) if replaced[i] else job.request for i, job in enumerate(jobs)]

    async def _upload_files(
        self, files: list[_File], *, on_progress: UploadProgress | None, check_reused: bool, create_key: str | None
    ) -> list[Asset]:
        """Upload each distinct file once through the ledger; an asset per file, in order."""
        leaders: dict[tuple[Any, ...], _File] = {}
        for file in files:
            file.identity = _identity(file.path, file.digest)
            leaders.setdefault(file.identity, file)
        distinct = list(leaders.values())
        sending = _Round(len(distinct), lambda joined: self._send_joined(joined, on_progress))

        async def one(file: _File) -> Asset:
            try:
                return await upload_once(
                    self.ledger,
                    base_url=self.settings.base_url,
                    path=expand_user(file.path),
                    digest=file.digest,
                    upload=lambda on_hashed: sending.join(file, on_hashed),
                    still_there=self._remembered_asset if check_reused else None,
                )
            finally:
                sending.left(file)

        outcomes = await asyncio.gather(*(one(file) for file in distinct), return_exceptions=True)
        if sending.task is not None:
            await asyncio.gather(sending.task, return_exceptions=True)
        done: dict[tuple[Any, ...], Asset] = {}
        for file, outcome in zip(distinct, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                raise self._named(outcome, file, create_key)
            done[file.identity] = outcome
        return [done[file.identity] for file in files]

    @staticmethod
    def _named(exc: BaseException, file: _File, create_key: str | None) -> BaseException:
        """The error as the caller sees it: its field named, the key to retry with (the caller's, else the file's)."""
        if isinstance(exc, ValidationError) and exc.field != file.field:
            named = ValidationError(file.field, exc.reason)
            named.__cause__ = exc
            return named
        if isinstance(exc, APIError) and exc.idempotency_key is not None:
            exc.idempotency_key = create_key or file.key  # a retry with it derives every upload's key again
        return exc

    async def _send_joined(self, joined: list[_File], on_progress: UploadProgress | None) -> None:
        """Send the files the ledger did not know: big ones in upload batches, the others one by one."""
        try:
            await self._send_each(joined, on_progress)
        except BaseException as exc:
            for file in joined:  # no upload may wait forever for an answer
                _settle(file, exc)
            raise

    async def _send_each(self, joined: list[_File], on_progress: UploadProgress | None) -> None:
        big = [f for f in joined if takes_direct_upload(_size(f.path))]
        batched = big if len(big) >= 2 else []
        singles = [f for f in joined if f not in batched]
        for start in range(0, len(batched), MAX_BATCH_FILES):
            chunk = batched[start : start + MAX_BATCH_FILES]
            try:
                await self._send_batch(chunk, on_progress)
            except BatchUploadsUnsupported:
                logger.info("the server has no upload batches (404); uploading %d files one by one", len(chunk))
                singles += chunk
        for file in singles:
            await self._send_single(file, on_progress)

    async def _send_batch(self, chunk: list[_File], on_progress: UploadProgress | None) -> None:
        batch: list[BatchFile] = []
        try:
            for f in chunk:
                opened = f.path if isinstance(f.path, OpenedInput) else open_checked(f.path, field=f.field)
                batch.append(BatchFile(opened, f.field, f.digest, _byte_report(on_progress, f.field, f.path)))
            key = derived_upload_key(chunk[0].key, f"batch-of-{len(chunk)}")
            results = await upload_batch(self._http, self._api, batch, idempotency_key=key)
        except BatchUploadsUnsupported:
            raise
        except Exception as exc:  # noqa: BLE001 - handed to each file's waiting upload
            for f in chunk:
                _settle(f, exc)
            return
        finally:
            for f, b in zip(chunk, batch, strict=False):
                if b.opened is not f.path:
                    b.opened.close()
        for f, result in zip(chunk, results, strict=True):
            if result.error is not None:
                _settle(f, result.error)
            elif result.asset is not None:
                _settle(f, (result.asset, result.sha256))

    async def _send_single(self, file: _File, on_progress: UploadProgress | None) -> None:
        hashed: list[str] = []
        try:
            asset = await upload_file(
                self._http,
                self._api,
                file.path,
                idempotency_key=file.key,
                on_progress=on_progress,
                field=file.field,
                on_hashed=hashed.append,
            )
        except Exception as exc:  # noqa: BLE001 - handed to the file's waiting upload
            _settle(file, exc)
            return
        _settle(file, (asset, hashed[-1] if hashed else None))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size  # an opened file: its descriptor's
    except OSError:
        return 0  # sent alone: its single upload reports the unreadable file properly


def _settle(file: _File, outcome: tuple[Asset, str | None] | BaseException) -> None:
    """Hand the file's waiting upload its asset (and the hash of the bytes sent), or its error."""
    future = file.future
    if future is None or future.done():
        return
    if isinstance(outcome, asyncio.CancelledError):
        future.cancel()
    elif isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
