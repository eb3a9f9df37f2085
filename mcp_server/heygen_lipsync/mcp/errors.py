"""Every failure a tool can meet, turned into one shape of tool error (``isError``) by ``error_result``.

A tool error carries a stable ``code``, the message (HeyGen's own for API errors), the
``param`` at fault when known, and ``next_action``: what the model should do now. It is
sent as text, and as ``_meta["heygen-lipsync/error"]`` for programs. Never as
``structuredContent``: a tool's outputSchema describes its success result, and strict
clients (the TypeScript SDK's, used by Claude Desktop and Claude Code) validate
``structuredContent`` even on ``isError`` results, so an error object there would turn every
tool error into a protocol error and the model would never see the message or next step.
Unknown exceptions become a generic message; their details go to the stderr log only.
Known secrets are scrubbed from every message as a last line of defence.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from heygen_lipsync.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    DownloadError,
    HeyGenError,
    InsufficientCreditError,
    JobFailedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
    WaitTimeoutError,
    wait_timeout_message,
)
from heygen_lipsync.redaction import redact

__all__ = ["ERROR_META_KEY", "ToolErrorInfo", "ToolFailure", "error_info", "error_result", "not_an_id"]

logger = logging.getLogger("heygen_lipsync.mcp")

# Where a tool error's object goes in the result's ``_meta`` (see the module docstring).
ERROR_META_KEY = "heygen-lipsync/error"


class ToolFailure(Exception):
    """A failure the server foresaw (bad argument, refused path, spend not confirmed, ...)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        param: str | None = None,
        next_action: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param
        self.next_action = next_action
        self.details = details  # structured data beside the message (e.g. a spend's preflight)


class ToolErrorInfo(BaseModel):
    """The ``error`` object of a failed tool call."""

    code: str
    message: str
    param: str | None = None
    next_action: str
    request_id: str | None = None
    retry_after_seconds: float | None = None
    idempotency_key: str | None = None
    details: dict[str, Any] | None = None


# The id arguments, and the tools that hand their ids out.
_ID_ARGUMENTS = {
    "lipsync_id": "create_lipsync or list_lipsyncs",
    "batch_id": "create_lipsync_batch",
    "asset_id": "upload_asset",
}


def not_an_id(problems: Sequence[Mapping[str, Any]]) -> ToolFailure | None:
    """The failure for an id argument whose value is no id (a pasted URL, a file path, a name), in words.

    ``problems`` are pydantic's errors for the call's arguments; None unless the only one is an
    id argument refused by its pattern (the schema's regex means nothing to a model or a user).
    """
    if len(problems) != 1 or problems[0].get("type") != "string_pattern_mismatch":
        return None
    loc, value = tuple(problems[0].get("loc") or ()), problems[0].get("input")
    name = str(loc[0]) if len(loc) == 1 else ""
    if name not in _ID_ARGUMENTS or not isinstance(value, str):
        return None
    if "://" in value:
        what = "is a URL"
    elif "/" in value or "\\" in value:
        what = "is a file path"
    else:
        what = "is not an id (ids have no spaces, '/', '?' or '#')"
    shown = value if len(value) <= 120 else value[:117] + "..."
    return ToolFailure(
        "invalid_argument",
        f"{name} takes an id as {_ID_ARGUMENTS[name]} returned it, and {shown!r} {what}",
        param=name,
        next_action=f"Pass only the id that {_ID_ARGUMENTS[name]} returned; if the id is part of a link, pass only "
        "that part.",
    )


def _api_next_action(exc: APIStatusError) -> str:
    if isinstance(exc, AuthenticationError):
        return (
            "The HeyGen credentials were rejected: the user must set a valid HEYGEN_API_KEY in this MCP "
            "server's environment and restart it. Do not retry until then."
        )
    if isinstance(exc, InsufficientCreditError):
        return "The HeyGen account is out of credit: tell the user to add credit. Do not retry until then."
    if isinstance(exc, PermissionDeniedError):
        return "This account may not do this: tell the user; retrying will not help."
    if isinstance(exc, NotFoundError) and exc.param == "folder_id":
        return "Check folder_id with get_folder, or leave it out to use the workspace root."
    if isinstance(exc, NotFoundError):
        return "Check the id; list_lipsyncs shows the jobs this account can see."
    if isinstance(exc, ConflictError):
        return (
            "A request with the same idempotency_key is still in progress: wait a few seconds and call again "
            "with the same key (it then returns the first request's result)."
        )
    if isinstance(exc, RateLimitError):
        wait = f"{exc.retry_after:g} s" if exc.retry_after is not None else "a minute"
        return f"Too many requests or jobs at once: wait {wait}, then retry (reuse the same idempotency_key)."
    if isinstance(exc, ServerError):
        return "HeyGen had a server error: retry later; for create, reuse the same idempotency_key to avoid duplicates."
    if isinstance(exc, BadRequestError):
        where = f"the argument behind '{exc.param}'" if exc.param else "the arguments"
        return f"Fix {where} as the message says, then call again."
    return "Read the message; fix the request or retry later."


def _next_action(exc: HeyGenError) -> str:
    """What the model should do after a library error: the MCP server's own wording."""
    if isinstance(exc, APIStatusError):
        return _api_next_action(exc)
    if isinstance(exc, APIConnectionError):
        return (
            "HeyGen could not be reached: retry in a little while. For create_lipsync, reuse the same "
            "idempotency_key so a request that did arrive is not run twice."
        )
    if isinstance(exc, ConfigurationError):
        return (
            "The server is not configured: tell the user to set HEYGEN_API_KEY in the env block of this "
            "MCP server's configuration (or run it with --sandbox to try it without an account)."
        )
    if isinstance(exc, ValidationError):
        return f"Fix '{exc.field}' as the message says, then call again."
    if isinstance(exc, JobFailedError):
        return (
            "The job failed and will not produce a video. Tell the user why; if the inputs can be fixed, "
            "create a new job with create_lipsync (it costs credits again)."
        )
    if isinstance(exc, WaitTimeoutError):
        return f"The job is still running: call wait_for_lipsync with lipsync_id={exc.lipsync_id!r}."
    if isinstance(exc, DownloadError):
        return (
            "Call download_lipsync again (it fetches a fresh link); use overwrite=true or another "
            "filename if the file exists."
        )
    return "Read the message and act on it."


