"""Identifiers whose name says a household shares them: generic from their first sighting."""

from __future__ import annotations

import pytest

from singleview.config import DEFAULT_SHARED_BY_NAME, NormalizationSettings
from singleview.domain.identifiers import IdentifierKind, RawIdentifier
from singleview.identifiers import normalize_identifier
from singleview.matching.generic import placeholders_among


def _shared(kind: IdentifierKind, value: str, namespace: str = "") -> bool:
    raw = RawIdentifier(kind, namespace, value)
    identifier = normalize_identifier(raw, NormalizationSettings())
    return bool(placeholders_among([identifier], DEFAULT_SHARED_BY_NAME))


@pytest.mark.parametrize(
    ("value", "shared"),
    [
        pytest.param("TheGarciaFamily@Example.net", True, id="the-family"),
        pytest.param("garciafamily@example.net", True, id="family suffix"),
        pytest.param("Zhao.Household+promo@Gmail.com", True, id="household, provider canonical"),
        pytest.param("familia.lopez@example.mx", True, id="familia"),
        pytest.param("famille-martin@example.fr", True, id="famille"),
        pytest.param("alejandro.garcia@example.net", False, id="a person's mailbox"),
        pytest.param("homer.simpson@example.com", False, id="home is not household"),
        pytest.param("ana@family-office.example.com", False, id="the domain does not count"),
    ],
)
def test_a_mailbox_named_for_a_family(value: str, shared: bool) -> None:
    assert _shared(IdentifierKind.EMAIL, value) is shared


def test_only_mailboxes_are_judged_by_their_name() -> None:
    assert not _shared(IdentifierKind.SOCIAL_HANDLE, "TheGarciaFamily", "instagram")
