"""Quoting a paying tool's jobs through the library's jobs floor, with errors that name the tool's arguments."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from heygen_lipsync.errors import ValidationError
from heygen_lipsync.jobs.pricing import Rates
from heygen_lipsync.mcp.errors import ToolFailure
from heygen_lipsync.mcp.state import AppState
from heygen_lipsync.sources import AssetSource, UrlSource

if TYPE_CHECKING:
    from heygen_lipsync.jobs.plan import Quote
    from heygen_lipsync.request import LipsyncRequest

__all__ = ["quote_for"]


_BATCH_FIELD = re.compile(r"^lipsyncs\[(\d+)\]\.(.+)$")


def _argument(field_name: str, requests: Sequence[LipsyncRequest]) -> str:
    """A library field as the tool's argument: ``lipsyncs[0].video`` -> ``items[0].video_path``."""
    match = _BATCH_FIELD.match(field_name)
    index, name, prefix = (int(match[1]), match[2], f"items[{match[1]}].") if match else (0, field_name, "")
    root = name.split(".")[0]
    if root in ("video", "audio") and index < len(requests):
        source = getattr(requests[index], root)
        suffix = (
            "_url" if isinstance(source, UrlSource) else "_asset_id" if isinstance(source, AssetSource) else "_path"
        )
        return prefix + root + suffix
    return prefix + name


def _rates(state: AppState) -> Rates:
    return Rates(speed=state.settings.rate_speed, precision=state.settings.rate_precision)


async def quote_for(
    state: AppState, requests: Sequence[LipsyncRequest], *, new_job: bool, batch: bool = False
) -> Quote:
    """Prepare and quote these jobs (files opened once, assets looked up, the balance when paying).

    Raises:
        ToolFailure: an argument the library refused (``invalid_argument``) or a job preflight
            says would fail (``preflight_failed``), naming the tool's argument.
    """
    from heygen_lipsync.jobs.preflight import with_balance

    client = await state.require_client()
    try:
        jobs = await client.prepare(requests, batch=batch, check_assets=True, rates=_rates(state))
    except ValidationError as exc:
        arg = _argument(exc.field, requests)
        raise ToolFailure(
            "invalid_argument", f"{arg}: {exc.reason}", param=arg, next_action=f"Fix {arg} and call again."
        ) from None
    quote = await client.quote(jobs, new_job=new_job)
    errors = quote.preflight.errors
    if errors:
        quote.close()
        arg = _argument(errors[0].field, requests)
        raise ToolFailure(
            "preflight_failed",
            f"{errors[0].message}. Nothing was sent or spent.",
            param=arg,
            next_action=f"Fix {arg} and call again.",
            details={"preflight": quote.preflight.to_dict()},
        )
    if quote.new and not state.sandbox:
        quote.preflight = await with_balance(quote.preflight, client)
    return quote
