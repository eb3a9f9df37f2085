"""The MCP face of the jobs floor: the session cap, the spend preview and its sealed token, then the library.

A paying tool (``create_lipsync``, ``create_lipsync_batch``, ``dub_many``) runs its body
inside ``spending()``, which prepares and quotes its jobs through the library's jobs floor
(each local file opened once; content, not paths, decides what is the same job), then:

* nothing new to pay for (an earlier identical job covers every one, or the sandbox): no
  question;
* the user answered the elicitation (``asking.py``): their answer decides;
* otherwise the first call is a preview: the tool error ``confirmation_required`` carries the
  jobs, the estimate and an ``approval_token`` sealed with the server's secret over exactly
  these jobs (their content fingerprints and count). A call with ``confirm_spend=true`` and
  that token spends, once: the library's spend authority records the token's nonce in the
  same store transaction as the jobs, so the token never pays twice, on any process or replica
  that shares the store and the secret (``HEYGEN_LIPSYNC_APPROVAL_SECRET``).

The session cap (``HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION``) counts the new jobs of each call that
may have been created; the daily caps are the library's, checked in the spend transaction.

```python
async with spending(ctx, [request], answer, confirm_spend=..., approval_token=..., new_job=...) as spend:
    outcome = await client.submit(spend.jobs[0], approve=spend.approval)
    spend.created(reused=outcome.reused)
```
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import AcceptedElicitation, Context

from heygen_lipsync.errors import ApprovalError, BalanceTooLowError, SpendError
from heygen_lipsync.jobs.approval import Approval, ApprovalSeal
from heygen_lipsync.jobs.create import definitely_not_created
from heygen_lipsync.mcp.asking import Answered, SpendApproval, describe_jobs
from heygen_lipsync.mcp.cost import CostEstimate
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.quotes import quote_for
from heygen_lipsync.mcp.session_cap import JobCounter
from heygen_lipsync.mcp.state import AppState, session_key, state_of

if TYPE_CHECKING:
    from heygen_lipsync.jobs.plan import PreparedJob, Quote
    from heygen_lipsync.request import LipsyncRequest

__all__ = ["JobCounter", "Spend", "may_have_created", "spending"]


def _seal(state: AppState) -> ApprovalSeal:
    client = state.client_if_built()
    seal = state.seal
    if not isinstance(seal, ApprovalSeal):
        seal = state.seal = ApprovalSeal.for_store(client.ledger if client is not None else None)
    return seal


@dataclass
class Spend:
    """An authorized spend inside ``spending()``: pass ``jobs`` and ``approval`` to the library, say ``created()``."""

    quote: Quote
    approval: Approval
    sandbox: bool
    _counter: JobCounter
    _session: str
    _slots: int
    _marks: tuple[str, ...] = ()
    _open: bool = True

    @property
    def jobs(self) -> list[PreparedJob]:
        """The prepared jobs (their files open): what the library submits."""
        return self.quote.jobs

    @property
    def estimate(self) -> CostEstimate | None:
        """What the new jobs cost (None when nothing new is paid for)."""
        return CostEstimate.of(self.quote.new_preflight) if self.quote.new else None

    def created(self, *, reused: bool = False, idempotency_key: str | None = None) -> None:
        """The job(s) exist: count them, unless an earlier identical job was returned (nothing spent)."""
        self._settle(created=not reused, key=idempotency_key)

    def failed(self, exc: BaseException) -> None:
        """The create raised ``exc``: keep the slots unless it proves nothing was created."""
        key = getattr(exc, "idempotency_key", None)
        self._settle(created=not definitely_not_created(exc) and not isinstance(exc, ToolFailure), key=key)

    def close(self) -> None:
        """The block ended: a create that neither said ``created()`` nor failed is counted."""
        self._settle(created=True, key=None)

    def _settle(self, *, created: bool, key: str | None) -> None:
        if self._open:
            self._open = False
            marks = (*self._marks, key) if key else self._marks
            self._counter.settle(self._session, self._slots, created=created, marks=marks)

    def outcome(self) -> dict[str, Any]:
        """What a create's result says about the spend: ``sandbox``, ``estimate``, ``jobs_left_in_session``."""
        return {
            "sandbox": self.sandbox,
            "estimate": self.estimate,
            "jobs_left_in_session": self._counter.remaining(self._session),
        }


def _preview(state: AppState, quote: Quote, why: str = "", code: str = "confirmation_required") -> ToolFailure:
    """The preview: nothing spent; the new jobs, the estimate and a sealed token for the call that spends."""
    pre = quote.new_preflight
    estimate = CostEstimate.of(pre)
    token = _seal(state).issue(quote.new_fingerprints, estimate_usd=quote.estimate_usd)
    covered = f" {len(quote.reused)} more already exist(s) and will be reused at no cost." if quote.reused else ""
    return ToolFailure(
        code,
        f"{why}{describe_jobs(pre)} {estimate.summary}{covered} Nothing was created: this spends the user's "
        "HeyGen credits and needs their approval.",
        param="confirm_spend",
        next_action=("The user was not asked. " if code == "elicitation_failed" else "")
        + "Tell the user the jobs and the estimated cost and ask them whether to go ahead. Only if they agree, call "
        f"again with the same arguments, confirm_spend=true and approval_token={token!r} (good for these exact "
        "files and options, once, for 15 minutes).",
        details={"preflight": pre.to_dict(), "estimate": estimate.model_dump(), "approval_token": token},
    )


