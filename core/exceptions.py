"""Domain errors raised by services; views and the API turn them into messages and status codes."""

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A business rule refused the action. `message` is the Italian text shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The action is not allowed in the current state (HTTP 409)."""


class NotPermitted(DomainError):
    """The actor may not do this (HTTP 403/404)."""


__all__ = ["DomainError", "NotAllowed", "NotPermitted", "ValidationError"]
