"""Asking the user before a spend: MCP elicitation on either protocol version, or no question at all.

``ask_user`` is a resolver that runs before a paying tool's body (the SDK's ``Resolve``): it
prepares and quotes the jobs through the library's jobs floor, and asks the user about the
new jobs, their inputs, mode, length and price. On protocols before 2026-07-28 it asks
mid-call itself (``Answered``); on 2026-07-28 it returns the question for an
``InputRequiredResult`` round. It never asks in the sandbox, when the client cannot be asked,
when nothing new would be paid for, or about a request the tool body is going to refuse. An
answer that is an error or an empty accept is an ``Answered`` failure, which falls back to the
token flow (``spending.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mcp.server.mcpserver import Context, Elicit, ElicitationResult
from mcp.shared.exceptions import MCPError
from mcp_types import ElicitResult
from mcp_types.version import is_version_at_least
from pydantic import BaseModel, Field
from pydantic import ValidationError as SchemaError

from heygen_lipsync.mcp.state import AppState, session_key, state_of

if TYPE_CHECKING:
    from heygen_lipsync.jobs.preflight import Preflight
    from heygen_lipsync.request import LipsyncRequest

__all__ = ["Answered", "NotAsked", "SpendApproval", "ask_user", "can_elicit", "describe_jobs"]


class SpendApproval(BaseModel):
    """The form shown to the user when the client supports elicitation."""

    approve: bool = Field(
        default=True,
        title="Start the paid job",
        description="Leave checked and accept to spend the credits; decline to cancel.",
    )


# The first protocol revision that carries elicitation in InputRequiredResult.
_INPUT_REQUIRED_VERSION = "2026-07-28"


def can_elicit(ctx: Context) -> bool:
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


@dataclass(frozen=True)
class Answered(NotAsked):
    """The SDK did not ask: ``ask_user`` did, and this is the user's answer or why there is none.

    A subclass of ``NotAsked`` so the resolvers' return annotations hold. ``failure`` says
    why the client's answer cannot be used (a JSON-RPC error, an accept without content);
    such an answer never spends.
    """

    outcome: ElicitationResult[SpendApproval] | None = None
    failure: str | None = None


_ERROR_ANSWER = "the client answered the spend question with an error instead of the user's answer"
_EMPTY_ANSWER = "the client accepted the spend question with no answer (or one that is not the form's)"


def _unusable_answer(ctx: Context) -> Answered | None:
    """An accept without a usable answer among this round's input responses (2026-07-28 protocol)."""
    for answer in (ctx.input_responses or {}).values():
        if isinstance(answer, ElicitResult) and answer.action == "accept":
            try:
                SpendApproval.model_validate(answer.content)
            except SchemaError:
                return Answered(failure=_EMPTY_ANSWER)
    return None


async def _ask_mid_call(ctx: Context, question: str) -> Answered:
    """Ask over the back-channel (protocols before 2026-07-28), turning the client's failures into answers.

    The SDK would make a JSON-RPC error a protocol error and an empty accept an untyped tool
    error naming our resolver; here both become ``failure``, reported by ``check_approval``.
    """
    try:
        return Answered(await ctx.elicit(question, SpendApproval))
    except MCPError:
        return Answered(failure=_ERROR_ANSWER)
    except ValueError:  # no content, or content that fails the schema (pydantic's error is one too)
        return Answered(failure=_EMPTY_ANSWER)


def describe_jobs(pre: Preflight) -> str:
    """The jobs in words, for the user: inputs, mode and output length of each (at most 3 listed)."""
    lines = []
    for item in pre.items[:3]:
        names = " with ".join(Path(i.value).name if i.kind == "file" else i.value for i in item.inputs)
        length = "unknown length" if item.output_seconds is None else f"{item.output_seconds:.1f} s of output"
        lines.append(f"dub {names} ({item.mode}, {length})")
    if len(pre.items) > 3:
        lines.append(f"and {len(pre.items) - 3} more")
    return "; ".join(lines).capitalize() + "."


async def ask_user(
    ctx: Context, build: Callable[[AppState], Sequence[LipsyncRequest]]
) -> Elicit[SpendApproval] | NotAsked:
    """A resolver's answer: ask the user to approve the new jobs ``build`` makes, or not ask at all.

    ``build`` gives the jobs' requests (and raises on arguments the tool will refuse).
    """
    from heygen_lipsync.mcp.files import off_loop
    from heygen_lipsync.mcp.quotes import quote_for

    state = state_of(ctx)
    if state.sandbox or not can_elicit(ctx):
        return NotAsked()
    try:
        requests = await off_loop(build, state)  # it checks the paths: off the event loop
        quote = await quote_for(state, requests, new_job=False)
        new = len(quote.new)
        quote.close()
        state.jobs.check(session_key(ctx), new)
        pre = quote.new_preflight
    except Exception:  # noqa: BLE001 - the tool body meets the same failure and reports it properly
        return NotAsked()
    if not new:
        return NotAsked()  # an earlier identical job covers every one: nothing to pay for
    question = (
        f"{describe_jobs(pre)} {pre.summary()} This spends credits on your HeyGen account and cannot be undone "
        "once the job starts. Start it?"
    )
    version = ctx.protocol_version
    if version is None or not is_version_at_least(version, _INPUT_REQUIRED_VERSION):
        return await _ask_mid_call(ctx, question)
    return _unusable_answer(ctx) or Elicit(question, SpendApproval)
