"""Tool arguments: the flattened create inputs, their checks, and errors that name the argument."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import pydantic
from mcp.server.mcpserver import Context, Elicit
from mcp.server.mcpserver.tools import Tool
from pydantic import BaseModel, ConfigDict, Field, create_model

from heygen_lipsync.errors import ValidationError
from heygen_lipsync.fields import IDEMPOTENCY_KEY_PATTERN, RequestField, request_fields
from heygen_lipsync.mcp.asking import NotAsked, SpendApproval, ask_user
from heygen_lipsync.mcp.errors import ToolFailure, not_an_id
from heygen_lipsync.mcp.files import FileSandbox

if TYPE_CHECKING:
    from heygen_lipsync.request import LipsyncRequest
    from heygen_lipsync.sources import MediaSource


__all__ = [
    "AS_IN_CREATE",
    "ID_PATTERN",
    "ITEMS_DESCRIPTION",
    "REQUEST_ARGUMENTS",
    "ApprovalToken",
    "ApprovalTokenAsInCreate",
    "BatchCallbackUrl",
    "BatchItemInput",
    "ConfirmSpend",
    "IdempotencyKey",
    "IdempotencyKeyAsInCreate",
    "LipsyncId",
    "NewJob",
    "NewJobAsInCreate",
    "argument_failure",
    "ask_before_items",
    "build_request",
    "build_requests",
    "request_arguments",
]

# Arguments that are not request fields. Their descriptions are short: they are read in every
# conversation, in each of the three paying tools; the spend flow itself is told by the preview
# error's next step (spending.py), which carries the token and what to do with it.
ID_PATTERN = r"^\.*[^/\\?#\s.][^/\\?#\s]*$"  # no / \ ? # or whitespace, and not only dots ("..")
LipsyncId = Annotated[str, Field(min_length=1, max_length=200, pattern=ID_PATTERN, description="The lipsync id.")]
IdempotencyKey = Annotated[
    str | None,
    Field(
        default=None,
        pattern=IDEMPOTENCY_KEY_PATTERN.pattern,
        description="Optional; resend the same key to retry after a network error or timeout: never run twice.",
    ),
]
ConfirmSpend = Annotated[
    bool,
    Field(
        default=False,
        description="Spends credits: true ONLY after telling the user the estimated cost of a preview and their yes.",
    ),
]
ApprovalToken = Annotated[
    str | None,
    Field(
        default=None,
        max_length=512,
        description="The token of the preview the user approved; with confirm_spend=true and the same arguments.",
    ),
]
NewJob = Annotated[
    bool,
    Field(description="Make another job even if an identical one exists (else it is returned, reused=true)."),
]
# The batch and dub tools take these as create_lipsync does, which describes them beside them.
AS_IN_CREATE = "As in create_lipsync."
ApprovalTokenAsInCreate = Annotated[ApprovalToken, Field(description=AS_IN_CREATE)]
IdempotencyKeyAsInCreate = Annotated[IdempotencyKey, Field(description=AS_IN_CREATE)]
NewJobAsInCreate = Annotated[NewJob, Field(description=AS_IN_CREATE)]
BatchCallbackUrl = Annotated[
    str | None, Field(default=None, description="https URL HeyGen POSTs to once every job of the batch has finished.")
]

# The request's fields, built from the one field table (heygen_lipsync.fields). The sources are
# its one deliberate exception: a model fills three flat arguments per source (url, asset id,
# local path) far more reliably than a tagged union, so each is flattened here.
_SOURCE_KINDS = ("url", "asset_id", "path")
_SOURCE_HELP = {
    ("video", "url"): "Public https URL of the source video.",
    ("video", "asset_id"): "Asset id of the video (upload_asset).",
    ("video", "path"): "Local video (mp4, mov, webm) in the allowed directories; uploaded first.",
    ("audio", "url"): "Public https URL of the new audio.",
    ("audio", "asset_id"): "Asset id of the audio (upload_asset).",
    ("audio", "path"): "Local audio (mp3, wav, m4a, or a video with sound) in the allowed directories; "
    "uploaded first; its length prices the job.",
}
# What a model needs to know beyond the spec's words: both decide the price.
_HINTS = {
    "mode": "precision costs about twice as much.",
    "enable_dynamic_duration": "true: the output is as long as the audio, false: as the video segment; HeyGen "
    "charges per second of output.",
}
_PLAIN_TYPES: dict[str, Any] = {"bool": bool, "number": float, "integer": int, "str": str, "json": Any}


def _help(spec: RequestField) -> str:
    """The spec's description and HeyGen's default: the schema beside it already says the type, range and values."""
    if spec.deprecated or not spec.description:
        text = spec.help_text()  # a deprecated field says so first (and its default no longer matters)
    else:
        text = spec.description.strip().rstrip(".")
        if spec.default is not None:
            default = str(spec.default).lower() if isinstance(spec.default, bool) else spec.default
            text += f" (default {default})"  # HeyGen's: an argument left out is not sent
        text += "."
    return text + (f" {_HINTS[spec.name]}" if spec.name in _HINTS else "")


def _argument(spec: RequestField, described: bool) -> Any:
    constraints: dict[str, Any] = {"description": _help(spec) if described else None}
    if spec.min_length is not None:
        constraints["min_length"] = spec.min_length
    if spec.max_length is not None:
        constraints["max_length"] = spec.max_length
    if spec.minimum is not None:
        constraints["ge"] = spec.minimum
    if spec.maximum is not None:
        constraints["le"] = spec.maximum
    if spec.deprecated:  # HeyGen ignores it: say so in the schema, not only in the prose
        constraints["json_schema_extra"] = {"deprecated": True}
    value_type = Literal[spec.choices] if spec.choices else _PLAIN_TYPES[spec.kind]
    return Annotated[value_type | None, Field(default=None, **constraints)]


def _request_arguments(described: bool = True) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    for spec in request_fields():
        if spec.is_source:
            for how in _SOURCE_KINDS:
                help_text = _SOURCE_HELP.get((spec.name, how), f"{spec.name} as a {how.replace('_', ' ')}.")
                field = Field(default=None, description=help_text if described else None)
                arguments[f"{spec.name}_{how}"] = Annotated[str | None, field]
        else:
            arguments[spec.name] = _argument(spec, described)
    return arguments


REQUEST_ARGUMENTS: dict[str, Any] = _request_arguments()
"""Every create argument, by name, in the spec's order: the flattened sources, then the plain fields."""

