"""Reading API values leniently: a value of the wrong type is unknown (None), never an error."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["_bool", "_float", "_int", "_mapping", "_str"]


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return None


def _float(value: Any) -> float | None:
    # A number JSON can carry, or None: "NaN", "Infinity" and integers past a float's range
    # are unknown values (printed again, NaN would make output that is not JSON).
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _bool(value: Any) -> bool:
    return value is True


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