def _approval(state: AppState, quote: Quote, answer: object, confirm_spend: bool, token: str | None) -> Approval:
    """Who approved the new jobs, or the ToolFailure that previews or refuses them.

    Raises:
        ToolFailure: ``spend_declined``, ``balance_too_low``, ``elicitation_failed``,
            ``confirmation_required`` or ``approval_invalid``/``_used``/``_expired``/``_mismatch``.
    """
    if state.sandbox or not quote.new:
        return Approval(by="policy", fingerprints=quote.new_fingerprints)
    from heygen_lipsync.jobs.preflight import check_spend

    try:
        check_spend(quote.new_preflight)
    except BalanceTooLowError as exc:
        raise ToolFailure(
            "balance_too_low",
            f"{exc}.",
            next_action="Tell the user the estimate and their balance; they can add credit, or send fewer or "
            "shorter jobs.",
            details={"preflight": quote.new_preflight.to_dict()},
        ) from None
    data = answer.data if isinstance(answer, AcceptedElicitation) else None
    unanswered = not isinstance(data, SpendApproval | Answered) or (isinstance(data, Answered) and data.failure)
    if confirm_spend and token is not None and unanswered:
        # The token flow: nobody could ask the user here (or their client failed to answer), and
        # the model carries the yes the user gave to a preview of exactly these jobs.
        try:
            return _seal(state).verify(token, quote.new_fingerprints)
        except ApprovalError as exc:
            raise _preview(state, quote, f"{exc}. ", exc.code) from None
    if isinstance(data, Answered) and data.failure is None:  # asked mid-call: the user's own answer
        answer = data.outcome
        data = answer.data if isinstance(answer, AcceptedElicitation) else None
    if isinstance(data, SpendApproval):
        if data.approve:
            return Approval(by="user", fingerprints=quote.new_fingerprints)
    elif isinstance(answer, AcceptedElicitation):  # nobody asked the user, or their client failed to
        failure = data.failure if isinstance(data, Answered) else None
        if failure is not None:
            raise _preview(state, quote, f"{failure[0].upper()}{failure[1:]}. ", "elicitation_failed")
        if token is None:
            why = "confirm_spend=true needs the approval_token of a preview the user saw; this is it. "
            raise _preview(state, quote, why if confirm_spend else "")
        try:
            approval = _seal(state).verify(token, quote.new_fingerprints)
        except ApprovalError as exc:
            raise _preview(state, quote, f"{exc}. ", exc.code) from None
        if not confirm_spend:
            raise _preview(state, quote, "The approval_token needs confirm_spend=true with it. ")
        return approval
    raise ToolFailure(
        "spend_declined",
        "The user did not approve the spend; nothing was created.",
        next_action="Do not retry unless the user asks for it.",
    )


@asynccontextmanager
async def spending(
    ctx: Context,
    requests: Sequence[LipsyncRequest],
    answer: object,
    *,
    confirm_spend: bool,
    approval_token: str | None,
    idempotency_key: str | None = None,
    new_job: bool = False,
    kind: str = "lipsync",
    identity: str = "",
) -> AsyncIterator[Spend]:
    """Quote the jobs, check the session cap and the approval, reserve the slots; settle them when the block ends.

    ``answer`` is the resolver's (``asking.ask_user``); ``kind`` is ``lipsync``, ``batch`` or
    ``dub`` (a campaign); ``identity`` is what else makes the create another one (a batch's
    title). A block that raises keeps the slots unless the error proves nothing was created.

    Raises:
        ToolFailure: a bad argument, a failing preflight, the session cap, the balance, or an
            approval that is missing, declined, used, expired or for other jobs.
    """
    state = state_of(ctx)
    session = session_key(ctx)
    quote = await quote_for(state, requests, new_job=new_job, batch=kind != "lipsync")
    try:
        # What this call creates, as one mark: the tool's kind of create and every job's content.
        parts = [identity, *(j.fingerprint for j in quote.jobs)]
        mark = kind + ":" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
        if not new_job and quote.new and state.jobs.covers(session, mark, idempotency_key):
            # A retry of a create this session already counted (and had approved): it returns its
            # job(s) under the same key, so it takes no slot and needs no new approval.
            quote.reused.update(dict.fromkeys(range(len(quote.jobs))))
        slots = len(quote.new)
        state.jobs.check(session, slots)  # before the spend question: no point approving what the cap refuses
        approval = _approval(state, quote, answer, confirm_spend, approval_token)
        state.jobs.check(session, slots)  # again: another call may have started a job meanwhile
        state.jobs.reserve(session, slots)
        marks = (mark, idempotency_key) if idempotency_key else (mark,)
        spend = Spend(quote, approval, state.sandbox, state.jobs, session, slots, marks)
        try:
            yield spend
        except SpendError as exc:
            spend.failed(exc)
            if isinstance(exc, ApprovalError):  # used already: a new preview, to ask the user again
                raise _preview(state, quote, f"{exc}. ", exc.code) from None
            raise _spend_failure(exc) from None
        except BaseException as exc:
            spend.failed(exc)
            raise
        finally:
            spend.close()
    finally:
        quote.close()


def _spend_failure(exc: SpendError) -> ToolFailure:
    """The library's refusal (a cap, a used token, the store) as a tool error whose next step a model can take."""
    steps = {
        "daily_cap": "Tell the user the daily cap was reached; it resets over 24 hours, or they can raise it in the "
        "server's configuration.",
        "approval_used": "Call again without approval_token for a new preview, and ask the user again.",
        "store_unavailable": "Tell the user the job ledger is busy or broken (nothing was spent); try again in a "
        "minute.",
    }
    return ToolFailure(
        exc.code,
        f"{exc}.",
        next_action=steps.get(exc.code, "Tell the user why nothing was created."),
        param="approval_token" if exc.code.startswith("approval") else None,
    )


def may_have_created(exc: BaseException) -> bool:
    """Whether a create that raised ``exc`` may still have made its job(s) (the library's one rule, inverted)."""
    return not isinstance(exc, ToolFailure) and not definitely_not_created(exc)