ITEMS_DESCRIPTION = "each with create_lipsync's source and option arguments (described there)"
"""What the batch and dub tools say of their items, whose fields are create_lipsync's without the descriptions.

The list a model reads holds create_lipsync beside them: each field described once, not three times.
"""

_REQUEST_FIELDS = tuple(spec.name for spec in request_fields() if not spec.is_source)

if TYPE_CHECKING:

    class BatchItemInput(BaseModel):
        """One video of a batch: the same inputs as create_lipsync (built from the field table)."""

        def __getattr__(self, name: str) -> Any: ...

else:
    # The same names, types and checks as REQUEST_ARGUMENTS; no model docstring (the schema would carry it).
    BatchItemInput = create_model(
        "BatchItemInput",
        __config__=ConfigDict(extra="forbid"),
        **{name: (annotation, None) for name, annotation in _request_arguments(described=False).items()},
    )
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")

F = TypeVar("F", bound=Callable[..., Any])


def request_arguments(after: str | None = None) -> Callable[[F], F]:
    """Give a tool (or resolver) that takes ``**arguments`` every create argument, after ``after``.

    MCPServer reads a tool's input schema and a resolver's inputs from the signature, so the
    arguments are laid into ``__signature__`` and arrive by name in ``**arguments``.
    """

    def decorate(func: F) -> F:
        signature = inspect.signature(func, eval_str=True)
        params = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
        at = [p.name for p in params].index(after) + 1 if after else len(params)
        fields = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
            for name, annotation in REQUEST_ARGUMENTS.items()
        ]
        head = params[:at]
        tail = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in params[at:]]
        func.__signature__ = signature.replace(parameters=[*head, *fields, *tail])  # type: ignore[attr-defined]
        return func

    return decorate


