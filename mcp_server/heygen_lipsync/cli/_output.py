"""What every command shares: global options, the client, stdout/stderr shaping, errors and exit codes.

Streams. stdout carries the result only: JSON (the API's ``data``, unwrapped) unless the
output is for a person, which is when ``--human`` is given or, with neither ``--human``
nor ``--json``, when stdout is a terminal. Progress bars, status lines, prompts and errors
go to stderr, so ``heygen-lipsync ... > out.json`` always leaves valid JSON in the file.

Errors. One line on stderr (``error: ...``) a person can act on; then, when
``--json-errors`` is given or stderr is not a terminal, the same error as one JSON object
``{"error": {code, message, param, request_id, ..., exit_code}}`` on the next line. No
traceback unless ``--debug``; no secret ever (library messages never hold one, and the key
from the environment is masked in anything else printed).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Column, Table
from rich.text import Text

from ..client import LipsyncClient
from ..config import ENV_API_KEY, ENV_BEARER_TOKEN, resolve_settings
from ..errors import (
    APIError,
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    HeyGenError,
    JobFailedError,
    PermissionDeniedError,
    ValidationError,
    WaitTimeoutError,
)

__all__ = [
    "CliState",
    "ExitCode",
    "UsageProblem",
    "WaitReporter",
    "emit",
    "error_boundary",
    "exit_code_for",
    "fail",
    "note",
    "run_client",
    "state",
    "stderr_console",
    "transfer_progress",
]

T = TypeVar("T")


class ExitCode(IntEnum):
    """The documented exit codes (README, "Command-line tool")."""

    OK = 0
    ERROR = 1  # API or network error, failed job, failed download
    USAGE = 2  # bad arguments or input, including the library's local validation errors
    AUTH = 3  # no credentials, key rejected (401) or not allowed (403)
    WAIT_TIMEOUT = 4  # gave up waiting; the job is still running


class UsageProblem(Exception):
    """A CLI-level input error (bad body, bad manifest): exit 2, shown like a validation error."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass
class CliState:
    """Global options, parsed once by the app callback and kept on the click context."""

    sandbox: bool = False
    base_url: str | None = None
    human: bool | None = None  # None: decide by whether stdout is a terminal
    json_errors: bool = False
    debug: bool = False
    command: Any = None  # the (sub)command being run, to name its flags in error lines

    @property
    def is_human(self) -> bool:
        return self.human if self.human is not None else sys.stdout.isatty()


