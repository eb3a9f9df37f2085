"""Reliability scenarios shared by the CI tests (small counts) and scripts/bench/reliability.py (large ones).

Each scenario drives the real library against a real sandbox on loopback and returns what
it observed; the caller asserts on it.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import httpx

from heygen_lipsync import AssetSource, AsyncLipsyncClient, FileSource, LipsyncRequest
from heygen_lipsync.errors import APIConnectionError, APIError, ConflictError, HeyGenError, RateLimitError, ServerError
from heygen_lipsync.sandbox import (
    DEFAULT_SANDBOX_KEY as DEFAULT_KEY,
)
from heygen_lipsync.sandbox import (
    SAMPLE_AUDIO,
    SAMPLE_VIDEO,
    EmbeddedSandbox,
    FaultConfig,
    SandboxConfig,
)

__all__ = [
    "FAULTS_30",
    "CountingTransport",
    "ExactlyOnceReport",
    "KillReport",
    "LostThen429Transport",
    "RestartReport",
    "UnknownOutcomeReport",
    "exactly_once",
    "kill_mid_run",
    "restart_mid_run",
    "sandbox_child",
    "sandbox_config",
    "stored_jobs",
    "unknown_outcome_creates",
]

# 429 bursts, 500s, dropped connections and commit-then-drop: about 30% of responses in all
# (bursts of 3 from 3% of requests: ~8%; then 8% 500s, 8% drops, 10% commit-then-drop on POSTs).
FAULTS_30 = FaultConfig(
    rate_limit_rate=0.03,
    rate_limit_burst=3,
    rate_limit_retry_after=0,
    error_rate=0.08,
    drop_rate=0.08,
    commit_then_drop_rate=0.10,
    seed=20261122,
)
# Transient failures a caller retries (with the same Idempotency-Key) once the library's own retries run out.
TRANSIENT = (APIConnectionError, ServerError, RateLimitError, ConflictError)


def sandbox_config(**changes: object) -> SandboxConfig:
    """A sandbox with no concurrency cap to speak of: the scenarios are about faults, not quotas."""
    values: dict[str, object] = {"pending_seconds": 0.05, "running_seconds": 0.1, "max_concurrent_jobs": 100_000}
    values.update(changes)
    return SandboxConfig(**values)  # type: ignore[arg-type]


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts what came back per attempt: status codes, and network failures by exception type."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.statuses: Counter[int] = Counter()
        self.failures: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.TransportError as exc:
            self.failures[type(exc).__name__] += 1
            raise
        self.statuses[response.status_code] += 1
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    @property
    def attempts(self) -> int:
        return sum(self.statuses.values()) + sum(self.failures.values())

    @property
    def faulted(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 400) + sum(self.failures.values())


def stored_jobs(sandbox: EmbeddedSandbox) -> list[tuple[str, str | None]]:
    """(id, title) of every job in the sandbox's store, read directly (no HTTP, no faults)."""
    return [(job.id, job.title) for job in sandbox.app.store.list_jobs(10_000_000, None)]


async def _upload_samples(client: AsyncLipsyncClient) -> tuple[str, str]:
    video = await client.upload(SAMPLE_VIDEO)
    audio = await client.upload(SAMPLE_AUDIO)
    return video.asset_id, audio.asset_id


async def _sample_sources(
    sandbox: EmbeddedSandbox, with_files: bool
) -> tuple[AssetSource | FileSource, AssetSource | FileSource]:
    """The sample video and audio: as local files (each create uploads them), or uploaded once as assets."""
    if with_files:
        return FileSource(SAMPLE_VIDEO), FileSource(SAMPLE_AUDIO)
    async with AsyncLipsyncClient(base_url=sandbox.base_url, api_key=sandbox.api_key) as setup:
        video, audio = await _upload_samples(setup)
    return AssetSource(video), AssetSource(audio)


