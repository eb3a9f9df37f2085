"""The spending gate: every create goes through ``spending()``, the one place jobs are paid for.

A create spends the user's HeyGen credits, so before its first request the server checks
the session's job cap, estimates the cost (``cost.py``), and then either has asked the user
through elicitation (``ask_user``, a resolver that runs before the tool body, when the
client supports it) or requires ``confirm_spend=true`` from the model, whose argument
description tells it to ask the user first. The sandbox spends nothing and is never asked.

The session cap counts what *may* have been spent: a slot reserved for a create is released
only when the create definitely made nothing (``may_have_created``). A create whose outcome
is unknown (its response was lost) keeps its slot, and a retry with the idempotency key of a
counted create, which returns that same job, takes none. Neither does a create the ledger
answered with an earlier identical job (``reused``): its reserved slot is released.

```python
async with spending(ctx, PaidJobs([length], [mode]), approval, confirm_spend=..., idempotency_key=key) as spend:
    lipsync_id = await client.create(request)
    spend.created()
```
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult
from mcp.shared.exceptions import MCPError
from mcp_types import ElicitResult
from mcp_types.version import is_version_at_least
from pydantic import BaseModel, Field
from pydantic import ValidationError as SchemaError

from heygen_lipsync.errors import APIError, APIStatusError, ConfigurationError, ConflictError, ValidationError
from heygen_lipsync.mcp.cost import CostEstimate
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.files import off_loop
from heygen_lipsync.mcp.state import AppState, session_key, state_of
from heygen_lipsync.preflight import BalanceTooLowError, Preflight, check_spend, preflight_batch, with_balance
from heygen_lipsync.pricing import Rates
from heygen_lipsync.request import LipsyncRequest

__all__ = [
    "CONFIRM_SPEND_DESCRIPTION",
    "Answered",
    "Gate",
    "JobCounter",
    "NotAsked",
    "PaidJobs",
    "Previews",
    "Spend",
    "SpendApproval",
    "ask_user",
    "check_approval",
    "describe_jobs",
    "estimate_for",
    "may_have_created",
    "preflight_for",
    "spending",
]

CONFIRM_SPEND_DESCRIPTION = (
    "This job spends the user's HeyGen credits. Set true ONLY after telling the user the estimated cost "
    "(call once without it to get the estimate) and getting their explicit go-ahead. Ignored when the "
    "server can ask the user itself (elicitation) and in the sandbox."
)


class SpendApproval(BaseModel):
    """The form shown to the user when the client supports elicitation."""

    approve: bool = Field(
        default=True,
        title="Start the paid job",
        description="Leave checked and accept to spend the credits; decline to cancel.",
    )


def may_have_created(exc: BaseException) -> bool:
    """Whether a create that raised ``exc`` may still have made its job(s).

    Only a definite "not created" is False: a refusal before anything was sent (a tool
    failure, a validation or configuration error) or a 4xx answer that says the request was
    refused. Everything else may have made a job: an error the library marks as an unknown
    outcome (it carries ``idempotency_key``), a lost connection or timeout, a 5xx, a 408, a
    409 ``request_in_progress``, a cancelled call, an unexpected response or exception.
    """
    if isinstance(exc, ToolFailure | ValidationError | ConfigurationError):
        return False
    if isinstance(exc, APIError) and exc.idempotency_key:
        return True
    if isinstance(exc, APIStatusError):
        in_progress = isinstance(exc, ConflictError) and exc.code == "request_in_progress"
        return not 400 <= exc.status_code < 500 or exc.status_code == 408 or in_progress
    return True


@dataclass
class JobCounter:
    """Jobs counted per MCP session (created, or may have been), so one conversation cannot run up an unbounded bill."""

    limit: int
    created: dict[str, int] = field(default_factory=dict)
    in_flight: dict[str, int] = field(default_factory=dict)
    # Idempotency keys of the creates already counted: a retry with one returns that job.
    keys: dict[str, set[str]] = field(default_factory=dict)
    previews: Previews = field(default_factory=lambda: Previews())

    def remaining(self, session: str) -> int:
        """How many more jobs this session may start."""
        return self.limit - self.created.get(session, 0) - self.in_flight.get(session, 0)

    def needed(self, session: str, jobs: int, idempotency_key: str | None) -> int:
        """How many slots a create of ``jobs`` takes: none when it retries a counted key."""
        return 0 if idempotency_key and idempotency_key in self.keys.get(session, set()) else jobs

    def check(self, session: str, jobs: int) -> None:
        """Refuse when ``jobs`` more would pass the cap.

        Raises:
            ToolFailure: the cap would be exceeded.
        """
        left = self.remaining(session)
        if jobs > left:
            raise ToolFailure(
                "session_job_limit",
                f"this session may create {self.limit} job(s) (HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION); "
                f"{max(left, 0)} left, {jobs} asked for",
                next_action=(
                    f"Create at most {left} job(s) in this session (e.g. a smaller batch), or tell the user the "
                    "limit would be passed; they can raise it in the server's configuration or start a new session."
                    if left > 0
                    else "Tell the user the limit was reached; they can raise it in the server's configuration "
                    "or start a new session."
                ),
            )

    def reserve(self, session: str, jobs: int) -> None:
        """Count ``jobs`` as in flight (call ``check`` first, with no await in between)."""
        self.in_flight[session] = self.in_flight.get(session, 0) + jobs

    def settle(self, session: str, jobs: int, *, created: bool, idempotency_key: str | None = None) -> None:
        """Release a reservation; count the jobs (and remember their key) when they were, or may have been, created."""
        self.in_flight[session] = self.in_flight.get(session, 0) - jobs
        if created:
            self.created[session] = self.created.get(session, 0) + jobs
            if idempotency_key:
                self.keys.setdefault(session, set()).add(idempotency_key)


@dataclass
class Previews:
    """The preflights each session was shown, by approval token, so a spend can prove one was seen.

    A spend without elicitation needs a preview of the very same request(s) in the same
    session, and the call carries its ``approval_token``: repeating the arguments is not
    enough, nor is a ``confirm_spend`` on a first call.
    """

    limit: int = 64
    shown: dict[str, dict[str, str]] = field(default_factory=dict)  # session -> token -> fingerprint

    def issue(self, session: str, fingerprint: str) -> str:
        """A new token for a preview of ``fingerprint`` shown in ``session``."""
        tokens = self.shown.setdefault(session, {})
        if len(tokens) >= self.limit:
            del tokens[next(iter(tokens))]  # the oldest: a long session keeps only recent previews
        token = "apv_" + secrets.token_urlsafe(12)
        tokens[token] = fingerprint
        return token

    def seen(self, session: str, fingerprint: str, token: str) -> bool:
        """Whether ``token`` is from a preview of these request(s) shown in this session."""
        return self.shown.get(session, {}).get(token) == fingerprint


@dataclass(frozen=True)
class PaidJobs:
    """The jobs a create pays for: their requests, which set their price (output length and mode)."""

    requests: Sequence[LipsyncRequest]

    def fingerprint(self) -> str:
        """A digest of the request(s): the same arguments give the same digest."""
        return hashlib.sha256(repr(list(self.requests)).encode()).hexdigest()


def _rates(state: AppState) -> Rates:
    return Rates(speed=state.settings.rate_speed, precision=state.settings.rate_precision)


def _argument(field_name: str) -> str:
    """A preflight field as the tool's argument (``lipsyncs[0].video`` -> ``items[0].video_*``)."""
    name = field_name.replace("lipsyncs[", "items[")
    return name + "_path" if name.endswith(("video", "audio")) else name