def _source(files: FileSandbox, kind: str, values: dict[str, Any], prefix: str) -> tuple[MediaSource, str]:
    """The one source given for ``kind`` (video or audio), and the argument it came from."""
    from heygen_lipsync.sources import AssetSource, FileSource, UrlSource

    names = [f"{kind}_{suffix}" for suffix in _SOURCE_KINDS]
    given = [name for name in names if values.get(name) is not None]
    if len(given) != 1:
        got = "none was given" if not given else "got " + " and ".join(prefix + n for n in given)
        raise ToolFailure(
            "invalid_argument",
            f"give exactly one of {', '.join(prefix + n for n in names)}: {got}",
            param=prefix + (given[1] if len(given) > 1 else names[0]),
            next_action=f"Call again with exactly one {kind} source.",
        )
    name = given[0]
    value = str(values[name])
    # Models mix the kinds up: say which argument the value belongs in instead of "no such file".
    # A file:// URI is a local path (files.FileSandbox reads it as one), not a URL to fetch.
    looks_like_url = _URL_SCHEME.match(value.strip()) is not None and not value.strip().lower().startswith("file:")
    if name.endswith("_path") and looks_like_url:
        raise ToolFailure(
            "invalid_argument",
            f"{prefix + name} takes a local file, and {value.strip()!r} is a URL",
            param=prefix + name,
            next_action=f"Pass it as {prefix}{kind}_url instead (an https URL the API can fetch).",
        )
    if name.endswith("_url") and not looks_like_url:
        raise ToolFailure(
            "invalid_argument",
            f"{prefix + name} takes an https URL, and {value.strip()!r} is not one",
            param=prefix + name,
            next_action=f"For a local file pass {prefix}{kind}_path; for a HeyGen asset id, {prefix}{kind}_asset_id.",
        )
    if name.endswith("_url"):
        return UrlSource(value.strip()), name
    if name.endswith("_asset_id"):
        return AssetSource(value.strip()), name
    return FileSource(files.input_file(value, param=prefix + name)), name


def build_request(files: FileSandbox, values: dict[str, Any], prefix: str = "") -> LipsyncRequest:
    """A validated library request from flattened arguments (the library's preflight prices it).

    Raises:
        ToolFailure: a source is missing or doubled, a path is refused, or a value is invalid.
    """
    from heygen_lipsync.request import LipsyncRequest

    video, video_arg = _source(files, "video", values, prefix)
    audio, audio_arg = _source(files, "audio", values, prefix)
    request = LipsyncRequest(video=video, audio=audio, **{name: values.get(name) for name in _REQUEST_FIELDS})
    try:
        request.validate()
    except ValidationError as exc:
        root = exc.field.split(".")[0]
        arg = {"video": video_arg, "audio": audio_arg}.get(root, exc.field)
        raise ToolFailure(
            "invalid_argument",
            exc.reason,
            param=prefix + arg,
            next_action=f"Fix {prefix + arg} and call again.",
        ) from None
    return request


def build_requests(files: FileSandbox, items: list[BatchItemInput]) -> list[LipsyncRequest]:
    """The validated requests of a tool's ``items`` (a failure names ``items[i].<argument>``).

    Raises:
        ToolFailure: as ``build_request``, for the first bad item.
    """
    return [build_request(files, item.model_dump(), prefix=f"items[{i}].") for i, item in enumerate(items)]


async def ask_before_items(ctx: Context, items: list[BatchItemInput]) -> Elicit[SpendApproval] | NotAsked:
    """The spend question of a tool that makes one job per item (the batch and dub tools' ``Resolve``)."""
    return await ask_user(ctx, lambda state: build_requests(state.files, items))


def argument_failure(tool: Tool, arguments: dict[str, Any]) -> ToolFailure | None:
    """A clear error naming the argument, for unknown, missing and mistyped arguments."""
    accepted = list(tool.parameters.get("properties", {}))
    unknown = sorted(set(arguments) - set(accepted))
    if unknown:
        return ToolFailure(
            "invalid_argument",
            f"unknown argument(s) {', '.join(unknown)}; {tool.name} accepts: {', '.join(accepted)}",
            param=unknown[0],
            next_action="Remove the unknown argument(s) (check the spelling) and call again.",
        )
    try:
        tool.fn_metadata.validate_arguments(arguments)
    except pydantic.ValidationError as exc:
        if (id_failure := not_an_id(exc.errors(include_url=False))) is not None:
            return id_failure
        problems: list[str] = []
        params: list[str] = []
        for err in exc.errors(include_url=False):
            loc = ""
            for part in err["loc"]:
                loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
            params.append(loc)
            if err["type"] == "missing":
                problems.append(f"missing required argument {loc}")
            elif err["type"] == "extra_forbidden":
                problems.append(f"unknown field {loc}")
            else:
                problems.append(f"{loc}: {err['msg']}")
        return ToolFailure(
            "invalid_argument",
            "; ".join(problems),
            param=params[0] if params else None,
            next_action="Fix the named argument(s) to match the tool's input schema and call again.",
        )
    return None