async def _create_until_acknowledged(
    client: AsyncLipsyncClient, request: LipsyncRequest, key: str, attempts: int
) -> tuple[str | None, int]:
    """Create with one key, retrying the whole call on transient errors; (id or None, caller retries)."""
    for attempt in range(attempts):
        try:
            return await client.create(request, idempotency_key=key), attempt
        except TRANSIENT:
            continue
    return None, attempts


@dataclass
class ExactlyOnceReport:
    requested: int
    acknowledged: dict[str, str] = field(default_factory=dict)  # title -> id the client got back
    stored: list[tuple[str, str | None]] = field(default_factory=list)
    caller_retries: int = 0
    attempts: int = 0
    faulted_attempts: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    assets_stored: int = 0  # asset files in the sandbox, uploaded before or during the run
    assets_referenced: set[str] = field(default_factory=set)  # asset ids the stored jobs use

    @property
    def duplicated(self) -> dict[str, int]:
        counts = Counter(title for _, title in self.stored)
        return {title: n for title, n in counts.items() if title is not None and n > 1}

    @property
    def lost(self) -> list[str]:
        titles = {title for _, title in self.stored}
        return [title for title in self.acknowledged if title not in titles]


async def exactly_once(
    n: int,
    *,
    faults: FaultConfig = FAULTS_30,
    concurrency: int = 10,
    max_retries: int = 4,
    caller_attempts: int = 30,
    with_files: bool = False,
) -> ExactlyOnceReport:
    """N creates through the library against a faulty sandbox; every job's title is unique.

    With `with_files`, each create names the two local sample files, so each one uploads
    both (under faults too) before creating: no asset may be stored twice either.
    """
    report = ExactlyOnceReport(requested=n)
    async with EmbeddedSandbox(sandbox_config()) as sandbox:
        video_source, audio_source = await _sample_sources(sandbox, with_files)
        counter = CountingTransport()
        limiter = anyio.Semaphore(concurrency)
        sandbox.set_faults(faults)
        try:
            async with AsyncLipsyncClient(
                base_url=sandbox.base_url, api_key=sandbox.api_key, max_retries=max_retries, transport=counter
            ) as client:

                async def one(index: int) -> None:
                    title = f"exactly-once-{index:06d}"
                    request = LipsyncRequest(video=video_source, audio=audio_source, title=title)
                    async with limiter:
                        lipsync_id, retries = await _create_until_acknowledged(
                            client, request, f"rel-{index:06d}", caller_attempts
                        )
                    report.caller_retries += retries
                    if lipsync_id is not None:
                        report.acknowledged[title] = lipsync_id

                async with anyio.create_task_group() as group:
                    for index in range(n):
                        group.start_soon(one, index)
        finally:
            sandbox.set_faults()
        report.stored = stored_jobs(sandbox)
        store = sandbox.app.store
        report.assets_stored = sum(1 for _ in (store.root / "assets").iterdir())
        for job in store.list_jobs(10_000_000, None):
            for role in ("video", "audio"):
                source = job.request.get(role)
                if isinstance(source, dict) and source.get("asset_id"):
                    report.assets_referenced.add(str(source["asset_id"]))
        report.attempts = counter.attempts
        report.faulted_attempts = counter.faulted
        report.statuses = counter.statuses
        report.failures = counter.failures
    return report


@dataclass
class RestartReport:
    acknowledged_before: dict[str, str]  # title -> id
    found_after: dict[str, str | None]  # id -> status after the restart (None: missing)
    replayed: dict[str, str]  # title -> id returned by re-sending the same key after the restart
    stored_after: list[tuple[str, str | None]]


