"""Whether two people look like one family: what makes the sharers of a line a household."""

from __future__ import annotations

from singleview.domain.records import PersonAttributes
from singleview.matching.levels import MatchProfile
from singleview.matching.names import parse_name


def is_named(attributes: PersonAttributes) -> bool:
    """Whether the attributes name someone: a placeholder name ("Walk In") names nobody."""
    given, family = parse_name(attributes.given_name, attributes.family_name, attributes.full_name)
    return bool(given or family)


def related(a: MatchProfile, b: MatchProfile) -> bool:
    """The same street address, or the same family name where no postal codes disagree: what
    makes sharers a family. Two walk-ins who happen to share a family name but live apart are
    strangers on a store's phone."""
    if a.street and (a.house_number, a.street, a.postal_code) == (
        b.house_number,
        b.street,
        b.postal_code,
    ):
        return True
    apart = bool(a.postal_code and b.postal_code and a.postal_code != b.postal_code)
    return bool(a.family) and a.family == b.family and not apart
