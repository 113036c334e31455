"""Domain errors: each carries the gRPC status it maps to and an ErrorInfo reason.

The api layer turns them into rich gRPC statuses in one interceptor; nothing below `api/`
knows about gRPC, so the status is named by its canonical string code.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldViolation:
    """One bad field of a request, named by its proto path (`identifiers[2].value`)."""

    field: str
    description: str


class DomainError(Exception):
    """Base of every error a client may see; `code` is a canonical gRPC status name."""

    code: str = "INTERNAL"
    reason: str = "INTERNAL"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason
        self.metadata: dict[str, str] = dict(metadata or {})


class InvalidArgument(DomainError):
    """The request is malformed; `violations` says which fields and why."""

    code = "INVALID_ARGUMENT"
    reason = "INVALID_ARGUMENT"

    def __init__(self, violations: list[FieldViolation], message: str | None = None) -> None:
        self.violations = list(violations)
        summary = message or "; ".join(f"{v.field}: {v.description}" for v in self.violations)
        super().__init__(summary or "invalid request")


class NotFound(DomainError):
    code = "NOT_FOUND"
    reason = "NOT_FOUND"


class FailedPrecondition(DomainError):
    code = "FAILED_PRECONDITION"
    reason = "FAILED_PRECONDITION"


class Unauthenticated(DomainError):
    """No credentials, or credentials that name nobody (reason MISSING_TOKEN, INVALID_TOKEN...)."""

    code = "UNAUTHENTICATED"
    reason = "UNAUTHENTICATED"


class PermissionDenied(DomainError):
    """The caller is known but its role lacks the permission; metadata names the permission."""

    code = "PERMISSION_DENIED"
    reason = "PERMISSION_DENIED"


class Aborted(DomainError):
    """A concurrency conflict that a retry resolves."""

    code = "ABORTED"
    reason = "CONFLICT"


class Unavailable(DomainError):
    """The database cannot be reached right now; the client may retry."""

    code = "UNAVAILABLE"
    reason = "DATABASE_UNAVAILABLE"


class ResourceExhausted(DomainError):
    """A caller went over a limit on concurrent streams: it may retry once one has ended."""

    code = "RESOURCE_EXHAUSTED"
    reason = "TOO_MANY_STREAMS"


class DeadlineExceeded(DomainError):
    code = "DEADLINE_EXCEEDED"
    reason = "DEADLINE_EXCEEDED"


class Unimplemented(DomainError):
    code = "UNIMPLEMENTED"
    reason = "NOT_IMPLEMENTED"


class Internal(DomainError):
    code = "INTERNAL"
    reason = "INTERNAL"


@dataclass
class ViolationCollector:
    """Collects field violations while a request is checked, so all are reported at once."""

    violations: list[FieldViolation] = field(default_factory=list)

    def add(self, field_path: str, description: str) -> None:
        self.violations.append(FieldViolation(field_path, description))

    def raise_if_any(self) -> None:
        if self.violations:
            raise InvalidArgument(self.violations)
