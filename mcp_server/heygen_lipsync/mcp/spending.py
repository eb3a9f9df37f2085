"""The spending gate: every create goes through ``spending()``, the one place jobs are paid for.

A create spends the user's HeyGen credits, so before its first request the server checks
the session's job cap, estimates the cost (``cost.py``), and then either has asked the user
through elicitation (``ask_user``, a resolver that runs before the tool body, when the
client supports it) or requires ``confirm_spend=true`` from the model, whose argument
description tells it to ask the user first. The sandbox spends nothing and is never asked.

The session cap counts what *may* have been spent: a slot reserved for a create is released
only when the create definitely made nothing (``may_have_created``). A create whose outcome
is unknown (its response was lost) keeps its slot, and a retry with the idempotency key of a
counted create, which returns that same job, takes none.

```python
async with spending(ctx, PaidJobs([length], [mode]), approval, confirm_spend=..., idempotency_key=key) as spend:
    lipsync_id = await client.create(request)
    spend.created()
```
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit
from mcp_types.version import is_version_at_least
from pydantic import BaseModel, Field

from heygen_lipsync.errors import APIError, APIStatusError, ConfigurationError, ConflictError, ValidationError
from heygen_lipsync.mcp.cost import CostEstimate, OutputLength, estimate_cost
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.files import off_loop
from heygen_lipsync.mcp.state import AppState, session_key, state_of

__all__ = [
    "CONFIRM_SPEND_DESCRIPTION",
    "JobCounter",
    "NotAsked",
    "PaidJobs",
    "Spend",
    "SpendApproval",
    "ask_user",
    "check_approval",
    "estimate_for",
    "may_have_created",
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


@dataclass(frozen=True)
class PaidJobs:
    """The jobs a create pays for: each one's output length (which sets its price) and mode."""

    lengths: Sequence[OutputLength]
    modes: Sequence[str | None]


async def estimate_for(state: AppState, jobs: PaidJobs) -> CostEstimate:
    """The estimate for these jobs (the lengths of local files measured, others unknown)."""
    import anyio.to_thread

    durations: list[float | None] = []
    for length in jobs.lengths:
        # PyAV reads the file: off the event loop, so a slow file delays only this call.
        durations.append(await anyio.to_thread.run_sync(length.seconds))
    # One rate per estimate: a mixed batch is priced at the dearer rate, so it never looks cheaper than it is.
    mode = "precision" if "precision" in jobs.modes else "speed"
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


async def ask_user(ctx: Context, plan: Callable[[AppState], PaidJobs]) -> Elicit[SpendApproval] | NotAsked:
    """A resolver's answer: ask the user to approve the estimate of ``plan``'s jobs, or not ask at all.

    ``plan`` gives the jobs' output lengths and modes (and raises on arguments the tool will
    refuse). Runs before the tool body (the SDK's ``Resolve``), over elicitation mid-call on
    older protocols or an ``InputRequiredResult`` round on 2026-07-28. Never asks in the
    sandbox, when the client cannot be asked, or about a request the tool body is going to refuse.
    """
    state = state_of(ctx)
    if state.sandbox or not _can_elicit(ctx):
        return NotAsked()
    try:
        jobs = await off_loop(plan, state)  # it checks the paths: off the event loop
        state.jobs.check(session_key(ctx), len(jobs.lengths))
        estimate = await estimate_for(state, jobs)
    except Exception:  # noqa: BLE001 - the tool body meets the same failure and reports it properly
        return NotAsked()
    return Elicit(
        f"{estimate.summary} This spends credits on your HeyGen account and cannot be undone once the job "
        "starts. Start it?",
        SpendApproval,
    )


def check_approval(approval: object, confirm_spend: bool, estimate: CostEstimate) -> None:
    """Let the spend go ahead, or raise.

    Raises:
        ToolFailure: the user declined, or the model did not confirm when it had to.
    """
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

    def created(self) -> None:
        """The job(s) exist: count them."""
        self._settle(created=True, key=self._key)

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
    ctx: Context, jobs: PaidJobs, approval: object, *, confirm_spend: bool, idempotency_key: str | None
) -> AsyncIterator[Spend]:
    """Check the cap, estimate, check the approval, reserve the slots; settle them when the block ends.

    ``approval`` is the resolver's answer (``ask_user``). Inside the block, call
    ``spend.created()`` when the create returned; a block that raises keeps the slots unless
    the error proves nothing was created.

    Raises:
        ToolFailure: the session's cap would be passed, or the spend was not approved.
    """
    state = state_of(ctx)
    session = session_key(ctx)
    slots = state.jobs.needed(session, len(jobs.lengths), idempotency_key)
    state.jobs.check(session, slots)  # before the spend question: no point approving a job the cap refuses
    estimate = None if state.sandbox else await estimate_for(state, jobs)
    if estimate is not None:
        check_approval(approval, confirm_spend, estimate)
    state.jobs.check(session, slots)  # again: another call may have started a job while the user was asked
    state.jobs.reserve(session, slots)
    spend = Spend(estimate, state.sandbox, state.jobs, session, slots, idempotency_key)
    try:
        yield spend
    except BaseException as exc:
        spend.failed(exc)
        raise
    finally:
        spend.close()