async def preflight_for(state: AppState, jobs: PaidJobs) -> Preflight:
    """The preflight of these jobs (local files probed, remembered assets priced, the balance when known).

    Raises:
        ToolFailure: preflight found a job that would fail (``preflight_failed``, naming the argument).
    """
    import anyio.to_thread

    client = await state.require_client()
    lookup = getattr(client, "remembered_probe", None)
    # PyAV reads the files: off the event loop, so a slow file delays only this call.
    pre = await anyio.to_thread.run_sync(lambda: preflight_batch(jobs.requests, rates=_rates(state), probes=lookup))
    if len(jobs.requests) == 1:  # a single create names its fields without the batch prefix
        pre = dataclasses.replace(
            pre, findings=tuple(dataclasses.replace(f, field=f.field.split(".", 1)[1]) for f in pre.findings)
        )
    if pre.errors:
        first = pre.errors[0]
        raise ToolFailure(
            "preflight_failed",
            f"{first.message}. Nothing was sent or spent.",
            param=_argument(first.field),
            next_action=f"Fix {_argument(first.field)} and call again.",
            details={"preflight": pre.to_dict()},
        )
    return pre if state.sandbox else await with_balance(pre, client)


async def estimate_for(state: AppState, jobs: PaidJobs) -> CostEstimate:
    """The estimate for these jobs, each at its own mode's rate (see ``preflight_for``).

    Raises:
        ToolFailure: as ``preflight_for``.
    """
    return CostEstimate.of(await preflight_for(state, jobs))


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