def _message(exc: HeyGenError, library: dict[str, Any]) -> str:
    """The library's message; a wait that gave up names the MCP tool that resumes it."""
    if isinstance(exc, WaitTimeoutError):
        return wait_timeout_message(
            exc.lipsync_id,
            last_status=exc.last_status,
            elapsed=exc.elapsed,
            pending_ids=exc.pending_ids,
            resume="resume with wait_for_lipsync(lipsync_id='{id}')",
            resume_many="resume with wait_for_lipsync on each of them",
        )
    return str(library["message"])


def error_info(exc: BaseException) -> ToolErrorInfo:
    """The error object for an exception; unknown exceptions get a generic message.

    A library error's fields come from its ``to_dict()`` under this server's stable names
    (``retry_after`` is ``retry_after_seconds``); ``next_action`` is the server's own advice.

    Raises:
        Nothing.
    """
    if isinstance(exc, ToolFailure):
        return ToolErrorInfo(
            code=exc.code, message=exc.message, param=exc.param, next_action=exc.next_action, details=exc.details
        )
    if isinstance(exc, HeyGenError):
        library = exc.to_dict()
        return ToolErrorInfo(
            code=library["code"],
            message=_message(exc, library),
            param=library.get("param"),
            next_action=_next_action(exc),
            request_id=library.get("request_id"),
            retry_after_seconds=library.get("retry_after"),
        )
    return ToolErrorInfo(
        code="internal_error",
        message="The server hit an unexpected error; the details are in its log (stderr).",
        next_action="Retry once; if it happens again, tell the user to check the server's log.",
    )


def _scrub(text: str, secrets: Iterable[str | None]) -> str:
    # The library's one redaction (every escaped and repr form too), then its hints in the
    # form a tool call takes (JSON booleans).
    return redact(text, secrets).replace("overwrite=True", "overwrite=true")


# The tools that take an idempotency_key; advice to reuse one means nothing to the others.
_KEYED_TOOLS = frozenset({"create_lipsync", "create_lipsync_batch", "upload_asset"})


def _fit_to_tool(info: ToolErrorInfo, exc: BaseException, tool: str, sandbox: bool) -> ToolErrorInfo:
    """Drop advice that does not apply to this tool or mode (a key it has not, credits it does not spend)."""
    advice = info.next_action
    if tool not in _KEYED_TOOLS:
        advice = advice.replace(" (reuse the same idempotency_key)", "")
        advice = advice.replace("; for create, reuse the same idempotency_key to avoid duplicates", "")
    if sandbox and isinstance(exc, JobFailedError):
        advice = advice.replace("(it costs credits again)", "(in sandbox mode nothing is spent)")
    return info if advice == info.next_action else info.model_copy(update={"next_action": advice})


def error_result(
    exc: BaseException,
    *,
    tool: str,
    secrets: Iterable[str | None] = (),
    not_found_param: str | None = None,
    sandbox: bool = False,
) -> CallToolResult:
    """The ``isError`` result for ``exc``; the one place exceptions become tool errors.

    ``not_found_param`` names the argument behind a 404 that names none (the id the tool took);
    ``sandbox`` drops advice about credits, which the sandbox never spends.
    """
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]  # a task group's wrapping says nothing to the model
    info = _fit_to_tool(error_info(exc), exc, tool, sandbox)
    if isinstance(exc, NotFoundError) and not info.param and not_found_param:
        hint = (
            "use the batch_id that create_lipsync_batch returned"
            if not_found_param == "batch_id"
            else "list_lipsyncs shows the jobs this account can see"
        )
        info = info.model_copy(update={"param": not_found_param, "next_action": f"Check {not_found_param}: {hint}."})
    key = exc.idempotency_key if isinstance(exc, APIError) else None
    if key:
        # The create's outcome is unknown (the job may exist). The library generated this key
        # when the model gave none, so the model can only avoid a second, paid job if told it.
        info = info.model_copy(
            update={
                "idempotency_key": key,
                "next_action": f"The job may have been created: call {tool} again with the same arguments and "
                f"idempotency_key={key!r}; that returns the first job instead of creating (and paying for) a "
                "second one.",
            }
        )
    if isinstance(exc, ToolFailure | HeyGenError):
        logger.info("tool %s failed: %s %s", tool, info.code, _scrub(info.message, secrets))
    else:
        logger.error("tool %s raised an unexpected error", tool, exc_info=exc)
    secrets = list(secrets)
    info = info.model_copy(
        update={"message": _scrub(info.message, secrets), "next_action": _scrub(info.next_action, secrets)}
    )
    parts = [f"Error ({info.code}): {info.message}"]
    if info.param:
        parts.append(f"Argument: {info.param}.")
    parts.append(f"Next: {info.next_action}")
    if info.request_id:
        parts.append(f"(HeyGen request id {info.request_id})")
    meta: dict[str, Any] = {ERROR_META_KEY: info.model_dump(mode="json", exclude_none=True)}
    return CallToolResult(
        _meta=meta, content=[TextContent(type="text", text="\n".join(parts))], structured_content=None, is_error=True
    )
