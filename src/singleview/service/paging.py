"""Opaque keyset page tokens (AIP-158): clients pass them back, never build them."""

from __future__ import annotations

import base64
import binascii
import json

from singleview.domain.errors import FieldViolation, InvalidArgument

_VERSION = 1


def encode_page_token(kind: str, after: str) -> str:
    payload = json.dumps({"v": _VERSION, "k": kind, "a": after}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def decode_page_token(token: str, kind: str) -> str:
    """The key to continue after; "" for the first page."""
    if not token:
        return ""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if data["v"] != _VERSION or data["k"] != kind or not isinstance(data["a"], str):
            raise ValueError("foreign token")
        return str(data["a"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        raise InvalidArgument(
            [FieldViolation("page_token", "not a page token returned by this method")]
        ) from None
