"""The one family of domain errors. Services raise them; the API, Open311 and forms translate
them into a 4xx answer with a message a person understands."""

from __future__ import annotations


class DomainError(Exception):
    """A request the city cannot carry out as asked. `code` is stable for API clients;
    `message` is for people and may be translated."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        body = {"detail": self.message, "code": self.code}
        if self.field:
            body["field"] = self.field
        return body


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class OutsideCity(InvalidInput):
    code = "outside_city"


class InvalidUpload(InvalidInput):
    code = "invalid_upload"


class UploadTooLarge(InvalidUpload):
    status = 413
    code = "upload_too_large"


class NotSignedIn(DomainError):
    """Nobody is signed in and the action needs a person (a poll open to accounts)."""

    status = 401
    code = "not_signed_in"


class NotAllowed(DomainError):
    """Authenticated but lacking the role, department or verification the action needs."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The action clashes with the current state (a taken email, a second vote)."""

    status = 409
    code = "conflict"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
