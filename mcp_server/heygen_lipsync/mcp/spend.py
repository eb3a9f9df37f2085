"""Old home of the cost estimate and the job counter; kept so existing imports keep working.

The estimate lives in ``cost.py``; the approval, the session's job cap and the one call every
create goes through (``spending()``) in ``spending.py``.
"""

from __future__ import annotations

from heygen_lipsync.mcp.cost import CostEstimate, OutputLength, audio_duration, estimate_cost
from heygen_lipsync.mcp.spending import CONFIRM_SPEND_DESCRIPTION, JobCounter, SpendApproval

__all__ = [
    "CONFIRM_SPEND_DESCRIPTION",
    "CostEstimate",
    "JobCounter",
    "OutputLength",
    "SpendApproval",
    "audio_duration",
    "estimate_cost",
]
