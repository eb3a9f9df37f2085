"""`/v3/users/me`: the account behind the API key, with its wallet (see `account`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from heygen_lipsync.sandbox import account
from heygen_lipsync.sandbox.context import Services
from heygen_lipsync.sandbox.web import resource

__all__ = ["UserRoutes"]


class UserRoutes:
    """Handler of the current user."""

    def __init__(self, sb: Services) -> None:
        self.sb = sb

    def routes(self) -> list[Route]:
        """The current-user route."""
        return [resource("/v3/users/me", GET=self.me)]

    async def me(self, request: Request) -> Response:
        self.sb.authenticate(request)
        return JSONResponse({"data": account.user_info(self.sb.config, self.sb.store)})
