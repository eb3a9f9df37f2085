"""Running a command's work against the API: the client, the endpoint (or an embedded sandbox), errors mapped."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal, TypeVar

import typer

from heygen_lipsync.cli._errors import NoCredentials, UsageProblem, error_boundary
from heygen_lipsync.cli._state import CliState, state
from heygen_lipsync.config import resolve_settings
from heygen_lipsync.errors import ConfigurationError, NotFoundError
from heygen_lipsync.store import Ledger, sandbox_ledger

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient

__all__ = ["run_client"]

T = TypeVar("T")


def run_client(
    ctx: typer.Context, work: Callable[[AsyncLipsyncClient], Awaitable[T]], *, subject: str | None = None
) -> T:
    """Run ``work(client)`` against the configured API (or an embedded sandbox) and map every error.

    Library errors become one stderr line (plus JSON) and the documented exit code; see ``fail``.
    ``subject``: the id the command is about, named in a 404 whose message does not name it
    (HeyGen's "Lipsync not found." leaves a person guessing which of several ids was wrong).

    Raises:
        typer.Exit: with the documented exit code, after the error report, when anything failed.
    """
    st = state(ctx)
    with error_boundary(st), _http_trace(st), _endpoint(st) as (base_url, api_key, ledger):

        async def main() -> T:
            from heygen_lipsync.client import AsyncLipsyncClient

            # The embedded sandbox is named by its data, not its random port: a rerun finds its job.
            origin = "sandbox" if st.sandbox else None
            async with AsyncLipsyncClient(base_url=base_url, api_key=api_key, ledger=ledger, origin=origin) as client:
                try:
                    return await work(client)
                except NotFoundError as exc:
                    if subject and subject not in exc.message:
                        exc.message = f"{exc.message.rstrip('.')}: {subject}"
                    raise

        return asyncio.run(main())
    raise AssertionError("unreachable")  # pragma: no cover - error_boundary always raises on error


@contextmanager
def _http_trace(st: CliState) -> Iterator[None]:
    """With ``--debug``, one stderr line per HTTP exchange (the library's own debug log of them).

    The library logs method, URL without its query (presigned URLs carry signatures there),
    status, request id and time, never a header: so the trace shows no key and no signature.
    """
    if not st.debug:
        yield
        return
    http_log = logging.getLogger("heygen_lipsync.http")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("http: %(message)s"))
    level = http_log.level
    http_log.addHandler(handler)
    http_log.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        http_log.removeHandler(handler)
        http_log.setLevel(level)


@contextmanager
def _endpoint(st: CliState) -> Iterator[tuple[str | None, str | None, Ledger | Literal["default"] | None]]:
    """Where requests go (and which ledger records them): an embedded sandbox for ``--sandbox``, else the API."""
    if st.sandbox:
        if st.base_url:
            raise UsageProblem("--sandbox and --base-url cannot be used together", param="--base-url")
        from heygen_lipsync.sandbox import EmbeddedSandbox, SandboxConfig

        # Same settings and data directory as `sandbox serve`, so `--sandbox get ID` finds the job
        # an earlier `--sandbox create` made (jobs advance by the clock, not by a running server).
        try:
            config = SandboxConfig.from_env()
        except ValueError as exc:
            raise UsageProblem(f"sandbox settings: {exc}") from None
        with EmbeddedSandbox(config) as sandbox:
            # The sandbox's own ledger, beside its data: sandbox jobs never mix with real ones.
            yield sandbox.base_url, sandbox.api_key, sandbox_ledger(config.data_dir)
        return
    settings = resolve_settings(base_url=st.base_url)
    try:
        settings.auth_headers()
    except ConfigurationError as exc:
        # No credentials is an authentication problem (exit 3), not a malformed setting (exit 2).
        raise NoCredentials(exc.message) from None
    yield st.base_url, None, "default"
