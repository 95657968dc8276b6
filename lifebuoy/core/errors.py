"""The errors services raise. Each knows its HTTP status; one handler renders them."""

from __future__ import annotations

from typing import Any, ClassVar


class LifebuoyError(Exception):
    http_status: ClassVar[int] = 400

    def __init__(self, code: str, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "extra": self.extra}


class NotFound(LifebuoyError):
    http_status = 404


class PermissionDenied(LifebuoyError):
    http_status = 403


class InvalidState(LifebuoyError):
    http_status = 409


class ValidationFailed(LifebuoyError):
    http_status = 422

    @classmethod
    def for_fields(cls, fields: dict[str, str]) -> ValidationFailed:
        """One message per invalid field, under ``extra.fields``."""
        names = ", ".join(sorted(fields))
        return cls("invalid_input", f"Please correct: {names}.", {"fields": fields})


class PayloadTooLarge(LifebuoyError):
    http_status = 413
