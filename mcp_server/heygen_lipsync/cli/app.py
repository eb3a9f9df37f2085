"""The `heygen-lipsync` Typer application: global options and the command groups."""

from __future__ import annotations

from typing import Annotated, ClassVar

import typer

from heygen_lipsync import __version__
from heygen_lipsync.cli._group import GlobalOptionsGroup
from heygen_lipsync.cli._state import CliState

__all__ = ["app", "main"]

_EPILOG = """\
Examples:

  heygen-lipsync --sandbox create --video clip.mp4 --audio voice.wav --wait --download dubbed.mp4

  heygen-lipsync create -d '{"video": "https://example.com/in.mp4", "audio": "asset_123"}' --title Demo

  heygen-lipsync list --all --human

  heygen-lipsync create --request-schema

The API key is read from HEYGEN_API_KEY, else HeyGen's CLI login (~/.heygen/credentials);
never a flag. stdout is JSON unless --human
is given or stdout is a terminal; progress and errors go to stderr. Global options may also
follow the command (heygen-lipsync list --human).

Exit codes: 0 ok, 1 API/network error or failed job, 2 usage error, 3 authentication or
permission, 4 wait timed out (the job is still running: resume with `heygen-lipsync wait ID`).
"""


class _Root(GlobalOptionsGroup):
    # Each command's module, in the order help lists them: imported when the command runs.
    command_modules: ClassVar[dict[str, str]] = {
        "create": "create",
        "estimate": "create",
        **dict.fromkeys(("get", "list", "update", "delete"), "lipsyncs"),
        **dict.fromkeys(("wait", "download", "upload"), "transfers"),
        "status": "lipsyncs",
        "account": "account",
        "mcp": "services",
        "dub": "dub",
        "batch": "batch",
        "jobs": "jobs",
        "asset": "assets",
        "folder": "folders",
        "webhook": "webhooks",
        "sandbox": "services",
    }


app = typer.Typer(
    name="heygen-lipsync",
    help="Dub videos with HeyGen's Lipsync API: send a video and new audio, get a lip-synced video back.",
    epilog=_EPILOG,
    rich_markup_mode="markdown",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_Root,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"heygen-lipsync {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    ctx: typer.Context,
    sandbox: Annotated[
        bool,
        typer.Option("--sandbox", help="Run against an embedded local sandbox (no account, no network, no key)."),
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="API base URL (default: HEYGEN_BASE_URL or https://api.heygen.com).", show_default=False
        ),
    ] = None,
    human: Annotated[
        bool | None,
        typer.Option(
            "--human/--json",
            help="Tables and summaries for people, or JSON for scripts. Default: --human when stdout is a terminal.",
            show_default=False,
        ),
    ] = None,
    json_errors: Annotated[
        bool,
        typer.Option(
            "--json-errors", help="Also print errors as JSON on stderr (always on when stderr is not a terminal)."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="Trace each HTTP exchange on stderr (no keys, no URL signatures); print any error's traceback.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    """Dub videos with HeyGen's Lipsync API."""
    ctx.obj = CliState(sandbox=sandbox, base_url=base_url, human=human, json_errors=json_errors, debug=debug)


def main() -> None:
    """Console-script entry point of `heygen-lipsync`."""
    app(prog_name="heygen-lipsync")
