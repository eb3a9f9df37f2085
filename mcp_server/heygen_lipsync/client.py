"""``AsyncLipsyncClient``: every operation of the Lipsync API, async, over the generated client.

Requests are built and sent by the generated ``*_detailed`` functions (each operation's
module imported where it is called, so a process loads only the operations it uses) through the one
``httpx.AsyncClient`` whose transport applies the HTTP policy (``_http``). A non-2xx
response becomes a typed error in ``errors.raise_for_response``; a 2xx body the generated
models cannot parse is read leniently instead, so new fields and values never crash.
"""

from __future__ import annotations

import asyncio
import builtins
import dataclasses
import hashlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

import httpx

from heygen_lipsync import polling as waiting
from heygen_lipsync._transport.http import build_http_client, tracking_delivery
from heygen_lipsync._transport.pages import PageTokens
from heygen_lipsync._transport.raw import RawResponses, record_response
from heygen_lipsync._transport.responses import call_generated, capture_response, data_of
from heygen_lipsync.checks import check_id as _check_id
from heygen_lipsync.checks import check_limit as _check_limit
from heygen_lipsync.config import Settings, resolve_settings
from heygen_lipsync.errors import (
    APIConnectionError,
    APIError,
    ConflictError,
    JobFailedError,
    NotFoundError,
    ServerError,
    ValidationError,
)
from heygen_lipsync.jobs import cleanup as upload_cleanup
from heygen_lipsync.jobs.approval import Approval, Approver, approve_all
from heygen_lipsync.jobs.authority import SpendAuthority
from heygen_lipsync.jobs.cleanup import UploadMemory
from heygen_lipsync.jobs.create import CreateOutcome, submit_once
from heygen_lipsync.jobs.fingerprint import fingerprint_of
from heygen_lipsync.jobs.plan import PreparedJob, Quote, prepare_jobs
from heygen_lipsync.jobs.preflight import Preflight
from heygen_lipsync.jobs.pricing import Rates, rates_from_env
from heygen_lipsync.jobs.uploads import origin_of, upload_once
from heygen_lipsync.ledger import DailyCaps, JobRecord, Ledger, open_default
from heygen_lipsync.media import files
from heygen_lipsync.media.opened import OpenedInput
from heygen_lipsync.media.paths import expand_user
from heygen_lipsync.media.probe import MediaProbe, probe_if_unchanged
from heygen_lipsync.models import (
    Account,
    Asset,
    AssetDetail,
    AssetStatus,
    Batch,
    DownloadResult,
    DubResult,
    Lipsync,
    LipsyncPage,
    StatusEntry,
)
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.request import check_title as _check_title
from heygen_lipsync.resources import assets, folders, webhooks
from heygen_lipsync.resources.folders import Folder
from heygen_lipsync.resources.uploads import UploadEvent, UploadEvents, UploadProgress, upload_file
from heygen_lipsync.resources.webhooks import WebhookEndpoint, WebhookEvent, WebhookEventType
from heygen_lipsync.sources import (
    MAX_BATCH_SIZE,
    AssetSource,
    MediaSource,
    SourceLike,
    validate_idempotency_key,
    validate_url,
)
from heygen_lipsync_api.client import AuthenticatedClient

__all__ = ["AsyncLipsyncClient", "DownloadProgress", "UploadEvent", "UploadEvents", "UploadProgress"]

DownloadProgress = Callable[[int, int | None], Any]

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


def _derived_key(key: str, suffix: str) -> str:
    """The key of one upload (or batch item) of a create: stable across the caller's retries.

    A hash of the caller's key and the suffix, not a prefix of the key: cutting a long key to
    fit 255 characters made two items' keys equal, and the second replayed the first's upload.
    The suffix stays readable at the end; the result matches the key pattern for any suffix
    of letters, digits and ``_:.-``.
    """
    digest = hashlib.sha256(f"{key}\n{suffix}".encode()).hexdigest()
    return f"hl-{digest}:{suffix}"