def state(ctx: typer.Context) -> CliState:
    """The global options of this invocation (defaults when a command runs without the callback)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    root.obj.command = ctx.command
    return root.obj


def stderr_console() -> Console:
    """A rich console on the current stderr (made per call: tests swap sys.stderr)."""
    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


def _stdout_console() -> Console:
    return Console(file=sys.stdout, highlight=False)


# ---------------------------------------------------------------- output


def emit(st: CliState, data: Any, *, columns: Sequence[str] | None = None, title: str | None = None) -> None:
    """Print a result on stdout: JSON, or for a person a table (list) or a field/value summary (dict).

    ``columns`` picks and orders the table's columns when ``data`` is a list of dicts.
    """
    if not st.is_human:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()
        return
    console = _stdout_console()
    if isinstance(data, list):
        rows = [row for row in data if isinstance(row, Mapping)]
        cols = list(columns) if columns else _columns_of(rows)
        # Ids are never cut (they are copied into the next command); other cells wrap.
        table = Table(
            *(Column(col, overflow="fold", no_wrap=col in _ID_COLUMNS) for col in cols),
            title=title,
            title_justify="left",
        )
        for row in rows:
            table.add_row(*(Text(_cell(row.get(col), col)) for col in cols))
        console.print(table if rows else f"{title or 'result'}: nothing")
    elif isinstance(data, Mapping):
        table = Table(show_header=False, box=None, title=title, title_justify="left")
        table.add_column(style="bold")
        table.add_column(overflow="fold")  # URLs must stay whole to be copied
        for key, value in data.items():
            if value is None or value == {} or value == []:
                continue
            table.add_row(key, Text(_cell(value, key)))  # Text: API values are never markup
        console.print(table)
    else:
        console.print(Text(str(data)))


_ID_COLUMNS = frozenset({"id", "video_id", "batch_id", "asset_id"})


def _columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        cols.extend(key for key in row if key not in cols and not isinstance(row[key], dict | list))
    return cols


def _cell(value: Any, key: str = "") -> str:
    if value is None:
        return ""
    if key == "created_at" and isinstance(value, int):
        return datetime.fromtimestamp(value, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# ---------------------------------------------------------------- progress on stderr


def note(message: str) -> None:
    """A hint or notice for the person at the terminal, on stderr (never on stdout)."""
    stderr_console().print(message, markup=False)


@contextmanager
def transfer_progress(label: str) -> Iterator[Callable[[int, int | None], None]]:
    """Progress of uploads/downloads on stderr; yields ``on_progress(done, total_or_None)``.

    On a terminal it is a live bar; otherwise one line when a transfer starts and one when it
    ends. ``done`` going backwards means the next file (``create`` uploads video, then audio).
    """
    console = stderr_console()
    last: dict[str, int | None] = {}
    if not console.is_terminal:

        def log(done: int, total: int | None) -> None:
            if _next_file(last, done, total):
                console.print(f"{label}: {total if total is not None else 'unknown'} bytes", markup=False)
            if total and done >= total:
                console.print(f"{label}: done", markup=False)

        yield log
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        tasks: list[TaskID] = []

        def update(done: int, total: int | None) -> None:
            if _next_file(last, done, total) or not tasks:
                tasks.append(progress.add_task(label, total=None))
            progress.update(tasks[-1], completed=done, total=total or None)

        yield update


def _next_file(last: dict[str, int | None], done: int, total: int | None) -> bool:
    """Whether this progress report starts a new file (the first, or one after a finished file)."""
    new = not last or last["total"] != total or (last["done"] or 0) > done or last["finished"] == 1
    last.update(done=done, total=total, finished=int(bool(total) and done >= (total or 0)))
    return new


class WaitReporter:
    """The live status line of ``wait`` / ``create --wait`` on stderr.

    On a terminal, a spinner line that is rewritten each poll; otherwise one line per
    change of status, so logs stay short. Use as ``on_progress(lipsync, elapsed)``.
    """

    def __init__(self) -> None:
        self._console = stderr_console()
        self._last: str | None = None
        self._line = ""
        self._status: Any = None

    def __enter__(self) -> WaitReporter:
        if self._console.is_terminal:
            self._status = self._console.status("waiting for the job ...")
            self._status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(None, None, None)
            if self._line:
                self._console.print(self._line, markup=False)  # the spinner vanishes; its last word stays

    def __call__(self, lipsync: Any, elapsed: float) -> None:
        status = str(getattr(lipsync, "status", "unknown"))
        line = f"{getattr(lipsync, 'id', '?')}: {status} ({elapsed:.0f}s)"
        self._line = line
        if self._status is not None:
            self._status.update(Text(line))
        elif status != self._last:
            self._console.print(line, markup=False)
        self._last = status


# ---------------------------------------------------------------- running commands


def run_client(ctx: typer.Context, work: Callable[[LipsyncClient], Awaitable[T]]) -> T:
    """Run ``work(client)`` against the configured API (or an embedded sandbox) and map every error.

    Library errors become one stderr line (plus JSON) and the documented exit code; see ``fail``.
    """
    st = state(ctx)
    with error_boundary(st), _endpoint(st) as (base_url, api_key):

        async def main() -> T:
            async with LipsyncClient(base_url=base_url, api_key=api_key) as client:
                return await work(client)

        return asyncio.run(main())
    raise AssertionError("unreachable")  # pragma: no cover - error_boundary always raises on error


@contextmanager
def _endpoint(st: CliState) -> Iterator[tuple[str | None, str | None]]:
    """Where requests go: an embedded sandbox for ``--sandbox``, else ``--base-url``/environment."""
    if st.sandbox:
        if st.base_url:
            raise UsageProblem("--sandbox and --base-url cannot be used together", param="--base-url")
        from ..sandbox import EmbeddedSandbox, SandboxConfig

        # Same settings and data directory as `sandbox serve`, so `--sandbox get ID` finds the job
        # an earlier `--sandbox create` made (jobs advance by the clock, not by a running server).
        try:
            config = SandboxConfig.from_env()
        except ValueError as exc:
            raise UsageProblem(f"sandbox settings: {exc}") from None
        with EmbeddedSandbox(config) as sandbox:
            yield sandbox.base_url, sandbox.api_key
        return
    settings = resolve_settings(base_url=st.base_url)
    try:
        settings.auth_headers()
    except ConfigurationError as exc:
        # No credentials is an authentication problem (exit 3), not a malformed setting (exit 2).
        raise _NoCredentials(exc.message) from None
    yield st.base_url, None


class _NoCredentials(ConfigurationError):
    pass


def exit_code_for(exc: BaseException) -> ExitCode:
    """The documented exit code for an error."""
    if isinstance(exc, WaitTimeoutError):
        return ExitCode.WAIT_TIMEOUT
    if isinstance(exc, AuthenticationError | PermissionDeniedError | _NoCredentials):
        return ExitCode.AUTH
    if isinstance(exc, ValidationError | ConfigurationError | UsageProblem):
        return ExitCode.USAGE
    return ExitCode.ERROR


def error_payload(exc: BaseException, code: ExitCode) -> dict[str, Any]:
    """The JSON form of an error: code, message, param, request id and the exit code."""
    body: dict[str, Any] = {"code": getattr(exc, "code", "usage_error"), "message": _redact(_message(exc))}
    if isinstance(exc, ValidationError):
        body["param"] = exc.field
    elif isinstance(exc, UsageProblem):
        body["code"] = "usage_error"
        body["param"] = exc.param
    elif isinstance(exc, APIStatusError):
        body.update(status_code=exc.status_code, param=exc.param, doc_url=exc.doc_url, retry_after=exc.retry_after)
    if isinstance(exc, APIError):
        body["request_id"] = exc.request_id
        if exc.idempotency_key:  # a create whose outcome is unknown: retry with this key, never without
            body["idempotency_key"] = exc.idempotency_key
    if isinstance(exc, JobFailedError | WaitTimeoutError):
        body["lipsync_id"] = exc.lipsync_id
    if isinstance(exc, WaitTimeoutError):
        body["last_status"] = exc.last_status
        body["resume"] = f"heygen-lipsync wait {exc.lipsync_id}"
    if not isinstance(exc, HeyGenError | UsageProblem):
        body["code"] = "internal_error"
    body["exit_code"] = int(code)
    return {"error": body}


def _message(exc: BaseException) -> str:
    if isinstance(exc, APIStatusError):
        return exc.message
    if isinstance(exc, UsageProblem):
        return exc.message
    return str(exc)


def _redact(text: str) -> str:
    for name in (ENV_API_KEY, ENV_BEARER_TOKEN):
        secret = os.environ.get(name, "").strip()
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def fail(st: CliState, exc: BaseException) -> NoReturn:
    """Report ``exc`` on stderr (one line, plus JSON when asked or not a terminal) and exit with its code."""
    code = exit_code_for(exc)
    if isinstance(exc, WaitTimeoutError):
        line = (
            f"lipsync {exc.lipsync_id} is still running, not failed (last status: {exc.last_status or 'unknown'}, "
            f"waited {exc.elapsed:.0f}s); resume with: heygen-lipsync wait {exc.lipsync_id}"
        )
    elif isinstance(exc, ValidationError):
        line = _with_flag(str(exc), exc.field, st.command)
    elif isinstance(exc, HeyGenError | UsageProblem):
        line = str(exc)
    else:
        line = f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for the traceback)"
    err = sys.stderr
    err.write(f"error: {_redact(line)}\n")
    if st.json_errors or not err.isatty():
        err.write(json.dumps(error_payload(exc, code), ensure_ascii=False) + "\n")
    err.flush()
    raise typer.Exit(int(code))


def _with_flag(line: str, field: str | None, command: Any) -> str:
    """``video: is required`` as ``video (--video): is required`` when the command has that flag.

    The library names request fields (``idempotency_key``); the person typed, or can type,
    the command's flag (``--idempotency-key``), so the line names both.
    """
    if command is None or not field or not line.startswith(f"{field}:"):
        return line
    top = re.split(r"[.\[]", field, maxsplit=1)[0]
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "option" and param.name == top:
            flag = next((opt for opt in param.opts if opt.startswith("--")), param.opts[0])
            return f"{field} ({flag}){line[len(field) :]}"
    return line


@contextmanager
def error_boundary(st: CliState) -> Iterator[None]:
    """Turn every error raised inside into ``fail``; with ``--debug``, the traceback of any error comes first.

    ``--debug`` is asked for when something needs explaining: an API or network error's chain
    (the httpx cause behind a connection error) helps as much as an unexpected one's, so every
    error gets its traceback, and the one actionable line still ends the output.
    """
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except KeyboardInterrupt:
        raise typer.Exit(130) from None  # the shell's convention for Ctrl-C
    except Exception as exc:  # noqa: BLE001 - the CLI's last line: no traceback for users unless --debug
        if st.debug:
            import traceback

            sys.stderr.write(_redact("".join(traceback.format_exception(exc))))
        if isinstance(exc, JobFailedError) and exc.lipsync is not None:
            # The failed job is still a result: scripts get its JSON on stdout, with exit 1.
            emit(st, exc.lipsync.to_dict())
        fail(st, exc)
