"""Local checks of the arguments of single calls (ids, page sizes), before any request.

The create request's own fields are checked by ``request.LipsyncRequest.validate``; these
are the checks of the other calls' arguments (``get``, ``list``, ``update``, ``statuses``,
titles are checked by ``request.check_title``, from the field table).
"""

from __future__ import annotations

from heygen_lipsync.errors import ValidationError

__all__ = ["check_id", "check_limit"]

# Characters no HeyGen id contains and that mean something in a URL path or query: "/"
# and "\\" would make a path that a normalising proxy could route to another resource
# (delete "x/../ls_other"), "?" and "#" would cut the path short, "," splits id lists.
_ID_FORBIDDEN = frozenset("/\\?#%,")


def check_id(value: str, field: str) -> str:
    """An id, stripped, safe to put in a URL path or an id list.

    Raises:
        ValidationError: empty, ``.``/``..``, or holding a space, control character or one of ``/\\?#%,``.
    """
    # "." and ".." would be resolved as path segments and reach another endpoint.
    if not isinstance(value, str) or value.strip() in ("", ".", ".."):
        raise ValidationError(field, f"not a valid id: {value!r}")
    if any(c.isspace() or c in _ID_FORBIDDEN or not c.isprintable() for c in value.strip()):
        raise ValidationError(field, f"not a valid id: {value!r} (ids have no spaces, '/', '\\', '?', '#', '%' or ',')")
    return value.strip()


def check_limit(limit: int | None, field: str = "limit") -> int | None:
    """A page size: None (the API's default) or a whole number from 1 to 100.

    Raises:
        ValidationError: anything else (booleans included).
    """
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise ValidationError(field, f"must be a whole number from 1 to 100, got {limit!r}")
    return limit
