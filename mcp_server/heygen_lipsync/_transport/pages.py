"""Following page tokens: a listing ends when the server says so, and never goes round in circles.

A server (or a proxy) that hands back a token it gave before (A, B, A, B...) would make a
loop that follows ``next_token`` run for ever. Every place that follows a cursor keeps the
tokens it has used in one ``PageTokens``; any token seen before ends the listing with an
``unexpected_response`` error, whichever page it comes back on.
"""

from __future__ import annotations

from heygen_lipsync.errors import APIError

__all__ = ["PageTokens"]


class PageTokens:
    """The page tokens one listing has followed (``what`` names the listing in errors)."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._seen: set[str] = set()
        self.pages = 0

    def next(self, token: str | None, *, has_more: bool) -> str | None:
        """The token of the next page after one that answered ``has_more`` and ``token``; None when done.

        Raises:
            APIError: ``unexpected_response``: ``token`` was followed before (a cycle).
        """
        self.pages += 1
        if not has_more or not token:
            return None
        if token in self._seen:
            raise APIError(
                f"unexpected response: {self._what} gave the page token {token[:40]!r} again after "
                f"{self.pages} pages, which would go round for ever; stopped following it. Retry later; "
                "if it persists, check HEYGEN_BASE_URL and any proxy in between",
                code="unexpected_response",
            )
        self._seen.add(token)
        return token
