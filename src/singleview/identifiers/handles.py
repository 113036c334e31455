"""Identifiers that live in a namespace: social handles, device ids, loyalty and external ids."""

from __future__ import annotations

import re
import uuid

from singleview.domain.identifiers import IdentifierError

from ._text import clean, fold, namespace

INVALID_HANDLE = "not a valid handle"
HANDLE_WHITESPACE = "handle must not contain whitespace"
INVALID_AD_ID = "advertising id must be a UUID"
DEVICE_ID_WHITESPACE = "device id must not contain whitespace"
LOYALTY_CHARSET = "loyalty id may contain only letters, digits and separators"
LOYALTY_TOO_SHORT = "loyalty id must have at least four letters or digits"

PLATFORM_ALIASES: dict[str, str] = {"twitter": "x"}
"""Platforms that were renamed: one account, one namespace."""

AD_ID_TYPES = frozenset({"idfa", "gaid", "idfv"})
"""Device id types that are UUIDs by specification, so any other spelling can be rejected."""

# Path segments that come before the handle in a profile URL (linkedin.com/in/..., reddit.com/u/...,
# youtube.com/c/...), skipped when a handle follows them.
_PROFILE_PREFIXES = frozenset({"in", "u", "user", "c"})

_SCHEME = re.compile(r"https?://")
_UUID = re.compile(
    r"\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?"
)
_LOYALTY_SEPARATORS = re.compile(r"[\s\-./]+")
_LOYALTY_CHARSET = re.compile(r"[0-9A-Z]+")
_MIN_LOYALTY_LENGTH = 4


def normalize_platform(value: str) -> str:
    """The platform slug, with renamed platforms mapped to their current name."""
    platform = namespace(value)
    return PLATFORM_ALIASES.get(platform, platform)


def normalize_handle(value: str) -> str:
    """The handle case-folded, without "@" and without the profile URL it was pasted as.

    Every major platform treats handles case-insensitively; casefold (not lower) so that
    "ß" and "ss" meet as they do in the platforms' own lookups.
    """
    text = fold(clean(value), str.casefold)
    handle = _handle_from_url(text).lstrip("@")
    if not handle:
        raise IdentifierError("value", INVALID_HANDLE)
    if any(char.isspace() for char in handle):
        raise IdentifierError("value", HANDLE_WHITESPACE)
    if "/" in handle:
        raise IdentifierError("value", INVALID_HANDLE)
    return handle


def _handle_from_url(text: str) -> str:
    """The first path segment of a profile URL; text that is not a URL is returned unchanged.

    Something is a URL when it has an http(s) scheme or a dotted host before the first "/".
    """
    scheme = _SCHEME.match(text)
    rest = text[scheme.end() :] if scheme else text
    host, slash, path = rest.partition("/")
    if not slash or "." not in host:
        return rest if scheme else text
    path = re.split(r"[?#]", path, maxsplit=1)[0]
    segments = [segment for segment in path.split("/") if segment]
    if len(segments) > 1 and segments[0] in _PROFILE_PREFIXES:
        segments = segments[1:]
    return segments[0] if segments else ""


def normalize_device_id(id_type: str, value: str) -> str:
    """Lower-case; advertising ids (IDFA, GAID, IDFV) in canonical hyphenated UUID form.

    The all-zeros advertising id (what iOS and Android hand out when the user limits ad
    tracking) is accepted here, so the record it came with is not lost; matching treats it as a
    known placeholder that never links anyone.
    """
    text = fold(clean(value), str.lower)
    if any(char.isspace() for char in text):
        raise IdentifierError("value", DEVICE_ID_WHITESPACE)
    if id_type not in AD_ID_TYPES:
        return text
    match = _UUID.fullmatch(text)
    if match is None:
        raise IdentifierError("value", INVALID_AD_ID)
    return str(uuid.UUID("".join(match.groups())))


def normalize_loyalty_id(value: str) -> str:
    """Upper-case letters and digits only, so "5745 480 672" and "57454-80672" meet.

    Separators (whitespace, "-", ".", "/") are dropped because cards and receipts print the
    same number grouped differently; anything else is refused rather than guessed at.
    """
    compact = _LOYALTY_SEPARATORS.sub("", clean(value))
    if not compact.isascii() or not _LOYALTY_CHARSET.fullmatch(compact.upper()):
        raise IdentifierError("value", LOYALTY_CHARSET)
    if len(compact) < _MIN_LOYALTY_LENGTH:
        raise IdentifierError("value", LOYALTY_TOO_SHORT)
    return compact.upper()


def normalize_external_id(value: str) -> str:
    """Trimmed only: the owning system decides what is equal, and it may be case-sensitive."""
    return clean(value)