async def ask_user(ctx: Context, plan: Callable[[AppState], PaidJobs]) -> Elicit[SpendApproval] | NotAsked:
    """A resolver's answer: ask the user to approve ``plan``'s jobs and their estimate, or not ask at all.

    ``plan`` gives the jobs' requests (and raises on arguments the tool will refuse). Runs
    before the tool body (the SDK's ``Resolve``): on older protocols it asks mid-call itself
    (``Answered``), on 2026-07-28 it returns the question for an ``InputRequiredResult``
    round. Never asks in the sandbox, when the client cannot be asked, or about a request the
    tool body is going to refuse. The question names the inputs, the mode, the output length
    and the price. An answer that is an error or an empty accept is an ``Answered`` failure.
    """
    state = state_of(ctx)
    if state.sandbox or not _can_elicit(ctx):
        return NotAsked()
    try:
        jobs = await off_loop(plan, state)  # it checks the paths: off the event loop
        state.jobs.check(session_key(ctx), len(jobs.requests))
        pre = await preflight_for(state, jobs)
        check_spend(pre)
    except Exception:  # noqa: BLE001 - the tool body meets the same failure and reports it properly
        return NotAsked()
    question = (
        f"{describe_jobs(pre)} {pre.summary()} This spends credits on your HeyGen account and cannot be undone "
        "once the job starts. Start it?"
    )
    version = ctx.protocol_version
    if version is None or not is_version_at_least(version, _INPUT_REQUIRED_VERSION):
        return await _ask_mid_call(ctx, question)
    return _unusable_answer(ctx) or Elicit(question, SpendApproval)


@dataclass(frozen=True)
class Gate:
    """What a spend is checked against: the user's answer, the model's confirmation and the previews shown."""

    approval: object
    confirm_spend: bool
    approval_token: str | None
    previews: Previews
    session: str
    fingerprint: str


def check_approval(gate: Gate, estimate: CostEstimate, pre: Preflight) -> None:
    """Let the spend go ahead, or raise.

    With elicitation the user's answer decides. Without it the first call for a request only
    previews it: the error carries the preflight, the estimate and an ``approval_token``; the
    spending call must carry that token (from a preview of the same arguments in this session)
    and ``confirm_spend=true``. An answer the client could not give (a JSON-RPC error, an empty
    accept) falls back to the same token flow.

    Raises:
        ToolFailure: the user declined (``spend_declined``), the client failed to answer
            (``elicitation_failed``), or the spend was not confirmed with a preview's token
            (``confirmation_required``).
    """
    approval = gate.approval
    data = approval.data if isinstance(approval, AcceptedElicitation) else None
    if isinstance(data, Answered) and data.failure is None:  # asked mid-call: the user's own answer
        approval = data.outcome
        data = approval.data if isinstance(approval, AcceptedElicitation) else None
    if isinstance(data, SpendApproval):
        if data.approve:
            return
    elif isinstance(approval, AcceptedElicitation):  # nobody asked the user, or their client failed to
        token = gate.approval_token
        if gate.confirm_spend and token is not None and gate.previews.seen(gate.session, gate.fingerprint, token):
            return
        _refuse_unconfirmed(gate, estimate, pre, data.failure if isinstance(data, Answered) else None)
    raise ToolFailure(
        "spend_declined",
        f"The user did not approve the spend; nothing was created. ({estimate.summary})",
        next_action="Do not retry unless the user asks for it.",
    )


