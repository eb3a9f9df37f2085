"""HeyGen's error envelope, as the sandbox answers it."""

from __future__ import annotations

from starlette.responses import JSONResponse

__all__ = ["ApiError", "error_response", "invalid"]


def error_response(
    status: int, code: str, message: str, param: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """`{"error": {code, message, param, doc_url}}` with the given status."""
    body = {"error": {"code": code, "message": message, "param": param, "doc_url": None}}
    return JSONResponse(body, status_code=status, headers=headers)


class ApiError(Exception):
    """Raised by handlers; turned into the error envelope."""

    def __init__(
        self, status: int, code: str, message: str, param: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.headers = headers

    def response(self) -> JSONResponse:
        return error_response(self.status, self.code, self.message, self.param, self.headers)


def invalid(param: str | None, message: str) -> ApiError:
    """A 400 `invalid_parameter` naming the offending field."""
    return ApiError(400, "invalid_parameter", message, param)
