"""Following jobs to the end: wait, wait_many, download, dub, and deleting a finished job's uploads."""

from __future__ import annotations

import asyncio
import builtins
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from heygen_lipsync import polling as waiting
from heygen_lipsync import telemetry
from heygen_lipsync.checks import check_id as _check_id
from heygen_lipsync.errors import (
    JobFailedError,
    ValidationError,
)
from heygen_lipsync.jobs import cleanup as upload_cleanup
from heygen_lipsync.jobs.create_calls import CreateCalls
from heygen_lipsync.media import files
from heygen_lipsync.models import (
    DownloadResult,
    DubResult,
    Lipsync,
)
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.resources.uploads import UploadProgress
from heygen_lipsync.sources import (
    SourceLike,
)

DownloadProgress = Callable[[int, int | None], Any]

logger = logging.getLogger("heygen_lipsync")


class FollowCalls(CreateCalls):
    """Following jobs to the end: wait, wait_many, download, dub, and deleting a finished job's uploads."""

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
            with telemetry.span("wait", lipsync_id=lipsync_id) as current:
                finished = await waiting.wait_one(
                    self,
                    lipsync_id,
                    timeout=timeout,
                    on_progress=on_progress,
                    poll_interval=poll_interval,
                    max_poll_interval=max_poll_interval,
                    receiver=receiver,
                )
                current.set("status", finished.status)
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
        with telemetry.span("download", lipsync_id=asked) as current:
            result = await files.download_outputs(
                self._http, lipsync, dest, overwrite=overwrite, captions=captions, on_progress=on_progress, name=asked
            )
            current.set("bytes", result.bytes_written)
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
