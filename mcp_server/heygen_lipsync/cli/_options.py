"""What the lipsync commands share: option types, the detail schema's name and each command's examples."""

from __future__ import annotations

from typing import Annotated

import typer

from heygen_lipsync.cli._limits import check_id

__all__ = [
    "DETAIL",
    "LIPSYNC_COLUMNS",
    "Data",
    "DeleteUploads",
    "IdemKey",
    "LipsyncId",
    "Overwrite",
    "PollInterval",
    "Timeout",
    "examples",
]

LipsyncId = Annotated[
    str,
    typer.Argument(help="The lipsync's id (e.g. ls_abc123).", show_default=False, metavar="ID", callback=check_id),
]
Timeout = Annotated[
    str, typer.Option("--timeout", help="How long to wait: seconds, or forms like 90s, 20m, 1h.", show_default=True)
]
PollInterval = Annotated[
    float,
    # The floor: 0 made a 3-second job cost 2,258 polls (clamped, so scripts passing 0 keep working).
    typer.Option(
        "--poll-interval",
        min=1,
        clamp=True,
        help="Seconds before the first status check, at least 1 s (less counts as 1); doubles up to 30 s.",
    ),
]
Overwrite = Annotated[bool, typer.Option("--overwrite", help="Replace an existing file at the destination.")]
IdemKey = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key", help="Repeat-safe key (1-255 of A-Za-z0-9_:.-): a retry replays the first response."
    ),
]
DeleteUploads = Annotated[
    bool,
    typer.Option(
        "--delete-uploads",
        help="Once the job has finished (and is saved, with --download), delete the files this create uploaded "
        "from HeyGen (never assets passed by id).",
    ),
]
Data = Annotated[
    str | None,
    typer.Option("-d", "--data", help="Request body: inline JSON, a file path, or - for stdin. Flags override it."),
]
LIPSYNC_COLUMNS = ("id", "status", "title", "duration", "created_at")
DETAIL = "LipsyncDetail"


EXAMPLES = {
    "create": [
        "heygen-lipsync create --video clip.mp4 --audio voice.wav --wait --download dubbed.mp4",
        "heygen-lipsync create --video https://example.com/in.mp4 --audio asset_123 --mode precision",
        "heygen-lipsync create -d body.json --title 'Override the body title'",
        "cat body.json | heygen-lipsync create -d - --idempotency-key job-42",
        "heygen-lipsync create --request-schema",
    ],
    "get": ["heygen-lipsync get ls_abc123", "heygen-lipsync --human get ls_abc123"],
    "list": ["heygen-lipsync list --limit 20", "heygen-lipsync list --all | jq '.data[].id'"],
    "update": ["heygen-lipsync update ls_abc123 --title 'Final cut'"],
    "delete": ["heygen-lipsync delete ls_abc123", "heygen-lipsync delete ls_abc123 --force"],
    "wait": ["heygen-lipsync wait ls_abc123 --timeout 1h"],
    "download": ["heygen-lipsync download ls_abc123 out.mp4", "heygen-lipsync download ls_abc123 outdir/ --captions"],
    "upload": ["heygen-lipsync upload voice.wav | jq -r .asset_id"],
    "status": ["heygen-lipsync status ls_abc123 ls_def456", "heygen-lipsync status --batch b_123"],
    "estimate": ["heygen-lipsync estimate --video clip.mp4 --audio voice.wav --mode precision"],
}


def examples(name: str) -> str:
    """The epilog of a command: its examples, one per paragraph."""
    return "Examples:\n\n" + "\n\n".join(f"  {line}" for line in EXAMPLES[name])
