"""The client's paid creates, through the jobs floor: prepare, quote, approve, submit (single and batch)."""

from __future__ import annotations

import asyncio
import builtins
import dataclasses
import inspect
import logging
from collections.abc import Sequence
from typing import Any

from heygen_lipsync import polling as waiting
from heygen_lipsync import telemetry
from heygen_lipsync.errors import (
    NotFoundError,
    ValidationError,
)
from heygen_lipsync.jobs.approval import Approval, Approver, approve_all
from heygen_lipsync.jobs.create import CreateOutcome, submit_once
from heygen_lipsync.jobs.fingerprint import fingerprint_of
from heygen_lipsync.jobs.plan import PreparedJob, Quote, prepare_jobs
from heygen_lipsync.jobs.preflight import Preflight
from heygen_lipsync.jobs.pricing import Rates, rates_from_env
from heygen_lipsync.jobs.upload_many import UploadManyCalls
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.request import check_title as _check_title
from heygen_lipsync.resources.uploads import UploadProgress
from heygen_lipsync.sources import (
    MAX_BATCH_SIZE,
    AssetSource,
    validate_idempotency_key,
    validate_url,
)
from heygen_lipsync.store import JobRecord

logger = logging.getLogger("heygen_lipsync")


class CreateCalls(UploadManyCalls):
    """The client's paid creates, through the jobs floor: prepare, quote, approve, submit (single and batch)."""

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

            traced = telemetry.span("create", origin=self.origin, fingerprint=job.fingerprint[:16])
            with traced as current:
                outcome = await submit_once(
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
                current.set("lipsync_id", outcome.id)
                current.set("reused", outcome.reused)
            return outcome
        finally:
            if owned:
                job.close()

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
                # Big local files go up in upload batches (one presign, one complete per 100 files).
                uploaded = await self._upload_job_sources(jobs, key=key)
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
            with telemetry.span("create_batch", origin=self.origin, items=len(jobs)) as current:
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
                current.set("batch_id", outcome.id)
                current.set("reused", outcome.reused)
            if not outcome.reused and self.ledger is not None:
                fingerprints = [j.fingerprint for j in jobs]
                await asyncio.to_thread(
                    self.ledger.record_batch_items, outcome.id, base_url=self.origin, fingerprints=fingerprints
                )
            return outcome
        finally:
            for job in jobs if not given else ():
                job.close()
