"""Email addresses reduced to the mailbox they deliver to."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from singleview.config import NormalizationSettings
from singleview.domain.identifiers import IdentifierError

from ._text import clean, fold

INVALID_EMAIL = "not a valid email address"


def normalize_email(value: str, settings: NormalizationSettings) -> str:
    """A lower-case address, in canonical mailbox form for providers that ignore dots and tags.

    The domain is kept in its Unicode form (U-label), as email_validator returns it, so that
    "xn--bcher-kva.example" and "bücher.example" are one domain and stay readable. The local
    part is lower-cased although RFC 5321 lets it be case-sensitive: no provider that matters
    treats it so, and customers do not type it consistently.
    """
    text = clean(value)
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        # `from None`: the library's message quotes parts of the address.
        raise IdentifierError("value", INVALID_EMAIL) from None
    local = fold(result.local_part, str.lower)
    return canonical_mailbox(f"{local}@{result.domain.lower()}", settings)


def canonical_mailbox(email: str, settings: NormalizationSettings) -> str:
    """The address a provider actually delivers `email` to.

    `email` must already be a valid address; its local part is used as given (lower-case it
    first), since only the caller knows whether it went through `validate_email`.

    Domain aliases apply to every address (googlemail.com is gmail.com whatever the list of
    canonical domains says). Dots and "+tags" are dropped only where the domain, before or after
    aliasing, is in `settings.canonical_email_domains`; elsewhere they may be significant.
    Domains are compared in the Unicode form; list internationalized domains that way.
    """
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        raise IdentifierError("value", INVALID_EMAIL)
    domain = domain.lower()
    aliases = {
        k.strip().lower(): v.strip().lower()
        for k, v in settings.canonical_email_domain_alias.items()
    }
    canonical_domains = {d.strip().lower() for d in settings.canonical_email_domains}
    mailbox_domain = aliases.get(domain, domain)
    if domain in canonical_domains or mailbox_domain in canonical_domains:
        local = local.split("+", 1)[0].replace(".", "")
        if not local:
            raise IdentifierError("value", INVALID_EMAIL)
    return f"{local}@{mailbox_domain}"
