"""The ``delete_asset`` and ``get_account`` tools: removing an uploaded file, and what the account has left.

Uploaded assets hold the user's face and voice, so ``delete_asset`` exists for the user
who wants them gone; it is destructive and idempotent (a second delete of the same id
reports the asset already gone; an id this install never saw deleted that HeyGen does not
know is a ``not_found`` error, so a typo never reads as a deletion). ``get_account`` reads the plan and the
balance, so a model can say what a job will leave before asking the user to spend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from heygen_lipsync.errors import NotFoundError
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.files import off_loop
from heygen_lipsync.mcp.inputs import ID_PATTERN
from heygen_lipsync.mcp.state import guarded, ok, state_of

__all__ = ["ACCOUNT_TOOLS", "AccountInfo", "AssetDeleted", "delete_asset", "get_account"]

AssetId = Annotated[
    str,
    Field(min_length=1, max_length=200, pattern=ID_PATTERN, description="The asset id (from upload_asset)."),
]


class AssetDeleted(BaseModel):
    """delete_asset's result."""

    asset_id: str
    already_gone: bool = Field(default=False, description="An earlier call deleted it.")
    next_step: str


class AccountInfo(BaseModel):
    """get_account's result: who the key belongs to and what is left to spend."""

    username: str | None = None
    billing_type: str | None = Field(default=None, description="wallet, subscription or usage_based.")
    plan: str | None = Field(default=None, description="The web plan's name, when billed by subscription.")
    remaining_balance: float | None = Field(default=None, description="A wallet's balance left, in its currency.")
    currency: str | None = None
    subscription: dict[str, Any] | None = Field(default=None, description="The plan's credit pools (HeyGen's form).")
    usage_based: dict[str, Any] | None = Field(default=None, description="Usage-based billing, as HeyGen sends it.")
    sandbox: bool = Field(description="True in sandbox mode: the balance is the sandbox's pretend wallet.")
    spent_last_24h_usd: float | None = Field(default=None, description="This install's jobs, last 24 h.")
    jobs_last_24h: int | None = None
    next_step: str

    @classmethod
    def of(cls, account: Any, *, sandbox: bool, spend: Any) -> AccountInfo:
        """From the library's account and the store's spend summary (None without a store)."""
        wallet = account.wallet
        return cls(
            username=account.username,
            billing_type=account.billing_type,
            plan=account.plan,
            remaining_balance=wallet.remaining_balance if wallet else None,
            currency=wallet.currency if wallet else None,
            subscription=account.subscription,
            usage_based=account.usage_based,
            sandbox=sandbox,
            spent_last_24h_usd=spend.usd if spend else None,
            jobs_last_24h=spend.jobs if spend else None,
            next_step="Tell the user what is left when it matters for a job; each job's cost is in get_lipsync.",
        )


@guarded
async def delete_asset(ctx: Context, asset_id: AssetId) -> Annotated[CallToolResult, AssetDeleted]:
    state = state_of(ctx)
    client = await state.require_client()
    ledger = client.ledger
    try:
        deleted = await client.delete_asset(asset_id)
    except NotFoundError:
        # "Already gone" only for an upload this install saw go (a retry after a lost answer);
        # an id HeyGen does not know is not a deletion, or a mistyped id would read as a success.
        record = await off_loop(ledger.find_by_id, asset_id) if ledger is not None else None
        seen_gone = record is not None and record.kind == "upload" and record.status == "gone"
        if asset_id in state.deleted_ids or seen_gone:
            step = "That asset is already gone: it was deleted earlier. Nothing else to do."
            return ok(AssetDeleted(asset_id=asset_id, already_gone=True, next_step=step))
        raise ToolFailure(
            "not_found",
            f"there is no asset {asset_id!r} on this account; nothing was deleted",
            param="asset_id",
            next_action="Check the id (upload_asset returns it). Do not tell the user an asset was deleted.",
        ) from None
    state.deleted_ids.add(deleted)
    if ledger is not None:
        await off_loop(ledger.forget_asset, deleted)  # never offered for reuse again
    step = "Deleted on HeyGen. Jobs made from it keep their outputs; a new job needs the file uploaded again."
    return ok(AssetDeleted(asset_id=deleted, next_step=step))


@guarded
async def get_account(ctx: Context) -> Annotated[CallToolResult, AccountInfo]:
    from heygen_lipsync.jobs.costs import spend_since

    state = state_of(ctx)
    client = await state.require_client()
    spend = await off_loop(spend_since, client.ledger) if client.ledger is not None else None
    return ok(AccountInfo.of(await client.account(), sandbox=state.sandbox, spend=spend))


# name, function, title, annotations, description (as tools.TOOLS)
ACCOUNT_TOOLS: tuple[tuple[str, Callable[..., Any], str, ToolAnnotations, str], ...] = (
    (
        "delete_asset",
        delete_asset,
        "Delete an uploaded asset",
        ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True),
        "Permanently delete an uploaded asset (the user's face or voice), only when the user asked; jobs made "
        "from it keep their outputs. Repeating it is safe (already_gone: true); an unknown id is not_found.",
    ),
    (
        "get_account",
        get_account,
        "Show the HeyGen account",
        ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True),
        "The account behind the API key: billing type, plan, balance or credits left. When the user asks what "
        "is left, or before a large batch. Spends nothing.",
    ),
)
