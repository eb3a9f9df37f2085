"""The sandbox's account: a prepaid wallet that completed jobs draw down.

HeyGen bills an API key's usage from a prepaid wallet by seconds of output, at one rate
per mode; failed jobs are not charged. The sandbox does the same with the configured
balance and rates, so `GET /v3/users/me` shows what a session of jobs would have cost.
"""

from __future__ import annotations

from typing import Any

from heygen_lipsync.sandbox.config import SandboxConfig
from heygen_lipsync.sandbox.store import JobRow, Store

__all__ = ["job_charge", "user_info"]


def job_charge(config: SandboxConfig, job: JobRow, status: str, duration: float | None) -> float:
    """What a job costs once its outcome is `status`: duration x the mode's rate; failed jobs are free."""
    if status != "completed" or not duration:
        return 0.0
    rate = config.precision_rate if job.request.get("mode") == "precision" else config.speed_rate
    return round(duration * rate, 6)


def user_info(config: SandboxConfig, store: Store) -> dict[str, Any]:
    """The `data` of `GET /v3/users/me`: a sandbox user billed from a wallet."""
    remaining = max(0.0, config.wallet_balance - store.spent())
    return {
        "username": "sandbox",
        "email": None,
        "first_name": None,
        "last_name": None,
        "billing_type": "wallet",
        "wallet": {
            "currency": config.wallet_currency,
            "remaining_balance": round(remaining, 4),
            "auto_reload": {"enabled": False, "threshold_usd": None, "amount_usd": None},
        },
        "subscription": None,
        "usage_based": None,
    }
