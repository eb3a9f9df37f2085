"""HeyGen's error envelope, as the sandbox answers it.

As HeyGen's error-codes page gives it: `{"error": {code, message, doc_url}}`, where
`doc_url` links the code's section of that page and `param` (the field at fault) is
present only on validation errors (`invalid_parameter`).
"""

from __future__ import annotations

from starlette.responses import JSONResponse

__all__ = ["DOC_URL", "ApiError", "doc_url", "error_response", "invalid"]

#: HeyGen's error-codes page; each code has a section named after it (`#insufficient-credit`).
DOC_URL = "https://docs.heygen.com/reference/error-codes"
_VALIDATION = "invalid_parameter"


def doc_url(code: str) -> str:
    """The link to `code`'s section of HeyGen's error-codes page."""
    return f"{DOC_URL}#{code.replace('_', '-')}"


def error_response(
    status: int, code: str, message: str, param: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """`{"error": {code, message, doc_url}}` with the given status; `param` too on a validation error."""
    error: dict[str, str | None] = {"code": code, "message": message}
    if code == _VALIDATION:
        error["param"] = param
    error["doc_url"] = doc_url(code)
    return JSONResponse({"error": error}, status_code=status, headers=headers)


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
