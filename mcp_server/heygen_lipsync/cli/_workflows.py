"""The library workflows as commands run them: with progress on stderr, and `create`'s wait-then-save.

``create --download`` pays for a job before it saves it, so once the job has finished
nothing may lose it: whatever stops the save, the finished job's JSON still goes to stdout
and stderr says the exact command that fetches it again.

Run again, ``create`` resumes through the ledger: the identical request finds its job (no
second one), waits on it, and saves it; a destination the ledger says holds that job's
video already is left alone (``--overwrite`` downloads it again).
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DownloadError, JobFailedError
from ..jobs.authority import ago
from ..ledger import Ledger, open_default, sandbox_ledger
from ..models import Lipsync
from ..sources import validate_idempotency_key
from ._destinations import check_download_target
from ._errors import UsageProblem
from ._hints import command, resume_wait, save_retry
from ._input import local_path, parse_duration
from ._progress import WaitReporter, slot_wait_notes, transfer_progress, upload_progress
from ._render import emit, job_result, note
from ._state import CliState

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from ..client import AsyncLipsyncClient
    from ..jobs.approval import Approval
    from ..jobs.plan import PreparedJob

__all__ = [
    "CreatePlan",
    "create_job",
    "delete_job_uploads",
    "download_job",
    "save_finished",
    "wait_and_save",
    "wait_for_job",
]


@dataclass(frozen=True)
class CreatePlan:
    """What ``create`` does once the job exists: nothing, wait, or wait and save."""

    idempotency_key: str | None
    wait: bool
    seconds: float
    poll_interval: float
    download: str | None  # as typed, for the retry command
    save_to: Path | None
    overwrite: bool
    new_job: bool = False
    # The destination exists and the ledger says a job's video was saved there: maybe this rerun's.
    resuming: bool = False
    # --delete-uploads: once the job has finished (and, with --download, is saved), delete its uploads.
    delete_uploads: bool = False

    @classmethod
    def of(
        cls,
        *,
        idempotency_key: str | None,
        wait: bool,
        timeout: str,
        poll_interval: float,
        download: str | None,
        overwrite: bool,
        new_job: bool = False,
        st: CliState | None = None,
        delete_uploads: bool = False,
    ) -> CreatePlan:
        """The checked options of ``create``; every check runs before anything is sent.

        Raises:
            UsageProblem: a bad ``--timeout`` or an unusable ``--download`` destination.
            ValidationError: a malformed ``--idempotency-key``.
        """
        save_to = local_path(download, param="--download") if download is not None else None
        resuming = False
        if save_to is not None:
            resuming = not overwrite and save_to.is_file() and st is not None and _saved_before(st, save_to)
            check_download_target(save_to, download or "", overwrite=overwrite or resuming)
        seconds = parse_duration(timeout)
        if idempotency_key is not None:
            validate_idempotency_key(idempotency_key, field="idempotency_key")
        if delete_uploads and not (wait or save_to is not None):
            raise UsageProblem(
                "--delete-uploads deletes the uploads once the job has finished: add --wait or --download "
                "(or later: heygen-lipsync wait ID --delete-uploads)",
                param="delete_uploads",
            )
        return cls(
            idempotency_key,
            wait or save_to is not None,
            seconds,
            poll_interval,
            download,
            save_to,
            overwrite,
            new_job,
            resuming,
            delete_uploads,
        )


def ledger_of(st: CliState) -> Ledger | None:
    """The ledger this invocation records in: the sandbox's own under --sandbox, else the install's."""
    if st.sandbox:
        from ..sandbox import SandboxConfig

        try:
            return sandbox_ledger(SandboxConfig.from_env().data_dir)
        except ValueError:
            return None
    return open_default()  # HEYGEN_LIPSYNC_DATABASE_URL's shared store, else the SQLite file


def _saved_before(st: CliState, path: Path) -> bool:
    ledger = ledger_of(st)
    if ledger is None:
        return False
    try:
        return ledger.find_download(path) is not None
    finally:
        ledger.close()


async def create_job(
    st: CliState, client: AsyncLipsyncClient, job: PreparedJob, plan: CreatePlan, approval: Approval
) -> dict[str, Any]:
    """Create the prepared job (uploads with progress), then wait for it and save it as ``plan`` says.

    Raises:
        HeyGenError: the create, the wait or the save failed (see ``save_finished``).
    """
    if plan.resuming and plan.save_to is not None and client.ledger is not None:
        # The file there is a download of this install's: go on only if it is this very request's job,
        # decided before anything is sent (a new job would be paid for, then refused its destination).
        saved = client.ledger.find_download(plan.save_to)
        earlier = await client.authority.earlier(job.fingerprint) if not plan.new_job else None
        if saved is None or earlier is None or earlier.lipsync_id != saved.lipsync_id:
            raise UsageProblem(
                f"--download: {plan.download} already exists (it holds {saved.lipsync_id if saved else 'another'} "
                "job's video, not this request's); nothing was sent: pass --overwrite, or another path",
                param="download",
            )
    with upload_progress() as progress, slot_wait_notes():
        outcome = await client.submit(
            job,
            idempotency_key=plan.idempotency_key,
            on_upload_progress=progress,
            new_job=plan.new_job,
            approve=approval,
        )
    lipsync_id = outcome.id
    if outcome.reused:
        note(f"same request as {lipsync_id} created {ago(outcome.created_at)}; pass --new for another job")
    if plan.resuming and plan.save_to is not None and client.ledger is not None:
        saved = client.ledger.find_download(plan.save_to)
        if saved is not None and saved.lipsync_id == lipsync_id:
            note(f"{lipsync_id} was already downloaded to {plan.download}; pass --overwrite to download it again")
            return job_result(await client.get(lipsync_id), reused=True, saved_to=_saved_path(plan, lipsync_id))
        # The file there holds another job's video: never replace it without --overwrite.
        plan = dataclasses.replace(plan, overwrite=False)
    if not plan.wait:
        note(f"created {lipsync_id}; next: {command(st, 'wait', lipsync_id)}")
        return {"lipsync_id": lipsync_id}
    if plan.save_to is not None:
        st.resume_download, st.resume_overwrite = plan.download or str(plan.save_to), plan.overwrite
    lipsync = await wait_and_save(st, client, lipsync_id, plan)
    return job_result(lipsync, reused=outcome.reused, saved_to=_saved_path(plan, lipsync_id))


def _saved_path(plan: CreatePlan, lipsync_id: str) -> Path | None:
    """Where the video is: the --download file, or ``<id>.mp4`` in the --download folder (the library's rule)."""
    if plan.save_to is None:
        return None
    return plan.save_to / f"{lipsync_id}.mp4" if plan.save_to.is_dir() else plan.save_to


async def wait_and_save(st: CliState, client: AsyncLipsyncClient, lipsync_id: str, plan: CreatePlan) -> Lipsync:
    """Wait for the job, save it when ``plan`` says so, then delete its uploads when asked.

    A failed job's uploads are deleted too (it has finished); a completed one's only once saved.

    Raises:
        JobFailedError, WaitTimeoutError, DownloadError: as ``wait_for_job`` and ``save_finished``.
    """
    try:
        lipsync = await wait_for_job(client, lipsync_id, plan.seconds, plan.poll_interval, st)
    except JobFailedError:
        if plan.delete_uploads:
            await delete_job_uploads(client, lipsync_id)
        raise
    if plan.save_to is not None:
        await save_finished(st, client, lipsync, plan.save_to, plan)
    if plan.delete_uploads:
        await delete_job_uploads(client, lipsync_id)
    return lipsync


async def delete_job_uploads(client: AsyncLipsyncClient, lipsync_id: str) -> None:
    """Delete the assets the job's create uploaded from local files; say which on stderr.

    Raises:
        APIStatusError, APIConnectionError: a delete failed.
    """
    deleted = await client.delete_uploads(lipsync_id)
    if deleted:
        note(f"deleted the uploads of {lipsync_id}: {', '.join(deleted)}")
    else:
        note(f"{lipsync_id}: no uploads of local files to delete (assets passed by id are kept)")


async def save_finished(
    st: CliState, client: AsyncLipsyncClient, lipsync: Lipsync, save_to: Path, plan: CreatePlan
) -> None:
    """Save a finished (paid) job; if that fails, print its JSON and how to fetch it again, then fail.

    Raises:
        DownloadError: the save failed, a local OSError included (disk full, no permission).
        HeyGenError, asyncio.CancelledError: as raised by the download.
    """
    try:
        await download_job(client, lipsync, save_to, overwrite=plan.overwrite, captions=False)
    except (Exception, asyncio.CancelledError) as exc:
        emit(st, lipsync.to_dict())
        note(save_retry(st, lipsync.id, plan.download or str(save_to), save_to, overwrite=plan.overwrite))
        if isinstance(exc, OSError):
            raise DownloadError(
                f"lipsync {lipsync.id} completed but could not be saved to {plan.download}: {exc.strerror or exc}"
            ) from exc
        raise


async def wait_for_job(
    client: AsyncLipsyncClient, lipsync_id: str, seconds: float, poll_interval: float, st: CliState | None = None
) -> Lipsync:
    """Wait for the job with the live status line on stderr; on Ctrl-C, say how to resume.

    Raises:
        JobFailedError, WaitTimeoutError: as ``AsyncLipsyncClient.wait``.
        asyncio.CancelledError: interrupted (the job keeps running).
    """
    try:
        with WaitReporter() as reporter:
            return await client.wait(lipsync_id, timeout=seconds, poll_interval=poll_interval, on_progress=reporter)
    except asyncio.CancelledError:  # Ctrl-C: stopping the wait does not stop the job
        # After the reporter has closed, so the hint is the last line, below the status line it leaves.
        note(f"interrupted; {lipsync_id} keeps running: resume with {resume_wait(st or CliState(), lipsync_id)}")
        raise


async def download_job(
    client: AsyncLipsyncClient, lipsync: str | Lipsync, dest: Path, *, overwrite: bool, captions: bool
) -> dict[str, Any]:
    """Download with a progress bar on stderr; say where the files went.

    Raises:
        DownloadError, NotFoundError, APIConnectionError: as ``AsyncLipsyncClient.download``.
        OSError: a local write failed in a way the library does not map.
    """
    with transfer_progress("downloading") as progress:
        result = await client.download(lipsync, dest, overwrite=overwrite, captions=captions, on_progress=progress)
    note(f"saved {result.video_path}" + (f" and {result.caption_path}" if result.caption_path else ""))
    return result.to_dict()
