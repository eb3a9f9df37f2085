"""The spending gate inside a tool call: estimate, ask the user (elicitation) or demand confirm_spend."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit
from mcp_types.version import is_version_at_least

from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.inputs import BatchItemInput
from heygen_lipsync.mcp.spend import (
    CostEstimate,
    OutputLength,
    SpendApproval,
    estimate_cost,
)
from heygen_lipsync.mcp.state import AppState, session_key, state_of

__all__ = ["NotAsked", "ask_user", "batch_estimate", "check_approval", "estimate_for"]


async def estimate_for(state: AppState, lengths: Sequence[OutputLength], mode: str | None) -> CostEstimate:
    """The estimate for jobs whose output lengths come from these (local files measured, others unknown)."""
    import anyio.to_thread

    durations: list[float | None] = []
    for length in lengths:
        durations.append(await anyio.to_thread.run_sync(length.seconds))
    return estimate_cost(durations, mode=mode, rate=state.settings.rate_for(mode))


# The first protocol revision that carries elicitation in InputRequiredResult.
_INPUT_REQUIRED_VERSION = "2026-07-28"


def _can_elicit(ctx: Context) -> bool:
    """Whether the client takes form elicitations (a bare ``elicitation: {}`` means form)."""
    caps = ctx.client_capabilities
    elicitation = caps.elicitation if caps is not None else None
    if elicitation is None or (elicitation.form is None and elicitation.url is not None):
        return False
    version = ctx.protocol_version
    if version is not None and is_version_at_least(version, _INPUT_REQUIRED_VERSION):
        return True  # asked through InputRequiredResult: works on every transport, stateless included
    # Older protocols ask mid-call over a back-channel, which stateless HTTP does not have.
    return bool(ctx.session.can_send_request)


class NotAsked:
    """The gate did not ask the user (sandbox, no elicitation, or arguments the tool will refuse)."""


def _approval_message(estimate: CostEstimate) -> str:
    return (
        f"{estimate.summary} This spends credits on your HeyGen account and cannot be undone once the job "
        "starts. Start it?"
    )


async def ask_user(
    ctx: Context, jobs: int, build: Callable[[AppState], Awaitable[CostEstimate]]
) -> Elicit[SpendApproval] | NotAsked:
    """A resolver's answer: ask the user to approve ``build``'s estimate, or not ask at all.

    Runs before the tool body (the SDK's ``Resolve``), over elicitation mid-call on older
    protocols or an ``InputRequiredResult`` round on 2026-07-28. Never asks in the sandbox,
    when the client cannot be asked, or about a request the tool body is going to refuse.
    """
    state = state_of(ctx)
    if state.sandbox or not _can_elicit(ctx):
        return NotAsked()
    try:
        state.jobs.check(session_key(ctx), jobs)
        estimate = await build(state)
    except Exception:  # noqa: BLE001 - the tool body meets the same failure and reports it properly
        return NotAsked()
    return Elicit(_approval_message(estimate), SpendApproval)


def check_approval(state: AppState, approval: object, confirm_spend: bool, estimate: CostEstimate) -> None:
    """Let the spend go ahead, or raise.

    Raises:
        ToolFailure: the user declined, or the model did not confirm when it had to.
    """
    if state.sandbox:
        return
    if isinstance(approval, AcceptedElicitation):
        if isinstance(approval.data, SpendApproval):
            if approval.data.approve:
                return
        elif confirm_spend:
            return
        else:
            raise ToolFailure(
                "confirmation_required",
                f"{estimate.summary} Nothing was created: this job spends the user's HeyGen credits and needs "
                "their approval.",
                param="confirm_spend",
                next_action="Tell the user the estimated cost and ask whether to go ahead. Only if they agree, "
                "call again with the same arguments and confirm_spend=true.",
            )
    raise ToolFailure(
        "spend_declined",
        f"The user did not approve the spend; nothing was created. ({estimate.summary})",
        next_action="Do not retry unless the user asks for it.",
    )


async def batch_estimate(state: AppState, lengths: list[OutputLength], items: list[BatchItemInput]) -> CostEstimate:
    """The estimate for a batch's items (their output lengths, where known)."""
    modes = {item.mode or "speed" for item in items}
    # One rate per estimate: a mixed batch is priced at the dearer rate, so it never looks cheaper than it is.
    mode = "precision" if "precision" in modes else "speed"
    return await estimate_for(state, lengths, mode)