async def restart_mid_run(data_dir: Path, n: int, *, stop_after: int, concurrency: int = 4) -> RestartReport:
    """Create N jobs; stop the sandbox once `stop_after` are acknowledged; restart it on the same data.

    Creates still in flight when it stops fail or succeed as they may. After the restart every
    acknowledged job must be there, and re-sending every create with its own key must give
    back the same ids for the acknowledged ones and exactly one job for each of the rest.
    """
    config = sandbox_config(data_dir=data_dir)
    acknowledged: dict[str, str] = {}
    enough = anyio.Event()
    keys = {f"restart-{i:04d}": f"rk-{i:04d}" for i in range(n)}
    sandbox = EmbeddedSandbox(config)
    await anyio.to_thread.run_sync(sandbox.start)
    try:
        async with AsyncLipsyncClient(base_url=sandbox.base_url, api_key=sandbox.api_key) as setup:
            video, audio = await _upload_samples(setup)
        requests = {
            title: LipsyncRequest(video=AssetSource(video), audio=AssetSource(audio), title=title) for title in keys
        }
        titles = iter(keys)
        async with AsyncLipsyncClient(base_url=sandbox.base_url, api_key=sandbox.api_key, max_retries=1) as client:

            async def worker() -> None:
                for title in titles:  # shared iterator: each title goes to one worker
                    try:
                        acknowledged[title] = await client.create(requests[title], idempotency_key=keys[title])
                    except TRANSIENT:
                        continue
                    if len(acknowledged) >= stop_after:
                        enough.set()

            async def stopper() -> None:
                await enough.wait()
                await anyio.to_thread.run_sync(sandbox.stop)

            async with anyio.create_task_group() as group:
                group.start_soon(stopper)
                async with anyio.create_task_group() as workers:
                    for _ in range(concurrency):
                        workers.start_soon(worker)
                enough.set()  # all done before the threshold: stop anyway
    finally:
        await anyio.to_thread.run_sync(sandbox.stop)
    before = dict(acknowledged)
    async with EmbeddedSandbox(sandbox_config(data_dir=data_dir)) as again:
        async with AsyncLipsyncClient(base_url=again.base_url, api_key=again.api_key) as client:
            found: dict[str, str | None] = {}
            for lipsync_id in before.values():
                try:
                    found[lipsync_id] = (await client.get(lipsync_id)).status
                except HeyGenError:  # a missing job is what we report
                    found[lipsync_id] = None
            replayed: dict[str, str] = {}
            for title, key in keys.items():
                replayed[title] = await client.create(requests[title], idempotency_key=key)
        stored = stored_jobs(again)
    return RestartReport(acknowledged_before=before, found_after=found, replayed=replayed, stored_after=stored)


# A sandbox in a child process that can be killed outright. It exits by itself when its
# stdin closes (the test ended or died) or after a time limit, so none outlives its test.
_CHILD = r"""
import os, sys, threading
from pathlib import Path
from heygen_lipsync.sandbox import SandboxConfig, run_sandbox
port, data_dir = int(sys.argv[1]), Path(sys.argv[2])
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
threading.Timer(300, lambda: os._exit(3)).start()
config = SandboxConfig(data_dir=data_dir, pending_seconds=0.05, running_seconds=0.1, max_concurrent_jobs=100_000)
run_sandbox(host="127.0.0.1", port=port, config=config)
"""