class AsyncLipsyncClient:
    """An async client for HeyGen's Lipsync API; construct it once and reuse it.

    ```python
    async with AsyncLipsyncClient() as client:
        lipsync_id = await client.create(LipsyncRequest(video="talk.mp4", audio="https://.../dub.mp3"))
        done = await client.wait(lipsync_id)
        await client.download(done, Path("."))  # ./<id>.mp4
    ```

    Settings are resolved as explicit argument > environment > default (see ``config``);
    ``settings`` replaces resolution entirely, with explicit arguments still applied on top.
    ``transport`` lets tests and the sandbox substitute the network (e.g. ``httpx.MockTransport``).
    ``ledger`` is the job ledger creates and uploads are recorded in (``ledger.py``): by default
    the install's (``HEYGEN_LIPSYNC_LEDGER``), None for none. ``origin`` names the API in
    records and job fingerprints instead of the base URL: an embedded sandbox is ``sandbox``,
    whatever port it listens on, so a rerun finds its job.
    A missing API key raises ``ConfigurationError`` at the first request, not here.

    Raises:
        ConfigurationError: a malformed setting (base URL, timeout, retries) from an argument or
            the environment.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        bearer_token: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        settings: Settings | None = None,
        ledger: Ledger | Literal["default"] | None = "default",
        origin: str | None = None,
    ) -> None:
        if settings is None:
            settings = resolve_settings(
                api_key=api_key, bearer_token=bearer_token, base_url=base_url, timeout=timeout, max_retries=max_retries
            )
        else:
            settings = dataclasses.replace(
                settings,
                api_key=api_key or settings.api_key,
                bearer_token=bearer_token or settings.bearer_token,
                base_url=base_url.rstrip("/") if base_url else settings.base_url,
                timeout=settings.timeout if timeout is None else float(timeout),
                max_retries=settings.max_retries if max_retries is None else int(max_retries),
            )
        self.settings = settings
        self.ledger = open_default() if ledger == "default" else ledger
        self.caps = DailyCaps.from_env()
        #: What records and fingerprints name: the base URL, or "sandbox" for the embedded sandbox (any port).
        self.origin = origin or origin_of(self.ledger, settings.base_url)
        #: The one place this client's paid jobs are authorized (``jobs.authority``).
        self.authority = SpendAuthority(self.ledger, self.caps, origin=self.origin)
        self._http = build_http_client(
            settings, transport=transport, event_hooks={"response": [capture_response, record_response]}
        )
        # The token is unused: credentials are added per request by the policy transport.
        self._api = AuthenticatedClient(base_url=settings.base_url, token="").set_async_httpx_client(self._http)
        # Probes of files this client uploaded, by asset id, so a create from the asset is priced;
        # the ledger keeps them for other processes, this dict when the ledger is off. A file is
        # probed when a price first needs it: ``_uploaded`` says which file, as it was then.
        self._probes: dict[str, MediaProbe] = {}
        self._uploaded: dict[str, tuple[Path, int, int]] = {}
        # What each create uploaded from local files, for delete_uploads (upload_cleanup.py).
        self.uploads = UploadMemory()

    def __repr__(self) -> str:
        return f"AsyncLipsyncClient(base_url={self.settings.base_url!r}, auth={self.settings.auth_description!r})"

    @property
    def with_raw_response(self) -> RawResponses:
        """The same methods, returning ``RawResponse`` (``.parsed``, ``.status_code``, ``.headers``, ``.request_id``).

        ```python
        raw = await client.with_raw_response.get(lipsync_id)
        print(raw.request_id, raw.headers["x-ratelimit-remaining"], raw.parsed.status)
        ```
        """
        return RawResponses(self)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close connections. The client cannot be used afterwards."""
        await self._http.aclose()

    def remember_probe(self, asset_id: str, probe: MediaProbe) -> None:
        """Remember what the file uploaded as ``asset_id`` holds, so preflight can price jobs using it.

        Kept in this client and, when the ledger is on and recorded the upload, in the ledger
        (by the file's SHA-256), so later processes of this install price the asset too.
        """
        self._probes[asset_id] = probe
        if self.ledger is not None:
            self.ledger.remember_asset_probe(asset_id, probe.to_dict())

    def remembered_probe(self, asset_id: str) -> MediaProbe | None:
        """What the file uploaded as ``asset_id`` holds (by this client, or recorded in the ledger), or None.

        The first call for an upload probes its file with PyAV (it blocks: servers call it off
        their event loop), if the file is still as it was uploaded (same size and modification
        time); then the probe is remembered. None for assets this install did not upload.
        """
        probe = self._probes.get(asset_id)
        if probe is None and self.ledger is not None:
            stored = self.ledger.probe_for_asset(asset_id)
            try:
                probe = MediaProbe.from_dict(stored) if stored is not None else None
            except (KeyError, TypeError, ValueError):  # a row written by another version: unknown, not an error
                probe = None
        if probe is None:
            stamp = self._uploaded.get(asset_id) or (self.ledger.upload_stamp(asset_id) if self.ledger else None)
            probe = probe_if_unchanged(*stamp) if stamp is not None else None
            if probe is not None:
                self.remember_probe(asset_id, probe)
        return probe

    # -- plumbing ---------------------------------------------------------------------

    async def _call(self, fn: Callable[..., Awaitable[Any]], /, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Run one generated ``asyncio_detailed`` function; return the 2xx JSON body as a dict."""
        return await call_generated(self._api, fn, *args, **kwargs)

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

    # -- lipsyncs -----------------------------------------------------------------------

    async def create(
        self,
        request: LipsyncRequest | PreparedJob,
        *,
        idempotency_key: str | None = None,
        on_upload_progress: UploadProgress | None = None,
        new_job: bool = False,
        estimate_usd: float | None = None,
        approve: Approver | Approval | None = None,
    ) -> str:
        """Create a lipsync job; local files in ``video``/``audio`` are uploaded first.

        One Idempotency-Key covers the whole call (and, derived from it, its uploads), so a
        retry after a lost response never makes a second job. Pass your own key to make a
        retry of the whole call safe too. An identical earlier create (same content, fields
        and options) returns its job instead (``new_job=True`` for another); see ``submit``.

        Returns:
            The new lipsync's id; follow with ``wait(id)``.

        Raises:
            ValidationError: the request or the key is invalid (before any request).
            SpendError: a daily cap, the approval or the job store refused (nothing sent).
            APIStatusError: the API refused (BadRequestError, AuthenticationError, RateLimitError, ...).
            APIConnectionError: the API could not be reached after retries.
        """
        outcome = await self.submit(
            request,
            idempotency_key=idempotency_key,
            on_upload_progress=on_upload_progress,
            new_job=new_job,
            estimate_usd=estimate_usd,
            approve=approve,
        )
        return outcome.id

    async def prepare(
        self,
        requests: Sequence[LipsyncRequest],
        *,
        batch: bool = False,
        check_assets: bool = False,
        rates: Rates | None = None,
    ) -> builtins.list[PreparedJob]:
        """Open, check, hash, probe and price jobs before anything is sent (``jobs.plan``).

        Each local file is opened once here; that descriptor is what a later ``submit`` uploads.
        With ``check_assets`` (front-ends that ask a person before spending), asset ids this
        install did not upload are looked up, so a job naming an asset that does not exist is
        refused before anyone is asked or anything is uploaded.

        Raises:
            ValidationError: a bad request, file or asset id (the field is named).
            APIStatusError, APIConnectionError: an asset could not be looked up.
        """
        jobs = await asyncio.to_thread(
            prepare_jobs, requests, origin=self.origin, rates=rates or rates_from_env(), probes=self.remembered_probe,
            batch=batch,
        )  # fmt: skip
        try:
            for job in jobs if check_assets else ():
                for name in ("video", "audio"):
                    source = getattr(job.request, name)
                    if isinstance(source, AssetSource) and not self._knows_asset(source.asset_id):
                        await self._check_asset(source.asset_id, f"{job.field_prefix}{name}")
        except BaseException:
            for job in jobs:
                job.close()
            raise
        return jobs

    def _knows_asset(self, asset_id: str) -> bool:
        return asset_id in self._uploaded or asset_id in self._probes

    async def _check_asset(self, asset_id: str, field: str) -> None:
        try:
            await self.get_asset(asset_id)
        except NotFoundError:
            raise ValidationError(
                field, f"no asset {asset_id!r} on this account (deleted, or never uploaded); nothing was sent"
            ) from None

    async def quote(self, jobs: Sequence[PreparedJob], *, new_job: bool = False) -> Quote:
        """What authorizing ``jobs`` would do: which an earlier identical job covers, which are new, their price."""

        reused: dict[int, JobRecord | None] = {}
        if not new_job:
            for index, job in enumerate(jobs):
                earlier = await self.authority.earlier(job.fingerprint)
                if earlier is not None:
                    reused[index] = earlier
        findings = tuple(
            dataclasses.replace(f, field=f"{j.field_prefix}{f.field}") for j in jobs for f in j.preflight.findings
        )
        return Quote(list(jobs), Preflight(items=tuple(j.preflight for j in jobs), findings=findings), reused)

    async def _approval(
        self, jobs: Sequence[PreparedJob], approve: Approver | Approval | None, new_job: bool
    ) -> Approval:
        if isinstance(approve, Approval):
            return approve
        quote = await self.quote(jobs, new_job=new_job)
        if not quote.new:
            return Approval(by="policy")  # nothing new to pay for: nobody needs asking
        answer = (approve or approve_all)(quote)  # an Approver may be a plain function too
        return await answer if inspect.isawaitable(answer) else answer

    async def submit(
        self,
        request: LipsyncRequest | PreparedJob,
        *,
        idempotency_key: str | None = None,
        on_upload_progress: UploadProgress | None = None,
        new_job: bool = False,
        estimate_usd: float | None = None,
        approve: Approver | Approval | None = None,
        sources: LipsyncRequest | None = None,
    ) -> CreateOutcome:
        """``create``, saying also whether the job was an earlier identical one (``reused``).

        The job passes the spend authority (``jobs.authority``) once: an identical earlier
        create that has not failed is returned without sending anything, the daily caps are
        checked and the job recorded in one store transaction, and the key derives from the
        job's fingerprint (content, fields, options), so a rerun never pays twice.
        ``new_job=True`` makes a fresh job (and key) deliberately. ``approve`` is who says yes
        to a new job: an ``Approver`` (called with the quote), an ``Approval`` a front-end
        obtained, or None (no question; the caps still apply). ``estimate_usd`` overrides
        the price this library estimates (e.g. for a URL whose length you know). ``sources``
        (campaigns) is the same request with its files already uploaded, sent instead.

        Raises:
            ValidationError: the request is invalid, or the key was used for a different request.
            SpendError: a daily cap, the approval or the job store refused (nothing sent).
            APIStatusError, APIConnectionError: as for ``create``.
        """
        if idempotency_key is not None:
            validate_idempotency_key(idempotency_key)
        owned = not isinstance(request, PreparedJob)
        job = (await self.prepare([request]))[0] if not isinstance(request, PreparedJob) else request
        try:
            approval = await self._approval([job], approve, new_job)

            async def send(key: str) -> str:
                uploaded = sources or await self._upload_sources(
                    job.request, key=key, on_progress=on_upload_progress, digests=job.hashes
                )
                from heygen_lipsync_api.api.lipsync import create_lipsync_v3
                from heygen_lipsync_api.models import CreateLipsyncRequest

                body = CreateLipsyncRequest.from_dict(uploaded.to_api_dict())
                new_id = await self._create(
                    create_lipsync_v3.asyncio_detailed, body, key=key, what="create", id_field="lipsync_id"
                )
                made = (getattr(uploaded, name) for name in job.request.file_sources)
                self.uploads.note(new_id, [source.asset_id for source in made if isinstance(source, AssetSource)])
                waiting.note_started(new_id)  # wait's schedule counts the job's age from here
                return new_id

            return await submit_once(
                self.authority,
                kind="lipsync",
                fingerprint=job.fingerprint,
                idempotency_key=idempotency_key,
                new_job=new_job,
                jobs=1,
                estimate_usd=job.estimate_usd if estimate_usd is None else estimate_usd,
                counted_usd=job.counted_usd if estimate_usd is None else estimate_usd,
                inputs=job.inputs,
                hashes=job.hashes,
                approval=approval,
                send=send,
                still_good=self._lipsync_status,
                batch_item=self._batch_item_id,
            )
        finally:
            if owned:
                job.close()

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
                    idempotency_key=_derived_key(key, name),
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

    # -- batches and statuses -----------------------------------------------------------

    async def create_batch(
        self,
        requests: Sequence[LipsyncRequest | PreparedJob],
        *,
        title: str | None = None,
        callback_url: str | None = None,
        idempotency_key: str | None = None,
        new_job: bool = False,
        estimate_usd: float | None = None,
        approve: Approver | Approval | None = None,
    ) -> str:
        """Submit 1..100 lipsync jobs in one request; local files are uploaded first.

        Through the spend authority like ``submit``: an identical earlier batch is returned
        instead (``submit_batch`` says whether it was).

        Returns:
            The batch id; follow with ``get_batch`` or ``wait_many`` on its items' ids.

        Raises:
            ValidationError: wrong number of items, or an item is invalid (field named
                ``lipsyncs[i].<field>``), before any request.
            SpendError: a daily cap, the approval or the job store refused (nothing sent).
            APIStatusError, APIConnectionError: as for every call.
        """
        outcome = await self.submit_batch(
            requests,
            title=title,
            callback_url=callback_url,
            idempotency_key=idempotency_key,
            new_job=new_job,
            estimate_usd=estimate_usd,
            approve=approve,
        )
        return outcome.id

    async def submit_batch(
        self,
        requests: Sequence[LipsyncRequest | PreparedJob],
        *,
        title: str | None = None,
        callback_url: str | None = None,
        idempotency_key: str | None = None,
        new_job: bool = False,
        estimate_usd: float | None = None,
        approve: Approver | Approval | None = None,
    ) -> CreateOutcome:
        """``create_batch``, saying also whether the batch was an earlier identical one (``reused``).

        The batch passes the spend authority once, counting its items against the caps; an
        approval must cover every item (their fingerprints and count).

        Raises:
            ValidationError: as for ``create_batch``, or the key was used for a different request.
            SpendError: a daily cap, the approval or the job store refused (nothing sent).
            APIStatusError, APIConnectionError: as for every call.
        """
        if not 1 <= len(requests) <= MAX_BATCH_SIZE:
            raise ValidationError("lipsyncs", f"a batch holds 1 to {MAX_BATCH_SIZE} items, got {len(requests)}")
        if title is not None:
            _check_title(title)
        if callback_url is not None:
            validate_url(callback_url, field="callback_url")
        if idempotency_key is not None:
            validate_idempotency_key(idempotency_key)
        given = [r for r in requests if isinstance(r, PreparedJob)]
        fresh = [r for r in requests if not isinstance(r, PreparedJob)]
        if given and fresh:
            raise ValidationError("lipsyncs", "give every item as a LipsyncRequest, or every item prepared")
        jobs = given or await self.prepare(fresh, batch=True)
        try:
            approval = await self._approval(jobs, approve, new_job)
            body_of = {"lipsyncs": [f"{j.fingerprint}" for j in jobs], "title": title, "callback_url": callback_url}
            fingerprint = fingerprint_of({"batch": body_of}, self.origin)

            async def send(key: str) -> str:
                uploaded = [
                    await self._upload_sources(
                        job.request,
                        key=_derived_key(key, str(i)),
                        on_progress=None,
                        field_prefix=f"lipsyncs[{i}].",
                        create_key=key,
                        digests=job.hashes,
                    )
                    for i, job in enumerate(jobs)
                ]
                body_dict: dict[str, Any] = {"lipsyncs": [item.to_api_dict() for item in uploaded]}
                if title is not None:
                    body_dict["title"] = title
                if callback_url is not None:
                    body_dict["callback_url"] = callback_url
                from heygen_lipsync_api.api.lipsync import create_lipsync_batch_v3
                from heygen_lipsync_api.models import CreateLipsyncBatchRequest

                body = CreateLipsyncBatchRequest.from_dict(body_dict)
                return await self._create(
                    create_lipsync_batch_v3.asyncio_detailed, body, key=key, what="create_batch", id_field="batch_id"
                )

            prices = [j.estimate_usd for j in jobs]
            known = None if any(p is None for p in prices) else round(sum(p or 0.0 for p in prices), 4)
            counted = round(sum(j.counted_usd for j in jobs), 4)
            outcome = await submit_once(
                self.authority,
                kind="batch",
                fingerprint=fingerprint,
                idempotency_key=idempotency_key,
                new_job=new_job,
                jobs=len(jobs),
                estimate_usd=known if estimate_usd is None else estimate_usd,
                counted_usd=counted if estimate_usd is None else estimate_usd,
                inputs={"items": len(jobs), "title": title, "lipsyncs": [j.inputs for j in jobs],
                        "fingerprints": [j.fingerprint for j in jobs]},
                hashes={f"{i}.{k}": v for i, j in enumerate(jobs) for k, v in j.hashes.items()},
                approval=approval,
                send=send,
                still_good=self._batch_status,
            )  # fmt: skip
            if not outcome.reused and self.ledger is not None:
                fingerprints = [j.fingerprint for j in jobs]
                await asyncio.to_thread(
                    self.ledger.record_batch_items, outcome.id, base_url=self.origin, fingerprints=fingerprints
                )
            return outcome
        finally:
            for job in jobs if not given else ():
                job.close()

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

    # -- waiting ------------------------------------------------------------------------

    async def wait(
        self,
        lipsync_id: str,
        *,
        timeout: float = waiting.DEFAULT_WAIT_TIMEOUT,
        on_progress: waiting.ProgressHandler | None = None,
        poll_interval: float = waiting.DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = waiting.MAX_POLL_INTERVAL,
        delete_uploads: bool = False,
        receiver: waiting.Waker | None = None,
    ) -> Lipsync:
        """Poll until the job finishes, at ~8% of the job's age between polls (2 s to 30 s).

        The schedule follows the job's age (since this process created or first polled
        it), so a second ``wait`` on the same job resumes it rather than restarting at 2 s.
        With ``receiver`` (a ``CallbackReceiver`` whose URL is the job's ``callback_url``),
        a callback delivery for the job makes it poll at once, and the polls in between
        keep HeyGen's slower pace (the interval grows with the job's age up to 30 s), as a
        backstop for a lost delivery.

        ``on_progress(lipsync, elapsed_seconds)`` is called after each poll (may be async).
        ``delete_uploads``: once the job has finished (completed or failed), delete the assets
        its create uploaded from local files (``delete_uploads``), never ones passed by id.

        Returns:
            The completed lipsync, with ``video_url`` set.

        Raises:
            JobFailedError: the job failed; ``failure_message`` says why.
            WaitTimeoutError: the job is still running after ``timeout`` seconds (not failed;
                wait again to resume).
            NotFoundError: no such lipsync.
            ValidationError: the id is malformed.
        """
        lipsync_id = _check_id(lipsync_id, "lipsync_id")
        try:
            finished = await waiting.wait_one(
                self,
                lipsync_id,
                timeout=timeout,
                on_progress=on_progress,
                poll_interval=poll_interval,
                max_poll_interval=max_poll_interval,
                receiver=receiver,
            )
        except JobFailedError:
            if delete_uploads:
                await self.delete_uploads(lipsync_id)
            raise
        if delete_uploads:
            await self.delete_uploads(lipsync_id)
        return finished

    async def delete_uploads(self, lipsync_id: str) -> builtins.list[str]:
        """Delete the assets the create of ``lipsync_id`` uploaded from local files; return their ids.

        Never an asset the create was given by id. Known from this client's own creates, else
        from the ledger; an asset already gone counts as deleted. Call it once the job has
        finished (a running job may still need them).

        Raises:
            ValidationError: the id is malformed.
            APIStatusError, APIConnectionError: a delete failed.
        """
        return await upload_cleanup.delete_uploads(self, _check_id(lipsync_id, "lipsync_id"))

    async def wait_many(
        self,
        lipsync_ids: Sequence[str],
        *,
        timeout: float = waiting.DEFAULT_WAIT_TIMEOUT,
        on_progress: waiting.ProgressHandler | None = None,
        poll_interval: float = waiting.DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = waiting.MAX_WAIT_MANY_POLL_INTERVAL,
        receiver: waiting.Waker | None = None,
    ) -> dict[str, Lipsync]:
        """Wait for many jobs with one statuses request per round per 100 ids.

        Rounds follow ``wait``'s age schedule (~8% of the youngest unfinished job's age,
        resumed across calls), from 2 s up to 10 s: a round costs one request per 100 jobs,
        so a lower cap than ``wait``'s 30 s notices finished jobs sooner for little more.
        With ``receiver``, a callback delivery for any of the jobs starts a round at once,
        and rounds in between keep HeyGen's slower pace (as ``wait``'s).

        Individual failures do not raise: inspect each result's ``status``.

        Returns:
            id -> final Lipsync (completed or failed), in the order given.

        Raises:
            WaitTimeoutError: some jobs still running at the timeout (``.results`` has the
                finished ones, ``.pending_ids`` the rest).
            NotFoundError: an id does not exist.
            ValidationError: no ids, or a malformed id.
        """
        ids = [_check_id(i, "lipsync_ids") for i in lipsync_ids]
        if not ids:
            raise ValidationError("lipsync_ids", "give at least one lipsync id")
        return await waiting.wait_several(
            self,
            ids,
            timeout=timeout,
            on_progress=on_progress,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            receiver=receiver,
        )

    # -- files --------------------------------------------------------------------------

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
        asset = await self._upload_once(
            # An opened file stays opened: its descriptor, checked by the caller, is what is sent.
            path if isinstance(path, Path) else Path(path),
            idempotency_key=idempotency_key,
            on_progress=on_progress,
            check_reused=True,
        )
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

    async def get_asset(self, asset_id: str) -> AssetDetail:
        """One asset of the workspace: its name, type, owner, upload time and a URL when one can be made.

        Raises:
            ValidationError: the id is empty or malformed.
            NotFoundError: no such asset (or not this workspace's).
            APIStatusError, APIConnectionError: as for every call.
        """
        asset_id = _check_id(asset_id, "asset_id")
        from heygen_lipsync_api.api.assets import get_asset_v3

        return AssetDetail.from_api(data_of(await self._call(get_asset_v3.asyncio_detailed, asset_id), "get_asset"))

    async def asset_statuses(self, asset_ids: Sequence[str]) -> builtins.list[AssetStatus]:
        """Statuses of many assets (one request per 100 ids): ``processing`` means not usable yet.

        Raises:
            ValidationError: no ids, or a malformed id.
            APIStatusError, APIConnectionError: as for every call.
        """
        ids = [_check_id(i, "asset_ids") for i in asset_ids]
        if not ids:
            raise ValidationError("asset_ids", "give at least one asset id")
        return await assets.asset_statuses(self._api, ids)

    async def delete_asset(self, asset_id: str) -> str:
        """Delete an uploaded asset for good (it holds the user's face or voice); returns its id.

        Raises:
            ValidationError: the id is empty or malformed.
            NotFoundError: no such asset, or already deleted.
            APIStatusError, APIConnectionError: as for every call.
        """
        asset_id = _check_id(asset_id, "asset_id")
        from heygen_lipsync_api.api.assets import delete_asset_v3

        data = data_of(await self._call(delete_asset_v3.asyncio_detailed, asset_id), "delete_asset")
        deleted = data.get("id")
        return deleted if isinstance(deleted, str) and deleted else asset_id

    async def account(self) -> Account:
        """The account behind the API key: billing type and what is left to spend (``wallet``).

        Raises:
            AuthenticationError: the key is not valid.
            APIStatusError, APIConnectionError: as for every call.
        """
        from heygen_lipsync_api.api.user import get_user_me_v3

        return Account.from_api(data_of(await self._call(get_user_me_v3.asyncio_detailed), "account"))

    # -- folders and registered webhooks: thin calls of resources/ ------------------------

    async def create_folder(
        self, name: str, *, parent_id: str | None = None, type: str | None = None, idempotency_key: str | None = None
    ) -> Folder:
        """A new folder (root, or in ``parent_id``); its ``folder_id`` is what a create's ``folder_id`` takes.

        Raises:
            ValidationError, NotFoundError, APIStatusError, APIConnectionError: see ``resources.folders.create_folder``.
        """
        return await folders.create_folder(
            self._api, name, parent_id=parent_id, type=type, idempotency_key=idempotency_key
        )

    async def get_folder(self, folder_id: str) -> Folder:
        """One folder of the workspace (``is_trash`` says whether a create may still use it).

        Raises:
            ValidationError, NotFoundError, APIStatusError, APIConnectionError: see ``resources.folders.get_folder``.
        """
        return await folders.get_folder(self._api, folder_id)

    async def list_webhook_endpoints(
        self, *, limit: int | None = None, token: str | None = None
    ) -> tuple[builtins.list[WebhookEndpoint], str | None]:
        """One page of registered webhook endpoints, and the next page's token.

        Raises:
            ValidationError, APIStatusError, APIConnectionError: see ``resources.webhooks.list_endpoints``.
        """
        return await webhooks.list_endpoints(self._api, limit=limit, token=token)

    async def create_webhook_endpoint(
        self, url: str, *, events: Sequence[str] | None = None, entity_id: str | None = None
    ) -> WebhookEndpoint:
        """Register ``url`` for ``events`` (None: all); store the returned ``secret``, shown only now.

        Raises:
            ValidationError, APIStatusError, APIConnectionError: see ``resources.webhooks.create_endpoint``.
        """
        return await webhooks.create_endpoint(self._api, url, events=events, entity_id=entity_id)

    async def update_webhook_endpoint(
        self, endpoint_id: str, *, url: str | None = None, events: Sequence[str] | None = None
    ) -> WebhookEndpoint:
        """Change an endpoint's URL and/or its events (the list is replaced whole).

        Raises:
            ValidationError, NotFoundError, APIStatusError, APIConnectionError: see ``resources.webhooks``.
        """
        return await webhooks.update_endpoint(self._api, endpoint_id, url=url, events=events)

    async def delete_webhook_endpoint(self, endpoint_id: str) -> str:
        """Remove an endpoint for good; returns its id.

        Raises:
            ValidationError, NotFoundError, APIStatusError, APIConnectionError: see ``resources.webhooks``.
        """
        return await webhooks.delete_endpoint(self._api, endpoint_id)

    async def rotate_webhook_secret(self, endpoint_id: str) -> WebhookEndpoint:
        """A new signing secret for an endpoint (the old one stops at once).

        Raises:
            ValidationError, NotFoundError, APIStatusError, APIConnectionError: see ``resources.webhooks``.
        """
        return await webhooks.rotate_secret(self._api, endpoint_id)

    async def list_webhook_event_types(self) -> builtins.list[WebhookEventType]:
        """Every event type HeyGen can send (a batch's is ``batch.finished``; there is no lipsync type).

        Raises:
            APIStatusError, APIConnectionError: as for every call.
        """
        return await webhooks.list_event_types(self._api)

    async def list_webhook_events(
        self,
        *,
        event_type: str | None = None,
        entity_id: str | None = None,
        limit: int | None = None,
        token: str | None = None,
    ) -> tuple[builtins.list[WebhookEvent], str | None]:
        """One page of delivered events, newest first (what a receiver that was down missed).

        Raises:
            ValidationError, APIStatusError, APIConnectionError: see ``resources.webhooks.list_events``.
        """
        return await webhooks.list_events(
            self._api, event_type=event_type, entity_id=entity_id, limit=limit, token=token
        )

    async def download(
        self,
        lipsync: str | Lipsync,
        dest: Path | str,
        *,
        overwrite: bool = False,
        captions: bool = False,
        on_progress: DownloadProgress | None = None,
        delete_uploads: bool = False,
    ) -> DownloadResult:
        """Download a completed job's video (and, with ``captions``, its SRT) to ``dest``.

        ``dest`` is a file path, or a directory in which ``<id>.mp4`` (and ``<id>.srt``) is
        written, ``<id>`` being the id passed (or the given ``Lipsync``'s), checked to be a plain
        file name. The output URLs must be https (see ``output_urls``); the key is never sent.
        Each file is streamed to a temporary file beside it and renamed into place
        only when complete; an existing file is never replaced unless ``overwrite``.
        ``on_progress(bytes_written, total_or_None)`` reports the video's progress.
        ``delete_uploads``: once saved, delete the assets its create uploaded (``delete_uploads``).

        Raises:
            DownloadError: not completed, destination exists, expired URL (fetch the job again),
                short read, larger than advertised, or a local write failure.
            ValidationError: a malformed id, or one that cannot name a file in ``dest``.
            NotFoundError: no such lipsync (when given an id).
            APIError: an output URL that is not https (``unexpected_response``).
            APIConnectionError: storage unreachable after retries (APITimeoutError: past
                ``HEYGEN_LIPSYNC_REQUEST_DEADLINE``).
        """
        # Files are named from the id asked for, never from the answer's (a server string).
        asked = _check_id(lipsync, "lipsync_id") if isinstance(lipsync, str) else lipsync.id
        if isinstance(lipsync, str):
            lipsync = await self.get(asked)
        result = await files.download_outputs(
            self._http, lipsync, dest, overwrite=overwrite, captions=captions, on_progress=on_progress, name=asked
        )
        if self.ledger is not None:
            await asyncio.to_thread(
                self.ledger.add_download, asked, result.video_path, bytes_written=result.bytes_written
            )
        if delete_uploads:
            await self.delete_uploads(asked)
        return result

    async def dub(
        self,
        /,
        video: SourceLike,
        audio: SourceLike,
        output: Path | str,
        *,
        idempotency_key: str | None = None,
        timeout: float = waiting.DEFAULT_WAIT_TIMEOUT,
        overwrite: bool = False,
        captions: bool = False,
        on_upload_progress: UploadProgress | None = None,
        on_progress: waiting.ProgressHandler | None = None,
        on_download_progress: DownloadProgress | None = None,
        **fields: Any,
    ) -> DubResult:
        """Dub ``video`` with ``audio`` in one call: upload, create, wait, download to ``output``.

        ``fields`` are the other create fields (``title``, ``mode``, ...), as in ``LipsyncRequest``.
        ``output`` is a file path or a directory (``<id>.mp4`` in it). The steps are
        ``create``, ``wait`` and ``download``, so a rerun with the same ``idempotency_key``
        never pays for a second job.

        Returns:
            The finished job and the saved paths (``.lipsync``, ``.files``, ``.video_path``).

        Raises:
            ValidationError: a bad field or file, before any request.
            JobFailedError, WaitTimeoutError: as ``wait`` raises them.
            DownloadError: as ``download`` raises it (the job is paid; download it again).
            APIStatusError, APIConnectionError: as for every call.
        """
        request = LipsyncRequest(video=video, audio=audio, **fields)
        lipsync_id = await self.create(request, idempotency_key=idempotency_key, on_upload_progress=on_upload_progress)
        done = await self.wait(lipsync_id, timeout=timeout, on_progress=on_progress)
        saved = await self.download(
            done, output, overwrite=overwrite, captions=captions, on_progress=on_download_progress
        )
        return DubResult(lipsync=done, files=saved)
