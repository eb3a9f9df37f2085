"""Two MCP servers (replicas) sharing one store and one approval secret act as one.

An approval issued by one is honoured once by any; the daily caps hold over creates spread
across them. On both backends: replicas of one machine may share a SQLite file, replicas
of several machines a PostgreSQL database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.server import MCPServer

from tests.jobs.conftest import jobs_in
from tests.jobs.test_approvals_pay_once import LOCAL, creates, token_of
from tests.ledger.stores import Store, store
from tests.mcp.conftest import CountingTransport, error_of, structured

pytestmark = pytest.mark.anyio

__all__ = ["store"]  # the fixture, on both backends

Make = Callable[..., tuple[MCPServer[Any], CountingTransport]]
SECRET = "replicas-share-this-secret-0123456789"


async def test_a_token_from_one_replica_pays_once_on_another(
    paid_server: Make, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_APPROVAL_SECRET", SECRET)
    (a, on_a), (b, on_b) = paid_server(), paid_server()
    async with Client(a) as first, Client(b) as second:
        token = await token_of(first, "create_lipsync", LOCAL)  # the user saw A's preview
        paid = {**LOCAL, "new_job": True, "confirm_spend": True, "approval_token": token}
        made = structured(await second.call_tool("create_lipsync", paid))  # B honours it
        again = error_of(await first.call_tool("create_lipsync", paid))  # and A knows it was used
    assert again["code"] == "approval_used", again
    assert made["lipsync_id"] and (creates(on_a), creates(on_b)) == (0, 1)
    used = store.rows("SELECT count(*) FROM approvals")
    assert used == [(1,)]


async def test_a_token_of_a_replica_with_another_secret_is_refused(
    paid_server: Make, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_APPROVAL_SECRET", SECRET)
    a, _ = paid_server()
    async with Client(a) as first:
        token = await token_of(first, "create_lipsync", LOCAL)
    monkeypatch.setenv("HEYGEN_LIPSYNC_APPROVAL_SECRET", "another-secret-of-another-install-987")
    b, on_b = paid_server()
    async with Client(b) as second:
        paid = {**LOCAL, "confirm_spend": True, "approval_token": token}
        refused = error_of(await second.call_tool("create_lipsync", paid))
    assert refused["code"] == "approval_invalid" and creates(on_b) == 0


async def test_replicas_without_a_configured_secret_agree_through_the_store(paid_server: Make, store: Store) -> None:
    (a, _), (b, on_b) = paid_server(), paid_server()  # the store keeps one secret for every process using it
    async with Client(a) as first, Client(b) as second:
        token = await token_of(first, "create_lipsync", LOCAL)
        structured(await second.call_tool("create_lipsync", {**LOCAL, "confirm_spend": True, "approval_token": token}))
    assert creates(on_b) == 1


async def test_the_daily_job_cap_holds_over_eight_creates_spread_over_two_replicas(
    paid_server: Make, store: Store, upstream: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEYGEN_LIPSYNC_APPROVAL_SECRET", SECRET)
    monkeypatch.setenv("HEYGEN_LIPSYNC_MAX_JOBS_PER_DAY", "3")
    servers = [paid_server(), paid_server()]
    outcomes: list[str] = []
    async with Client(servers[0][0]) as first, Client(servers[1][0]) as second:
        clients = (first, second)
        calls = []
        for n in range(8):  # eight different jobs, each previewed and approved, half on each replica
            args = {**LOCAL, "title": f"job {n}"}
            token = await token_of(clients[n % 2], "create_lipsync", args)
            calls.append((clients[(n + 1) % 2], {**args, "confirm_spend": True, "approval_token": token}))

        async def create(client: Client, args: dict[str, Any]) -> None:
            result = await client.call_tool("create_lipsync", args)
            outcomes.append(error_of(result)["code"] if result.is_error else "created")

        async with anyio.create_task_group() as group:
            for client, args in calls:
                group.start_soon(create, client, args)
    assert sorted(outcomes) == ["created"] * 3 + ["daily_cap"] * 5, outcomes
    assert jobs_in(upstream) == 3
    assert sum(creates(counter) for _, counter in servers) == 3


def _spend(target: str, n: int, isolation: str | None) -> str:
    import asyncio

    from heygen_lipsync.errors import DailyCapError
    from heygen_lipsync.jobs.approval import Approval
    from heygen_lipsync.jobs.authority import SpendAuthority
    from heygen_lipsync.store import DailyCaps, Ledger

    ledger = Ledger.open(target)  # a process of its own: its own connection
    if isolation:  # a database whose administrator changed the default isolation
        ledger._guard(None, lambda conn: conn.execute(f"SET default_transaction_isolation = '{isolation}'"))
    authority = SpendAuthority(ledger, DailyCaps(max_jobs=3), origin="https://api.example")
    try:
        decision = asyncio.run(
            authority.authorize(
                kind="lipsync",
                fingerprint=f"fp{n}",
                idempotency_key=None,
                new_job=False,
                jobs=1,
                estimate_usd=0.1,
                counted_usd=0.1,
                inputs={},
                hashes={},
                approval=Approval(by="policy"),
            )
        )
    except DailyCapError:
        return "daily_cap"
    finally:
        ledger.close()
    return decision.action


@pytest.mark.parametrize("isolation", [None, "repeatable read"])
def test_the_spend_authority_holds_the_cap_under_eight_concurrent_spends(store: Store, isolation: str | None) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store.open().close()  # the schema exists: the race is the spends', not the migration's
    setting = isolation if store.kind == "postgres" else None
    with ThreadPoolExecutor(8) as pool:
        actions = sorted(pool.map(lambda n: _spend(store.target, n, setting), range(8)))
    assert actions == ["daily_cap"] * 5 + ["new"] * 3
