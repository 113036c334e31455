"""Survivorship rules per attribute, and how they are configured."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from singleview.config import (
    AttributeRule,
    ConfigError,
    SurvivorshipRule,
    SurvivorshipSettings,
    load_settings,
    parse_survivorship,
)
from singleview.domain.records import PersonAttributes, PostalAddress, SourceRecordRef
from singleview.service.golden import golden_record
from singleview.store.resolution import RecordAttributes

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _records(*rows: tuple[str, PersonAttributes]) -> list[RecordAttributes]:
    """Newest first, as the store gives them: the first row is the most recent."""
    return [
        RecordAttributes(SourceRecordRef(source, f"{source}-{n}"), NOW - timedelta(days=n), attrs)
        for n, (source, attrs) in enumerate(rows)
    ]


RECORDS = _records(
    ("pos", PersonAttributes(given_name="Jon", family_name="Smyth")),
    (
        "crm",
        PersonAttributes(given_name="Jonathan", family_name="SMITH", birth_date=date(1980, 2, 3)),
    ),
    ("web", PersonAttributes(given_name="John", family_name="Smith", birth_date=date(1980, 3, 2))),
    ("passport", PersonAttributes(family_name="Smithe", birth_date=date(1980, 2, 4))),
)


@pytest.mark.parametrize(
    ("rule", "attribute", "value", "source"),
    [
        (AttributeRule(), "given_name", "Jon", "pos"),
        (AttributeRule(SurvivorshipRule.LONGEST), "given_name", "Jonathan", "crm"),
        (AttributeRule(SurvivorshipRule.MOST_FREQUENT), "family_name", "SMITH", "crm"),
        (
            AttributeRule(SurvivorshipRule.SOURCE_PRIORITY, ("passport", "web")),
            "birth_date",
            date(1980, 2, 4),
            "passport",
        ),
        (
            AttributeRule(SurvivorshipRule.SOURCE_PRIORITY, ("registry", "web")),
            "family_name",
            "Smith",
            "web",
        ),
        (
            AttributeRule(SurvivorshipRule.SOURCE_PRIORITY, ("registry",)),
            "given_name",
            "Jon",
            "pos",
        ),
    ],
)
def test_each_rule_picks_its_value_and_remembers_the_record(
    rule: AttributeRule, attribute: str, value: object, source: str
) -> None:
    golden = golden_record(RECORDS, SurvivorshipSettings(rules={attribute: rule}))

    assert getattr(golden.attributes, attribute) == value
    assert golden.sources[attribute].source == source


def test_ties_go_to_the_most_recent_record() -> None:
    records = _records(
        ("a", PersonAttributes(given_name="Anna")),
        ("b", PersonAttributes(given_name="Anne")),
    )
    longest = golden_record(records, SurvivorshipSettings(AttributeRule(SurvivorshipRule.LONGEST)))
    frequent = golden_record(
        records, SurvivorshipSettings(AttributeRule(SurvivorshipRule.MOST_FREQUENT))
    )

    assert longest.sources["given_name"].source == "a"
    assert frequent.sources["given_name"].source == "a"


def test_a_placeholder_name_never_becomes_the_customers_name() -> None:
    records = _records(
        ("pos", PersonAttributes(full_name="Walk In", given_name="Walk", family_name="In")),
        ("crm", PersonAttributes(given_name="Krystyna", family_name="Wróbel")),
    )

    golden = golden_record(records, SurvivorshipSettings())

    assert (golden.attributes.given_name, golden.attributes.family_name) == ("Krystyna", "Wróbel")
    assert golden.attributes.full_name == ""


def test_the_address_is_taken_whole_from_one_record() -> None:
    records = _records(
        ("pos", PersonAttributes(address=PostalAddress(postal_code="62701"))),
        (
            "crm",
            PersonAttributes(address=PostalAddress(lines=("1 Oak St",), locality="Springfield")),
        ),
    )

    recent = golden_record(records)
    longest = golden_record(
        records, SurvivorshipSettings(rules={"address": AttributeRule(SurvivorshipRule.LONGEST)})
    )

    assert recent.attributes.address == PostalAddress(postal_code="62701")
    assert longest.attributes.address == PostalAddress(lines=("1 Oak St",), locality="Springfield")


def test_the_rules_are_read_from_one_setting() -> None:
    settings = load_settings(
        {"SINGLEVIEW_SURVIVORSHIP": "*=longest; birth_date=source_priority:passport, crm"}
    )

    rules = settings.survivorship
    assert rules.rule_for("given_name") == AttributeRule(SurvivorshipRule.LONGEST)
    assert rules.rule_for("birth_date") == AttributeRule(
        SurvivorshipRule.SOURCE_PRIORITY, ("passport", "crm")
    )


@pytest.mark.parametrize("text", ["nickname=longest", "given_name=oldest", "given_name"])
def test_a_rule_that_cannot_be_read_stops_start_up(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_survivorship(text)