@contextlib.contextmanager
def sandbox_child(data_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """(base URL, process) of a sandbox serving `data_dir` from a child process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(port), str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the sandbox child did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        if process.stdin is not None:
            process.stdin.close()


@dataclass
class KillReport:
    acknowledged_before: dict[str, str]  # title -> id
    found_after: dict[str, str | None]  # id -> status after the restart (None: missing)
    replayed: dict[str, str]  # title -> id, for the acknowledged creates re-sent with their keys


async def kill_mid_run(data_dir: Path, n: int, *, kill_after: int, concurrency: int = 4) -> KillReport:
    """Create N jobs against a sandbox process; SIGKILL it once `kill_after` are acknowledged; restart it.

    Unlike `restart_mid_run` nothing shuts down cleanly: requests in flight die with the process.
    """
    keys = {f"kill-{i:04d}": f"kk-{i:04d}" for i in range(n)}
    acknowledged: dict[str, str] = {}
    with sandbox_child(data_dir) as (base_url, process):
        async with AsyncLipsyncClient(base_url=base_url, api_key=DEFAULT_KEY, max_retries=0) as client:
            video, audio = await _upload_samples(client)
            requests = {t: LipsyncRequest(video=AssetSource(video), audio=AssetSource(audio), title=t) for t in keys}
            titles = iter(keys)

            async def worker() -> None:
                for title in titles:
                    try:
                        acknowledged[title] = await client.create(requests[title], idempotency_key=keys[title])
                    except TRANSIENT:
                        continue
                    if len(acknowledged) >= kill_after and process.poll() is None:
                        process.send_signal(signal.SIGKILL)

            async with anyio.create_task_group() as group:
                for _ in range(concurrency):
                    group.start_soon(worker)
    before = dict(acknowledged)
    with sandbox_child(data_dir) as (base_url, _):
        async with AsyncLipsyncClient(base_url=base_url, api_key=DEFAULT_KEY) as client:
            found: dict[str, str | None] = {}
            for lipsync_id in before.values():
                try:
                    found[lipsync_id] = (await client.get(lipsync_id)).status
                except HeyGenError:
                    found[lipsync_id] = None
            replayed = {t: await client.create(requests[t], idempotency_key=keys[t]) for t in before}
    return KillReport(acknowledged_before=before, found_after=found, replayed=replayed)


def titles_of(stored: Sequence[tuple[str, str | None]]) -> Counter[str | None]:
    return Counter(title for _, title in stored)


# The POSTs that make something (a job, a batch, an asset): the ones whose outcome matters.
_CREATE_PATHS = frozenset({"/v3/lipsyncs", "/v3/lipsyncs/batches", "/v3/assets", "/v3/assets/direct-uploads"})


# The network failures where no byte of the request left: no connection was opened, or none
# was free in the pool in time. A loaded machine meets pool timeouts; counting them as
# "may have reached" reported failures without a key for calls that truly made nothing.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class LostThen429Transport(httpx.AsyncBaseTransport):
    """Client-side faults on top of the sandbox's: after a create's attempt fails on the network
    (the sandbox dropped it, perhaps after doing the work), answer the next `burst` attempts with
    the same Idempotency-Key with 429 themselves, so the library's retries run out on 429s."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, rate: float, burst: int, seed: int = 7) -> None:
        self.inner = inner
        self.rate = rate
        self.burst = burst
        self._rng = random.Random(seed)
        self._limited: dict[str, int] = {}
        self.sequences = 0  # lost-then-429 sequences started
        # Title of a job create -> whether an attempt may have reached the server (the sandbox
        # did or may have done the work); the caller resets it before each of its calls.
        self.reached: dict[str, bool] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("idempotency-key")
        is_create = request.method == "POST" and request.url.path in _CREATE_PATHS and key is not None
        if is_create and self._limited.get(key or "", 0) > 0:
            self._limited[key or ""] -= 1
            body = b'{"error":{"code":"rate_limit_exceeded","message":"Too many requests (injected).","param":null}}'
            return httpx.Response(429, headers={"retry-after": "0", "content-type": "application/json"}, content=body)
        title = _title_of(request) if is_create and request.url.path == "/v3/lipsyncs" else None
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.TransportError as exc:
            if title is not None and not isinstance(exc, _NEVER_SENT):
                self.reached[title] = True
            if is_create and self._rng.random() < self.rate:
                self._limited[key or ""] = self.burst
                self.sequences += 1
            raise
        if title is not None and (response.status_code >= 500 or response.status_code in (200, 201, 409)):
            self.reached[title] = True
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def _title_of(request: httpx.Request) -> str | None:
    try:
        title = json.loads(request.content).get("title")
    except (ValueError, AttributeError, httpx.RequestNotRead):
        return None
    return title if isinstance(title, str) else None


@dataclass
class UnknownOutcomeReport:
    intended: int
    stored: list[tuple[str, str | None]] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)
    failures_with_key: int = 0
    # Failures without a key after an attempt that may have reached the server: the caller
    # reads "not created" when the job may exist. Must be 0.
    failures_without_key: int = 0
    keyless: Counter[str] = field(default_factory=Counter)  # their type and code
    keyless_titles: set[str] = field(default_factory=set)
    # Failures without a key where no attempt reached the server (429 on every attempt):
    # truly "not created", so a fresh create is right.
    refused_before_reaching: int = 0
    lost_then_429: int = 0
    attempts: int = 0
    faulted_attempts: int = 0
    # Title -> what each of the caller's calls for it ended with, to explain a duplicate.
    history: dict[str, list[str]] = field(default_factory=dict)

    @property
    def jobs_made(self) -> int:
        return len(self.stored)

    @property
    def duplicated(self) -> dict[str, int]:
        counts = Counter(title for _, title in self.stored)
        return {title: n for title, n in counts.items() if title is not None and n > 1}


