"""Long-running services (`heygen-lipsync sandbox serve`, `heygen-lipsync mcp`), and how `estimate` shows its report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from heygen_lipsync.cli._errors import UsageProblem, error_boundary
from heygen_lipsync.cli._input import local_path
from heygen_lipsync.cli._render import emit, source_name
from heygen_lipsync.cli._state import CliState, state
from heygen_lipsync.errors import HeyGenError

if TYPE_CHECKING:
    from heygen_lipsync.sandbox import SandboxConfig

__all__ = ["register", "show_estimate"]

sandbox_app = typer.Typer(help="The local sandbox of the HeyGen Lipsync API (no account, no network).")

_SERVE_EXAMPLES = """\
Examples:

  heygen-lipsync sandbox serve

  heygen-lipsync sandbox serve --port 9000 --running-seconds 1 --in-memory

Then, in another shell: heygen-lipsync --base-url http://127.0.0.1:8765 list
(no key is needed on a loopback address; the sandbox accepts "sandbox-key").
"""


@sandbox_app.command("serve", epilog=_SERVE_EXAMPLES)
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (keep it on loopback).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, metavar="PORT", help="Port to listen on.")] = 8765,
    data_dir: Annotated[
        str | None,
        typer.Option(
            "--data-dir",
            metavar="DIR",
            help="Where jobs and files persist (default: the user data directory).",
            show_default=False,
        ),
    ] = None,
    in_memory: Annotated[bool, typer.Option("--in-memory", help="Keep nothing after the server stops.")] = False,
    pending_seconds: Annotated[
        float | None,
        typer.Option(
            "--pending-seconds", min=0, metavar="SECONDS", help="How long a job stays pending.", show_default=False
        ),
    ] = None,
    running_seconds: Annotated[
        float | None,
        typer.Option(
            "--running-seconds", min=0, metavar="SECONDS", help="How long a job stays running.", show_default=False
        ),
    ] = None,
    max_concurrent_jobs: Annotated[
        int | None,
        typer.Option("--max-concurrent-jobs", min=1, metavar="N", help="Unfinished jobs allowed at once (then 429)."),
    ] = None,
) -> None:
    """Run the sandbox in the foreground until Ctrl-C. Settings: flags > HEYGEN_LIPSYNC_SANDBOX_* > defaults."""
    flags = {
        "pending_seconds": pending_seconds,
        "running_seconds": running_seconds,
        "max_concurrent_jobs": max_concurrent_jobs,
    }
    with error_boundary(state(ctx)):
        _serve(host, port, _sandbox_config(flags, data_dir=data_dir, in_memory=in_memory))


def _sandbox_config(flags: dict[str, Any], *, data_dir: str | None, in_memory: bool) -> SandboxConfig:
    """The sandbox's settings: the flags given, over HEYGEN_LIPSYNC_SANDBOX_*, over the defaults.

    Raises:
        UsageProblem: ``--in-memory`` with ``--data-dir``, or a setting out of range.
    """
    from heygen_lipsync.sandbox import SandboxConfig

    if in_memory and data_dir is not None:
        raise UsageProblem("--in-memory and --data-dir cannot be used together", param="data_dir")
    overrides = {key: value for key, value in flags.items() if value is not None}
    if in_memory or data_dir is not None:
        overrides["data_dir"] = local_path(data_dir, param="--data-dir") if data_dir is not None else None
    try:
        return SandboxConfig.from_env(**overrides)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None


def _serve(host: str, port: int, config: SandboxConfig) -> None:
    """Run the sandbox until Ctrl-C; a server that cannot start is a ``sandbox_error`` (exit 1).

    Raises:
        HeyGenError: the address cannot be bound, or uvicorn exited without serving.
    """
    from heygen_lipsync.sandbox import run_sandbox

    try:
        run_sandbox(host=host, port=port, config=config)  # prints where it listens, the key and the data dir
    except OSError as exc:
        raise HeyGenError(f"cannot serve on {host}:{port}: {exc.strerror or exc}", code="sandbox_error") from None
    except SystemExit as exc:  # uvicorn exits 3 when it cannot bind; 3 means "authentication" here
        if exc.code not in (0, None):
            raise HeyGenError(
                f"cannot serve on {host}:{port}: the server did not start (is the port in use? try --port)",
                code="sandbox_error",
            ) from None


def show_estimate(st: CliState, report: dict[str, Any]) -> None:
    """The preflight report of ``estimate``: as it is for --json; for a person, one row per job and the totals.

    A person reads a table (inputs by name, mode, output length and where it comes from, the
    rate and the price), then the summary line with the balance, then any warning or error.
    """
    if not st.is_human:
        emit(st, report)
        return
    rows = []
    for number, item in enumerate(report.get("items", []), start=1):
        seconds, usd = item.get("output_seconds"), item.get("estimated_usd")
        rows.append(
            {
                "job": number,
                "inputs": "\n".join(source_name(source.get("value")) for source in item.get("inputs", [])),
                "mode": item.get("mode"),
                "output": "unknown" if seconds is None else f"{seconds:.1f} s (from the {item.get('length_from')})",
                "rate": f"${item.get('rate_usd_per_second'):g}/s",
                "estimate": (f"${usd:.2f}" if usd is not None else f"unknown: {item.get('unknown_reason')}"),
            }
        )
    emit(st, rows, columns=("job", "inputs", "mode", "output", "rate", "estimate"), title="estimate")
    emit(st, report.get("summary", ""))
    balance = report.get("balance")
    if balance is None:
        emit(st, "Balance: unknown (HeyGen did not say)")
    for finding in [*report.get("errors", []), *report.get("warnings", [])]:
        emit(st, f"{finding.get('severity')}: {finding.get('field')}: {finding.get('message')}")


def mcp(ctx: typer.Context) -> None:
    """Run the MCP server (same as heygen-lipsync-mcp); arguments after `mcp` are passed to it."""
    from heygen_lipsync.mcp import main as mcp_main

    args = list(ctx.args)
    if state(ctx).sandbox and "--sandbox" not in args:
        args.insert(0, "--sandbox")
    mcp_main(args)


def register(app: typer.Typer) -> None:
    """Add `sandbox serve` and `mcp` to the app."""
    app.add_typer(sandbox_app, name="sandbox")
    app.command(
        "mcp",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
        epilog="Examples:\n\n  heygen-lipsync mcp\n\n  heygen-lipsync mcp --help\n\n  heygen-lipsync --sandbox mcp",
        add_help_option=False,
    )(mcp)