def _refuse_unconfirmed(gate: Gate, estimate: CostEstimate, pre: Preflight, failure: str | None) -> None:
    """The preview: nothing spent; the jobs, the estimate and a token for the call that spends.

    Raises:
        ToolFailure: always (``elicitation_failed`` when the client failed to answer the question).
    """
    token = gate.previews.issue(gate.session, gate.fingerprint)
    if failure is not None:
        why = f"{failure[0].upper()}{failure[1:]}. "
    elif gate.approval_token is not None:
        why = "That approval_token is not from a preview of these arguments in this session. "
    elif gate.confirm_spend:
        why = "confirm_spend=true needs the approval_token of a preview the user saw first; this is it. "
    else:
        why = ""
    raise ToolFailure(
        "confirmation_required" if failure is None else "elicitation_failed",
        f"{why}{describe_jobs(pre)} {estimate.summary} Nothing was created: this job spends the user's "
        "HeyGen credits and needs their approval.",
        param="confirm_spend",
        next_action=("The user was not asked. " if failure is not None else "")
        + "Tell the user the jobs and the estimated cost and ask them whether to go ahead. Only if they "
        f"agree, call again with the same arguments, confirm_spend=true and approval_token={token!r}.",
        details={"preflight": pre.to_dict(), "estimate": estimate.model_dump(), "approval_token": token},
    )


def _refuse_over_balance(pre: Preflight) -> None:
    try:
        check_spend(pre)
    except BalanceTooLowError as exc:
        raise ToolFailure(
            "balance_too_low",
            f"{exc}.",
            next_action="Tell the user the estimate and their balance; they can add credit, or send fewer or "
            "shorter jobs.",
            details={"preflight": pre.to_dict()},
        ) from None


@dataclass
class Spend:
    """An approved spend inside ``spending()``: say ``created()`` once the API returned the new id."""

    estimate: CostEstimate | None
    sandbox: bool
    _jobs: JobCounter
    _session: str
    _slots: int
    _key: str | None
    _open: bool = True
    preflight: Preflight | None = None  # what priced it: the library's preflight of every job

    def created(self, *, reused: bool = False) -> None:
        """The job(s) exist: count them, unless the ledger ``reused`` an earlier identical create's job(s).

        A reused create sent nothing and spent nothing, so its slots go back to the session.
        """
        self._settle(created=not reused, key=self._key)

    @property
    def jobs_left(self) -> int:
        """How many more jobs this session may start."""
        return self._jobs.remaining(self._session)

    def outcome(self) -> dict[str, Any]:
        """What a create's result says about the spend: ``sandbox``, ``estimate``, ``jobs_left_in_session``."""
        return {"sandbox": self.sandbox, "estimate": self.estimate, "jobs_left_in_session": self.jobs_left}

    def failed(self, exc: BaseException) -> None:
        """The create raised ``exc``: keep the slots unless it proves nothing was created."""
        # The key the library made up when the model gave none is the one a retry will carry.
        key = (exc.idempotency_key if isinstance(exc, APIError) else None) or self._key
        self._settle(created=may_have_created(exc), key=key)

    def close(self) -> None:
        """The block ended: a create that neither said ``created()`` nor failed is counted."""
        self._settle(created=True, key=self._key)

    def _settle(self, *, created: bool, key: str | None) -> None:
        if self._open:
            self._open = False
            self._jobs.settle(self._session, self._slots, created=created, idempotency_key=key)


@asynccontextmanager
async def spending(
    ctx: Context,
    jobs: PaidJobs,
    approval: object,
    *,
    confirm_spend: bool,
    idempotency_key: str | None,
    approval_token: str | None = None,
) -> AsyncIterator[Spend]:
    """Check the cap, preflight and price, check the approval, reserve the slots; settle them when the block ends.

    ``approval`` is the resolver's answer (``ask_user``). Inside the block, call
    ``spend.created()`` when the create returned; a block that raises keeps the slots unless
    the error proves nothing was created. The sandbox is priced too (what a real job would
    cost) but never asks.

    Raises:
        ToolFailure: the session's cap would be passed, preflight found a failing job, the
            estimate is above the balance, or the spend was not approved.
    """
    state = state_of(ctx)
    session = session_key(ctx)
    slots = state.jobs.needed(session, len(jobs.requests), idempotency_key)
    state.jobs.check(session, slots)  # before the spend question: no point approving a job the cap refuses
    pre = await preflight_for(state, jobs)
    estimate = CostEstimate.of(pre)
    if not state.sandbox:
        _refuse_over_balance(pre)
        gate = Gate(approval, confirm_spend, approval_token, state.jobs.previews, session, jobs.fingerprint())
        check_approval(gate, estimate, pre)
    state.jobs.check(session, slots)  # again: another call may have started a job while the user was asked
    state.jobs.reserve(session, slots)
    spend = Spend(estimate, state.sandbox, state.jobs, session, slots, idempotency_key, preflight=pre)
    try:
        yield spend
    except BaseException as exc:
        spend.failed(exc)
        raise
    finally:
        spend.close()
