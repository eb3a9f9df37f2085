"""The session job cap (``HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION``): what one MCP session may create, counted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from heygen_lipsync.mcp.errors import ToolFailure

__all__ = ["JobCounter"]


@dataclass
class JobCounter:
    """Jobs counted per MCP session (created, or may have been), so one conversation cannot run up an unbounded bill."""

    limit: int
    created: dict[str, int] = field(default_factory=dict)
    in_flight: dict[str, int] = field(default_factory=dict)
    # What each session's counted creates were: their fingerprints (sent under derived keys) and the
    # keys they went under. A retry of one (same content, or its key) returns that job: no new slot.
    counted: dict[str, set[str]] = field(default_factory=dict)

    def covers(self, session: str, mark: str, idempotency_key: str | None) -> bool:
        """Whether this session already counted (and was approved for) this very create (``mark``, or its key)."""
        seen = self.counted.get(session, set())
        return (idempotency_key in seen) if idempotency_key else (mark in seen)

    def remaining(self, session: str) -> int:
        """How many more jobs this session may start."""
        return self.limit - self.created.get(session, 0) - self.in_flight.get(session, 0)

    def check(self, session: str, jobs: int) -> None:
        """Refuse when ``jobs`` more would pass the cap.

        Raises:
            ToolFailure: the cap would be exceeded.
        """
        left = self.remaining(session)
        if jobs > left:
            raise ToolFailure(
                "session_job_limit",
                f"this server lets one session create {self.limit} paid job(s) "
                f"(HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION); {max(left, 0)} left, {jobs} asked for. Nothing was sent",
                next_action=(
                    f"Send at most {left} job(s) now (e.g. split the items), and tell the user the rest need "
                    "HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION raised in the server's configuration."
                    if left > 0
                    else "Tell the user this session's job limit is reached; HEYGEN_LIPSYNC_MAX_JOBS_PER_SESSION in "
                    "the server's configuration raises it."
                ),
            )

    def reserve(self, session: str, jobs: int) -> None:
        """Count ``jobs`` as in flight (call ``check`` first, with no await in between)."""
        self.in_flight[session] = self.in_flight.get(session, 0) + jobs

    def settle(self, session: str, jobs: int, *, created: bool, marks: Sequence[str] = ()) -> None:
        """Release a reservation; count the jobs (and remember ``marks``) when they were, or may have been, created."""
        self.in_flight[session] = self.in_flight.get(session, 0) - jobs
        if created:
            self.created[session] = self.created.get(session, 0) + jobs
            self.counted.setdefault(session, set()).update(marks)
