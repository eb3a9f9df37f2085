"""`heygen-lipsync account`: who the API key belongs to and what it has left to spend."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from heygen_lipsync.cli._render import emit
from heygen_lipsync.cli._run import run_client
from heygen_lipsync.cli._schema import schema_option
from heygen_lipsync.cli._state import state
from heygen_lipsync.models import Account

if TYPE_CHECKING:  # the client (httpx, the generated models) loads when a command runs, not at start-up
    from heygen_lipsync.client import AsyncLipsyncClient

__all__ = ["account", "register", "summary"]


def summary(account: Account) -> dict[str, Any]:
    """The lines a person needs: plan, billing type, and the balance or credits left."""
    out: dict[str, Any] = {"username": account.username, "billing_type": account.billing_type}
    if account.plan:
        out["plan"] = account.plan
    if account.wallet is not None:
        out["remaining_balance"] = account.wallet.remaining_balance
        out["currency"] = account.wallet.currency
    credits = (account.subscription or {}).get("credits")
    if isinstance(credits, dict):
        for pool, values in credits.items():
            if isinstance(values, dict) and values.get("remaining") is not None:
                out[f"{pool} remaining"] = values["remaining"]
    if account.usage_based:
        for key in ("remaining_credits", "spending_current_usd", "spending_cap_usd"):
            if account.usage_based.get(key) is not None:
                out[key] = account.usage_based[key]
    return out


def account(
    ctx: typer.Context,
    response_schema: Annotated[bool, schema_option("response", "UserInfoResponse")] = False,
) -> None:
    """Show the account: plan, billing type, and remaining balance or credits (--json: all of HeyGen's fields)."""
    st = state(ctx)

    async def work(client: AsyncLipsyncClient) -> Account:
        return await client.account()

    result = run_client(ctx, work)
    emit(st, summary(result) if st.is_human else result.to_dict(), title="account")


def register(app: typer.Typer) -> None:
    """Add the `account` command to the app."""
    app.command("account", epilog="Examples:\n\n  heygen-lipsync --human account")(account)
