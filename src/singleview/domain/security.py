"""Who is calling: roles, the caller of one request, and the permissions a role grants.

Plain values; the api layer decides which permission each RPC needs (api/auth.py), so a new RPC
is mapped in one place and a method nobody mapped needs the admin-only permission (fail closed).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.Enum):
    """What a token may do; values are stored with the token."""

    CHANNEL = "channel"
    """Channel backends: resolve, look up, record and read the timeline, watch."""

    CLIENTELING = "clienteling"
    """Store associates' apps: find and read a customer, log visits, update preferences."""

    STEWARD = "steward"
    """Data stewards: every read, plus review tasks, merge, split, explain, audit."""

    ADMIN = "admin"
    """Everything, including erasure and export (privacy)."""


class Permission(enum.Enum):
    """One thing a caller may do; PERMISSION_DENIED names the value a caller lacked."""

    RESOLVE = "records.resolve"
    LOOKUP = "customers.lookup"
    READ_CUSTOMERS = "customers.read"
    LIST_CUSTOMERS = "customers.list"
    RECORD_INTERACTIONS = "timeline.write"
    READ_TIMELINE = "timeline.read"
    READ_CONTEXT = "timeline.context"
    WATCH = "timeline.watch"
    RECORD_VISITS = "visits.write"
    UPDATE_PREFERENCES = "preferences.write"
    READ_REVIEWS = "review.read"
    DECIDE_REVIEWS = "review.decide"
    MERGE = "customers.merge"
    SPLIT = "customers.split"
    EXPLAIN = "customers.explain"
    READ_AUDIT = "audit.read"
    READ_HOUSEHOLDS = "households.read"
    MANAGE_HOUSEHOLDS = "households.manage"
    """Add or remove members, re-attribute a household's interactions."""
    ERASE = "privacy.erase"
    EXPORT = "privacy.export"
    ADMINISTER = "admin"
    """Needed by methods no permission is mapped for yet: only admin has it."""


_READS = frozenset(
    {
        Permission.LOOKUP,
        Permission.READ_CUSTOMERS,
        Permission.LIST_CUSTOMERS,
        Permission.READ_TIMELINE,
        Permission.READ_CONTEXT,
        Permission.WATCH,
        Permission.READ_REVIEWS,
        Permission.EXPLAIN,
        Permission.READ_AUDIT,
        Permission.READ_HOUSEHOLDS,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CHANNEL: frozenset(
        {
            Permission.RESOLVE,
            Permission.LOOKUP,
            Permission.READ_CONTEXT,
            Permission.RECORD_INTERACTIONS,
            Permission.READ_TIMELINE,
            Permission.WATCH,
        }
    ),
    Role.CLIENTELING: frozenset(
        {
            Permission.READ_CUSTOMERS,
            Permission.READ_TIMELINE,
            Permission.RECORD_VISITS,
            Permission.UPDATE_PREFERENCES,
        }
    ),
    Role.STEWARD: _READS
    | {
        Permission.DECIDE_REVIEWS,
        Permission.MERGE,
        Permission.SPLIT,
        Permission.MANAGE_HOUSEHOLDS,
    },
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True)
class Caller:
    """Who made the current request: a token's name and role when authentication is on.

    With authentication off, `name` is what the client claimed (unverified) and `role` is None:
    every permission is granted, as on a loopback development server.
    """

    name: str
    role: Role | None = None
    authenticated: bool = False

    def may(self, permission: Permission) -> bool:
        return self.role is None or permission in ROLE_PERMISSIONS[self.role]


ANONYMOUS = Caller("anonymous")
