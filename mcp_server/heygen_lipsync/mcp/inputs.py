"""Tool arguments: the flattened create inputs, their checks, and errors that name the argument."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

import pydantic
from mcp.server.mcpserver.tools import Tool
from pydantic import BaseModel, ConfigDict, Field

from heygen_lipsync.errors import ValidationError
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.files import FileSandbox
from heygen_lipsync.mcp.spend import CONFIRM_SPEND_DESCRIPTION, OutputLength

if TYPE_CHECKING:
    from heygen_lipsync.request import LipsyncRequest
    from heygen_lipsync.sources import MediaSource


__all__ = [
    "ID_PATTERN",
    "AudioAssetId",
    "AudioPath",
    "AudioUrl",
    "BatchItemInput",
    "CallbackId",
    "CallbackUrl",
    "ConfirmSpend",
    "DisableMusicTrack",
    "EnableCaption",
    "EnableDynamicDuration",
    "EnableSpeechEnhancement",
    "EnableWatermark",
    "EndTime",
    "FolderId",
    "FpsMode",
    "IdempotencyKey",
    "KeepTheSameFormat",
    "LipsyncId",
    "Mode",
    "StartTime",
    "Title",
    "VideoAssetId",
    "VideoPath",
    "VideoUrl",
    "argument_failure",
    "build_request",
]

# Argument types shared by create_lipsync and the batch items.
ID_PATTERN = r"^[^/\\?#\s]*[^/\\?#\s.][^/\\?#\s]*$"
LipsyncId = Annotated[str, Field(min_length=1, max_length=200, pattern=ID_PATTERN, description="The lipsync id.")]
IdempotencyKey = Annotated[
    str | None,
    Field(
        default=None,
        pattern=r"^[A-Za-z0-9_:.-]{1,255}$",
        description="Optional key (1-255 of A-Z a-z 0-9 _ : . -). Reuse the same key when retrying after a network "
        "error or timeout, so the request is not run twice.",
    ),
]
ConfirmSpend = Annotated[bool, Field(default=False, description=CONFIRM_SPEND_DESCRIPTION)]
VideoUrl = Annotated[str | None, Field(default=None, description="Public https URL of the source video.")]
VideoAssetId = Annotated[str | None, Field(default=None, description="HeyGen asset id of the video (upload_asset).")]
VideoPath = Annotated[
    str | None,
    Field(default=None, description="Local video file (mp4, mov, webm) in the allowed directories; uploaded first."),
]
AudioUrl = Annotated[str | None, Field(default=None, description="Public https URL of the new audio.")]
AudioAssetId = Annotated[str | None, Field(default=None, description="HeyGen asset id of the audio (upload_asset).")]
AudioPath = Annotated[
    str | None,
    Field(
        default=None,
        description="Local audio file (mp3, wav, m4a, or a video with sound) inside the allowed directories; "
        "uploaded first. A local file lets the server estimate the cost.",
    ),
]
Title = Annotated[str | None, Field(default=None, min_length=1, max_length=255, description="A name for the job.")]
Mode = Annotated[
    Literal["speed", "precision"] | None,
    Field(default=None, description="speed (default, cheaper) or precision (better lips, about twice the price)."),
]
CallbackUrl = Annotated[
    str | None, Field(default=None, description="https URL HeyGen POSTs to when the job completes or fails.")
]
CallbackId = Annotated[str | None, Field(default=None, description="Your id, echoed back in the callback.")]
EnableCaption = Annotated[bool | None, Field(default=None, description="Also produce SRT captions.")]
KeepTheSameFormat = Annotated[bool | None, Field(default=None, description="Keep the source's resolution/format.")]
EnableDynamicDuration = Annotated[
    bool | None,
    Field(
        default=None,
        description="Default true: the output is as long as the audio. false: as long as the video segment "
        "(start_time..end_time). HeyGen charges per second of output, so this sets the price.",
    ),
]
DisableMusicTrack = Annotated[bool | None, Field(default=None, description="Drop the source's music track.")]
EnableSpeechEnhancement = Annotated[bool | None, Field(default=None, description="Clean up the new audio's speech.")]
EnableWatermark = Annotated[bool | None, Field(default=None, description="Add HeyGen's watermark.")]
StartTime = Annotated[float | None, Field(default=None, ge=0, description="Start of the video segment, seconds.")]
EndTime = Annotated[float | None, Field(default=None, ge=0, description="End of the video segment, seconds.")]
FpsMode = Annotated[
    Literal["vfr", "cfr", "passthrough"] | None, Field(default=None, description="Frame-rate handling of the output.")
]
FolderId = Annotated[str | None, Field(default=None, description="HeyGen folder to file the result in.")]

_SOURCE_KINDS = ("url", "asset_id", "path")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class BatchItemInput(BaseModel):
    """One video of a batch: the same inputs as create_lipsync."""

    model_config = ConfigDict(extra="forbid")

    video_url: VideoUrl = None
    video_asset_id: VideoAssetId = None
    video_path: VideoPath = None
    audio_url: AudioUrl = None
    audio_asset_id: AudioAssetId = None
    audio_path: AudioPath = None
    title: Title = None
    mode: Mode = None
    callback_url: CallbackUrl = None
    callback_id: CallbackId = None
    enable_caption: EnableCaption = None
    keep_the_same_format: KeepTheSameFormat = None
    enable_dynamic_duration: EnableDynamicDuration = None
    disable_music_track: DisableMusicTrack = None
    enable_speech_enhancement: EnableSpeechEnhancement = None
    enable_watermark: EnableWatermark = None
    start_time: StartTime = None
    end_time: EndTime = None
    fps_mode: FpsMode = None
    folder_id: FolderId = None


_REQUEST_FIELDS = tuple(name for name in BatchItemInput.model_fields if not name.startswith(("video_", "audio_")))


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
    looks_like_url = _URL_SCHEME.match(value.strip()) is not None
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


def build_request(files: FileSandbox, values: dict[str, Any], prefix: str = "") -> tuple[LipsyncRequest, OutputLength]:
    """A validated library request from flattened arguments, and what its output length (its price) follows.

    Raises:
        ToolFailure: a source is missing or doubled, a path is refused, or a value is invalid.
    """
    from heygen_lipsync.request import LipsyncRequest
    from heygen_lipsync.sources import FileSource

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
    if request.enable_dynamic_duration is False:  # the output is as long as the video segment
        video_file = video.path if isinstance(video, FileSource) else None
        return request, OutputLength(video_file, request.start_time, request.end_time)
    return request, OutputLength(audio.path if isinstance(audio, FileSource) else None)


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