async def unknown_outcome_creates(
    n: int,
    *,
    faults: FaultConfig = FAULTS_30,
    concurrency: int = 10,
    max_retries: int = 4,
    lost_then_429_rate: float = 0.5,
    caller_attempts: int = 30,
    with_files: bool = False,
) -> UnknownOutcomeReport:
    """N creates whose callers never choose a key: they retry with the key a failure hands them, else anew.

    A failure without a key tells the caller "not created", so it creates again with a fresh key:
    if that was wrong, the store holds a second job for the same title. Such a failure is
    counted as one without a key when an attempt of that call may have reached the server.
    """
    report = UnknownOutcomeReport(intended=n)
    async with EmbeddedSandbox(sandbox_config()) as sandbox:
        video_source, audio_source = await _sample_sources(sandbox, with_files)
        counter = CountingTransport()
        # Enough 429s to outlast the library's own retries of the same call.
        transport = LostThen429Transport(counter, rate=lost_then_429_rate, burst=max_retries + 1)
        limiter = anyio.Semaphore(concurrency)
        sandbox.set_faults(faults)
        try:
            async with AsyncLipsyncClient(
                base_url=sandbox.base_url, api_key=sandbox.api_key, max_retries=max_retries, transport=transport
            ) as client:

                async def one(index: int) -> None:
                    title = f"unknown-outcome-{index:06d}"
                    request = LipsyncRequest(video=video_source, audio=audio_source, title=title)
                    key: str | None = None
                    async with limiter:
                        for _ in range(caller_attempts):
                            transport.reached.pop(title, None)
                            calls = report.history.setdefault(title, [])
                            try:
                                report.acknowledged[title] = await client.create(request, idempotency_key=key)
                                calls.append(f"created {report.acknowledged[title]} (key {key})")
                                return
                            except APIError as exc:
                                calls.append(
                                    f"{type(exc).__name__}:{exc.code} key={exc.idempotency_key} "
                                    f"reached={transport.reached.get(title, False)} (sent with key {key})"
                                )
                                key = exc.idempotency_key  # None: "not created", so a fresh create
                                if key is None and not transport.reached.get(title):
                                    report.refused_before_reaching += 1
                                elif key is None:
                                    report.failures_without_key += 1
                                    report.keyless[f"{type(exc).__name__}:{exc.code}"] += 1
                                    report.keyless_titles.add(title)
                                else:
                                    report.failures_with_key += 1

                async with anyio.create_task_group() as group:
                    for index in range(n):
                        group.start_soon(one, index)
        finally:
            sandbox.set_faults()
        report.stored = [(i, t) for i, t in stored_jobs(sandbox) if t and t.startswith("unknown-outcome-")]
        report.lost_then_429 = transport.sequences
        report.attempts = counter.attempts
        report.faulted_attempts = counter.faulted
    return report
