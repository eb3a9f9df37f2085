"""How errors end a command: one line on stderr, the JSON error when asked, the exit code.

One line on stderr (``error: ...``) a person can act on; then, when ``--json-errors`` is
given or stderr is not a terminal, the same error as one JSON object
``{"error": {code, message, param, request_id, ..., exit_code}}`` on the next line. No
traceback unless ``--debug``; no secret ever (library messages never hold one, and the key
from the environment is masked in anything else printed).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import Any, NoReturn

import typer

from heygen_lipsync.cli._hints import resume_wait
from heygen_lipsync.cli._render import emit
from heygen_lipsync.cli._state import CliState
from heygen_lipsync.errors import (
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    HeyGenError,
    JobFailedError,
    PermissionDeniedError,
    ValidationError,
    WaitTimeoutError,
    wait_timeout_message,
)
from heygen_lipsync.redaction import redact

__all__ = ["ExitCode", "NoCredentials", "UsageProblem", "error_boundary", "error_payload", "exit_code_for", "fail"]


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


class NoCredentials(ConfigurationError):
    """No API key nor token: an authentication problem (exit 3), not a malformed setting (exit 2)."""


def exit_code_for(exc: BaseException) -> ExitCode:
    """The documented exit code for an error."""
    if isinstance(exc, WaitTimeoutError):
        return ExitCode.WAIT_TIMEOUT
    if isinstance(exc, AuthenticationError | PermissionDeniedError | NoCredentials):
        return ExitCode.AUTH
    if isinstance(exc, ValidationError | ConfigurationError | UsageProblem):
        return ExitCode.USAGE
    return ExitCode.ERROR


def error_payload(exc: BaseException, code: ExitCode, st: CliState | None = None) -> dict[str, Any]:
    """The JSON form of an error: the library's ``to_dict()`` plus the CLI's own keys.

    The library's form (code, param, status, request id, idempotency key, job id, ...) less
    its ``type``; the CLI adds ``exit_code``, ``resume`` (the command that resumes a wait) and
    words ``message`` as the line a person reads (flags, not keyword arguments). Errors that
    are not the library's are ``usage_error`` (a CLI input problem) or ``internal_error``.

    Raises:
        Nothing.
    """
    message = _redact(_cli_wording(_message(exc), st))
    body: dict[str, Any]
    if isinstance(exc, HeyGenError):
        body = exc.to_dict() | {"message": message}
        del body["type"]  # a Python class name: the stable ``code`` is what scripts switch on
    elif isinstance(exc, UsageProblem):
        body = {"code": "usage_error", "message": message, "param": exc.param}
    else:
        body = {"code": "internal_error", "message": message}
    if isinstance(exc, WaitTimeoutError):
        body["resume"] = resume_wait(st, exc.lipsync_id) if st is not None else f"heygen-lipsync wait {exc.lipsync_id}"
    body["exit_code"] = int(code)
    return {"error": body}


def _message(exc: BaseException) -> str:
    if isinstance(exc, APIStatusError):
        return exc.message
    if isinstance(exc, UsageProblem):
        return exc.message
    return str(exc)


def _redact(text: str) -> str:
    return redact(text)


def _cli_wording(line: str, st: CliState | None = None) -> str:
    """The library's hints as the flags a person types: ``--overwrite``, ``--idempotency-key KEY``.

    An unreachable server names the setting in use: ``--base-url`` when it was given (the
    library's message names ``HEYGEN_BASE_URL``, which this command did not use).
    """
    line = line.replace("pass overwrite=True", "pass --overwrite")
    if st is not None and st.base_url:
        line = line.replace("check the network and HEYGEN_BASE_URL", "check the network and --base-url")
    return re.sub(r"retry with idempotency_key=(\S+)", r"retry with --idempotency-key \1", line)


def fail(st: CliState, exc: BaseException, *, job_shown: bool = False) -> NoReturn:
    """Report ``exc`` on stderr (one line, plus JSON when asked or not a terminal) and exit with its code.

    ``job_shown``: a failed job's summary, its failure message included, was just printed for
    a person, so the line does not say the message a second time (the JSON keeps it whole).

    Raises:
        typer.Exit: always, with ``exit_code_for(exc)``.
    """
    code = exit_code_for(exc)
    if isinstance(exc, WaitTimeoutError):
        # The library's wording, with the command this invocation resumes with (its global options
        # included); braces escaped, as the message formats ``{id}`` into it.
        resume = f"resume with: {resume_wait(st, exc.lipsync_id)}".replace("{", "{{").replace("}", "}}")
        line = wait_timeout_message(exc.lipsync_id, last_status=exc.last_status, elapsed=exc.elapsed, resume=resume)
    elif isinstance(exc, JobFailedError) and job_shown:
        line = f"lipsync {exc.lipsync_id} failed (its failure_message is above)"
    elif isinstance(exc, ValidationError):
        line = _with_flag(str(exc), exc.field, st.command)
    elif isinstance(exc, HeyGenError | UsageProblem):
        line = str(exc)
    else:
        line = f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for the traceback)"
    err = sys.stderr
    err.write(f"error: {_redact(_cli_wording(line, st))}\n")
    if st.json_errors or not err.isatty():
        err.write(json.dumps(error_payload(exc, code, st), ensure_ascii=False) + "\n")
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

    Raises:
        typer.Exit: for any error raised inside (130 for Ctrl-C); ``typer.Exit``/``Abort`` pass through.
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
            fail(st, exc, job_shown=st.is_human)
        fail(st, exc)
