"""Uploads through the ledger: a file with the same content as one uploaded lately is not uploaded again.

Every ledger call here runs off the event loop: a ledger another process holds locked delays
this upload at most the ledger's short bookkeeping wait, never the other requests of a server.

Inside a create (``jobs.create``), a reused asset HeyGen no longer has makes the create fail;
the create then forgets it and is sent once more with the files uploaded afresh. Every
upload is recorded (path, size, modification time, content hash) so a later create from the
asset can be priced, and so ``delete_uploads`` knows which jobs still use an asset.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from heygen_lipsync.jobs.create import definitely_not_created, reused_assets
from heygen_lipsync.media.files import sha256_file
from heygen_lipsync.models import Asset
from heygen_lipsync.store import Ledger, asset_reuse_days

__all__ = ["origin_of", "upload_once"]


def origin_of(ledger: Ledger | None, base_url: str) -> str:
    """The origin records and fingerprints name: the ledger's own (the embedded sandbox's), else the base URL."""
    return (ledger.origin if ledger is not None else None) or base_url


async def upload_once(
    ledger: Ledger | None,
    *,
    base_url: str,
    path: Path,
    digest: str | None,
    upload: Callable[[Callable[[str], Any]], Awaitable[Asset]],
    still_there: Callable[[str], Awaitable[Asset | None]] | None = None,
) -> Asset:
    """Upload ``path``, or reuse the asset of a file with the same content uploaded lately.

    ``upload(on_hashed)`` sends the file and passes ``on_hashed`` the SHA-256 of the bytes it
    sent. The file is hashed before sending only when a remembered upload has its size (no
    other could hold the same content); otherwise it is read once, and the hash taken while
    sending is what the ledger keeps for the next upload of the same content.

    Inside a create, a reused asset HeyGen no longer has makes the create fail;
    ``create_once`` then forgets it and sends the create again with the file uploaded
    afresh. A plain upload has no such second chance, so it asks first: ``still_there(id)``
    returns the asset when HeyGen still has it, None when it is gone (forgotten, then
    uploaded again). Without ``still_there`` a plain upload always uploads.

    Raises:
        HeyGenError: as raised by ``upload``; ``ConfigurationError`` for a malformed
            ``HEYGEN_LIPSYNC_ASSET_REUSE_DAYS``.
    """
    sent: list[str] = []
    if ledger is None:
        return await upload(sent.append)
    origin = origin_of(ledger, base_url)
    max_age = asset_reuse_days()
    try:
        stat = path.stat()
        size = stat.st_size
        if digest is None and await asyncio.to_thread(
            ledger.may_have_asset_of_size, size, base_url=origin, max_age_days=max_age
        ):
            digest = await asyncio.to_thread(sha256_file, path)
    except OSError:
        return await upload(sent.append)  # the upload reports the unreadable file properly
    known = (
        None
        if digest is None
        else await asyncio.to_thread(ledger.asset_for, digest, base_url=origin, max_age_days=max_age)
    )
    collector = reused_assets.get()
    if known is not None and collector is not None:  # inside a create, which can recover
        collector.append(known)
        return Asset(asset_id=known)
    if known is not None and still_there is not None:
        alive = await still_there(known)
        if alive is not None:
            return alive
        await asyncio.to_thread(ledger.forget_asset, known)
    # The size and modification time let a later process probe the file for a price (if unchanged).
    inputs = {"file": str(path), "abs_path": str(path.absolute()), "size_bytes": size, "mtime_ns": stat.st_mtime_ns}
    row = await asyncio.to_thread(
        ledger.record, kind="upload", base_url=origin, inputs=inputs, hashes={"file": digest} if digest else {}
    )
    try:
        asset = await upload(sent.append)
    except BaseException as exc:
        await asyncio.to_thread(ledger.update, row, status="refused" if definitely_not_created(exc) else "unknown")
        raise
    # The bytes sent are what HeyGen holds: their hash, not one taken before, names the asset.
    await asyncio.to_thread(
        ledger.update, row, status="uploaded", asset_id=asset.asset_id, hashes={"file": sent[-1]} if sent else None
    )
    return asset
