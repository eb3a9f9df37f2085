"""The lipsync and batch operations of the client: get, list, update, delete, batches, statuses."""

from __future__ import annotations

import asyncio
import builtins
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from heygen_lipsync import polling as waiting
from heygen_lipsync._transport.pages import PageTokens
from heygen_lipsync._transport.responses import data_of
from heygen_lipsync.checks import check_id as _check_id
from heygen_lipsync.checks import check_limit as _check_limit
from heygen_lipsync.errors import (
    NotFoundError,
    ValidationError,
)
from heygen_lipsync.models import (
    Batch,
    Lipsync,
    LipsyncPage,
    StatusEntry,
)
from heygen_lipsync.request import check_title as _check_title
from heygen_lipsync.resources.core import ClientCore

logger = logging.getLogger("heygen_lipsync")


class LipsyncCalls(ClientCore):
    """The lipsync and batch operations of the client: get, list, update, delete, batches, statuses."""

    async def get(self, lipsync_id: str) -> Lipsync:
        """Fetch one lipsync: its status and, once completed, fresh download URLs.

        Raises:
            ValidationError: the id is empty or malformed.
            NotFoundError: no such lipsync.
            APIStatusError, APIConnectionError: as for every call.
        """
        lipsync_id = _check_id(lipsync_id, "lipsync_id")
        from heygen_lipsync_api.api.lipsync import get_lipsync_v3

        body = await self._call(get_lipsync_v3.asyncio_detailed, lipsync_id)
        lipsync = Lipsync.from_api(data_of(body, "get"))
        if self.ledger is not None:
            await asyncio.to_thread(self.ledger.set_status, lipsync.id, lipsync.status)  # never on the event loop
        return lipsync

    async def list(self, *, limit: int | None = None, token: str | None = None) -> LipsyncPage:
        """One page of the account's lipsyncs, newest first; pass ``next_token`` for the next.

        Raises:
            ValidationError: limit outside 1..100.
            APIStatusError, APIConnectionError: as for every call.
        """
        kwargs: dict[str, Any] = {}
        if _check_limit(limit) is not None:
            kwargs["limit"] = limit
        if token:
            kwargs["token"] = token
        from heygen_lipsync_api.api.lipsync import list_lipsyncs_v3

        body = await self._call(list_lipsyncs_v3.asyncio_detailed, **kwargs)
        raw_items = body.get("data")
        if not isinstance(raw_items, builtins.list):
            raw_items = []
        items = [Lipsync.from_api(i) for i in raw_items if isinstance(i, Mapping)]
        next_token = body.get("next_token")
        return LipsyncPage(
            items=items,
            has_more=body.get("has_more") is True,
            next_token=next_token if isinstance(next_token, str) and next_token else None,
        )

    async def iter_lipsyncs(self, *, page_size: int | None = None) -> AsyncIterator[Lipsync]:
        """Every lipsync of the account, fetching pages as needed.

        Raises:
            ValidationError: page_size outside 1..100.
            APIError: ``unexpected_response`` when a page token comes back a second time (a cycle).
            APIStatusError, APIConnectionError: as for every call.
        """
        _check_limit(page_size, "page_size")
        tokens = PageTokens("GET /v3/lipsyncs")
        token: str | None = None
        while True:
            page = await self.list(limit=page_size or 100, token=token)  # HeyGen's largest page
            for item in page.items:
                yield item
            token = tokens.next(page.next_token, has_more=page.has_more)
            if token is None:
                return

    async def update(self, lipsync_id: str, *, title: str) -> Lipsync:
        """Change a lipsync's title.

        Raises:
            ValidationError: empty id, or empty / too long title.
            NotFoundError: no such lipsync.
            APIStatusError, APIConnectionError: as for every call.
        """
        lipsync_id = _check_id(lipsync_id, "lipsync_id")
        from heygen_lipsync_api.api.lipsync import update_lipsync_v3
        from heygen_lipsync_api.models import UpdateLipsyncRequest

        body = await self._call(
            update_lipsync_v3.asyncio_detailed, lipsync_id, body=UpdateLipsyncRequest(title=_check_title(title))
        )
        return Lipsync.from_api(data_of(body, "update"))

    async def delete(self, lipsync_id: str) -> str:
        """Delete a lipsync and its outputs (cannot be undone); returns the deleted id.

        Raises:
            ValidationError: the id is empty or malformed.
            NotFoundError: no such lipsync.
            APIStatusError, APIConnectionError: as for every call.
        """
        lipsync_id = _check_id(lipsync_id, "lipsync_id")
        from heygen_lipsync_api.api.lipsync import delete_lipsync_v3

        data = data_of(await self._call(delete_lipsync_v3.asyncio_detailed, lipsync_id), "delete")
        deleted = data.get("id")
        return deleted if isinstance(deleted, str) and deleted else lipsync_id

    async def get_batch(self, batch_id: str, *, limit: int | None = None, token: str | None = None) -> Batch:
        """A batch's progress and one page of its items (``next_token`` for more).

        Raises:
            ValidationError: empty id or limit outside 1..100.
            NotFoundError: no such batch.
            APIStatusError, APIConnectionError: as for every call.
        """
        batch_id = _check_id(batch_id, "batch_id")
        kwargs: dict[str, Any] = {}
        if _check_limit(limit) is not None:
            kwargs["limit"] = limit
        if token:
            kwargs["token"] = token
        from heygen_lipsync_api.api.lipsync import get_lipsync_batch_v3

        body = await self._call(get_lipsync_batch_v3.asyncio_detailed, batch_id, **kwargs)
        data = dict(data_of(body, "get_batch"))
        # has_more / next_token may sit beside data (like list) or inside it.
        for key in ("has_more", "next_token"):
            if key not in data and key in body:
                data[key] = body[key]
        return Batch.from_api(data)

    async def statuses(
        self, *, lipsync_ids: Sequence[str] = (), batch_ids: Sequence[str] = ()
    ) -> builtins.list[StatusEntry]:
        """Statuses of many lipsyncs and/or batch items (one request per 100 ids).

        HeyGen's endpoint takes ``lipsync_ids`` and ``batch_ids`` only, up to 100 ids in all,
        and no paging parameters: each request answers for every id it names. Statuses use
        the read-model vocabulary (queued, processing, completed, failed, not_found; an open
        string); a failed entry's ``error`` is an ``ItemError``.

        Raises:
            ValidationError: no ids, or a malformed id.
            APIStatusError, APIConnectionError: as for every call.
        """
        lipsyncs = [_check_id(i, "lipsync_ids") for i in dict.fromkeys(lipsync_ids)]
        batches = [_check_id(i, "batch_ids") for i in dict.fromkeys(batch_ids)]
        if not lipsyncs and not batches:
            raise ValidationError("lipsync_ids", "give at least one lipsync id or batch id")
        entries: builtins.list[StatusEntry] = []
        size = waiting.STATUS_QUERY_MAX_IDS  # the one place ids are split into requests
        groups: builtins.list[tuple[str, builtins.list[str]]] = [
            ("lipsync_ids", lipsyncs[i : i + size]) for i in range(0, len(lipsyncs), size)
        ] + [("batch_ids", batches[i : i + size]) for i in range(0, len(batches), size)]
        from heygen_lipsync_api.api.lipsync import get_lipsync_statuses_v3

        for param, chunk in groups:
            body = await self._call(get_lipsync_statuses_v3.asyncio_detailed, **{param: ",".join(chunk)})
            raw = body.get("data")
            if isinstance(raw, builtins.list):
                entries.extend(StatusEntry.from_api(e) for e in raw if isinstance(e, Mapping))
        return entries

    async def _lipsync_status(self, lipsync_id: str) -> str | None:
        try:
            return (await self.get(lipsync_id)).status
        except NotFoundError:
            return None

    async def _batch_item_id(self, batch_id: str, index: int) -> str | None:
        """The lipsync id of item ``index`` of a batch, or None when the batch (or the item) is gone."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            try:
                batch = await self.get_batch(batch_id, limit=100, token=token)
            except NotFoundError:
                return None
            for item in batch.items:
                if item.item_index == index:
                    return item.lipsync_id
            token = batch.next_token if batch.has_more else None
            if not token or token in seen:
                return None
            seen.add(token)

    async def _batch_status(self, batch_id: str) -> str | None:
        try:
            return (await self.get_batch(batch_id, limit=1)).status
        except NotFoundError:
            return None
