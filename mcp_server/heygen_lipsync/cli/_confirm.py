"""Asking before spending: `create` and `batch create` show the preflight and ask y/N on a terminal.

A paid create shows its inputs, output length, mode, estimate and balance on stderr and
asks ``Spend about $0.30? [y/N]``. ``--yes`` or ``HEYGEN_LIPSYNC_ASSUME_YES=1`` skips the
question; without a terminal and without either, the command refuses with exit 2 (like
``delete``) before anything is sent. ``--dry-run`` prints the preflight and the request that
would be sent and sends nothing. The sandbox spends nothing, so it never asks.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from heygen_lipsync.cli._errors import UsageProblem
from heygen_lipsync.cli._render import note
from heygen_lipsync.cli._state import CliState
from heygen_lipsync.request import LipsyncRequest
from heygen_lipsync.sources import FileSource

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient
    from heygen_lipsync.jobs.approval import Approval
    from heygen_lipsync.jobs.plan import PreparedJob, Quote
    from heygen_lipsync.jobs.preflight import Preflight

__all__ = ["ENV_ASSUME_YES", "DryRunOption", "SpendQuestion", "YesOption", "request_preview"]

ENV_ASSUME_YES = "HEYGEN_LIPSYNC_ASSUME_YES"
YesOption = Annotated[
    bool,
    typer.Option("--yes", "-y", help=f"Spend without asking; needed without a terminal. Or set {ENV_ASSUME_YES} to 1."),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the preflight, the estimate and the request; send nothing.")
]
T = TypeVar("T")


def _assumed_yes() -> bool:
    return os.environ.get(ENV_ASSUME_YES, "").strip().lower() in ("1", "true", "yes")


def request_preview(request: LipsyncRequest) -> dict[str, Any]:
    """The body that would be sent, local files shown as ``{"type": "file", "path": ...}`` (uploaded first)."""
    body: dict[str, Any] = {}
    for name, value in request.items():
        if isinstance(value, FileSource):
            body[name] = {"type": "file", "path": str(value.path)}
        elif name in ("video", "audio"):
            body[name] = value.to_api_dict()
        else:
            body[name] = value
    return body


def _show(pre: Preflight, quote: Quote | None = None) -> None:
    if quote is not None and quote.reused:
        rows = ", ".join(str(i + 1) for i in sorted(quote.reused))
        note(f"already created earlier (nothing to pay): job {rows}")
    for index, item in enumerate(pre.items):
        where = f"job {index + 1}: " if len(pre.items) > 1 else ""
        inputs = ", ".join(f"{i.field} {i.value}" for i in item.inputs)
        length = "unknown" if item.output_seconds is None else f"{item.output_seconds:.1f} s"
        note(f"{where}{inputs}; {item.mode} mode; output {length} (from the {item.length_from})")
    for finding in pre.warnings:
        note(f"warning: {finding.field}: {finding.message}")
    note(pre.summary())


@dataclass(frozen=True)
class SpendQuestion:
    """How this command handles the spend: ask, assume yes, or only show (``--dry-run``)."""

    sandbox: bool
    yes: bool
    dry_run: bool

    @classmethod
    def of(cls, st: CliState, *, yes: bool, dry_run: bool) -> SpendQuestion:
        """Check, before anything is sent, that the command can get an answer.

        Raises:
            UsageProblem: a paid create without a terminal, ``--yes`` or ``HEYGEN_LIPSYNC_ASSUME_YES=1``.
        """
        yes = yes or _assumed_yes()
        if not (st.sandbox or yes or dry_run or sys.stdin.isatty()):
            raise UsageProblem(
                "not creating: this spends HeyGen credits and there is no terminal to confirm on; pass --yes "
                f"(or set {ENV_ASSUME_YES}=1), or --dry-run to see the estimate",
                param="yes",
            )
        return cls(st.sandbox, yes, dry_run)

    async def run(
        self,
        client: AsyncLipsyncClient,
        requests: Sequence[LipsyncRequest],
        create: Callable[[list[PreparedJob], Approval], Awaitable[T]],
        *,
        batch: dict[str, Any] | None = None,
        new_job: bool = False,
    ) -> T | dict[str, Any]:
        """Prepare and quote through the jobs floor, then the dry run's report, or (once agreed) ``create``.

        Each local file is opened once here (``client.prepare``); ``create`` gets those prepared
        jobs and the person's approval, and passes them to the library, whose spend authority
        records them. Only new jobs are priced and asked about: an earlier identical job the
        ledger holds costs nothing again, and when every job is covered nobody is asked.

        Raises:
            ValidationError: preflight found a job that would fail (naming the field).
            BalanceTooLowError: the estimate is above the account's balance.
            typer.Exit: the person answered no (exit 1, nothing sent).
        """
        from heygen_lipsync.jobs.approval import Approval
        from heygen_lipsync.jobs.preflight import check_spend, with_balance

        # Asset ids are looked up when a person will be asked: never approve a job that cannot run.
        asking = not (self.sandbox or self.yes)
        jobs = await client.prepare(requests, batch=batch is not None, check_assets=asking)
        quote = await client.quote(jobs, new_job=new_job)
        try:
            quote.preflight.raise_for_errors()
            if quote.new or self.dry_run:  # the sandbox has a wallet too; a rejected key fails before any upload
                quote.preflight = await with_balance(quote.preflight, client, strict=not self.sandbox)
            pre = quote.new_preflight
            check_spend(pre)
            if self.dry_run:
                _show(quote.preflight, quote)
                bodies = [request_preview(r) for r in requests]
                sent: Any = {"lipsyncs": bodies, **(batch or {})} if batch is not None else bodies[0]
                return {"dry_run": True, "preflight": quote.preflight.to_dict(), "request": sent,
                        "already_created": sorted(quote.reused)}  # fmt: skip
            if quote.new and not (self.sandbox or self.yes):
                _show(pre, quote)
                usd = pre.estimated_usd
                amount = f"about ${usd:.2f}" if usd is not None else "an unknown amount"
                if not typer.confirm(f"Spend {amount}?", default=False, err=True):
                    note("nothing was sent")
                    raise typer.Exit(1)
            by = "user" if quote.new and not (self.sandbox or self.yes) else "policy"
            return await create(quote.jobs, Approval(by=by, fingerprints=quote.new_fingerprints))
        finally:
            quote.close()
