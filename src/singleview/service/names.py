"""Resource names (`customers/{id}`) and the ids behind them."""

from __future__ import annotations

import re
import secrets
import time

from singleview.domain.errors import FieldViolation, InvalidArgument

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_CUSTOMER_NAME = re.compile(r"^customers/([0-9a-z]{1,64})$")


def new_id() -> str:
    """26 characters, time-ordered (48-bit milliseconds) then random (80 bits), like a ULID.

    Time order keeps ListCustomers close to creation order; the random part keeps ids
    unguessable and unique across processes without coordination.
    """
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "".join(reversed(chars))


new_customer_id = new_id


def customer_name(customer_id: str) -> str:
    return f"customers/{customer_id}"


def parse_customer_name(name: str, field_path: str = "name") -> str:
    """The id in `customers/{id}`; INVALID_ARGUMENT naming `field_path` otherwise."""
    match = _CUSTOMER_NAME.match(name)
    if match is None:
        description = "required" if not name else "must look like customers/{customer_id}"
        raise InvalidArgument([FieldViolation(field_path, description)])
    return match.group(1)
