"""Graph-shaped failures raised while a request is handled; the server turns them into envelopes."""

from __future__ import annotations

MSG_BAD_SNAPSHOT = (
    "This isn't a valid timestamp for recovery. The provided timestamp should be in the list "
    "of available backups."
)
MSG_CONFLICT = (
    "A recovery job is currently in progress. Wait for it to complete before initiating a new job."
)
MSG_FORBIDDEN = "Authorization has been denied for this request. Check your credentials."

_CODES = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "Authorization_RequestDenied",
    404: "ResourceNotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "RequestEntityTooLarge",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}


class EmulatorHttpError(Exception):
    """An HTTP error with a Graph error envelope (status, code, message, extra headers)."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _CODES.get(status, "UnknownError")
        self.headers = dict(headers or {})


def bad_request(message: str) -> EmulatorHttpError:
    return EmulatorHttpError(400, message)


def not_found(message: str) -> EmulatorHttpError:
    return EmulatorHttpError(404, message)
