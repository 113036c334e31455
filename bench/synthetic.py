"""Seeded synthetic omnichannel source records with ground truth, for the accuracy benchmark.

A matcher can only be measured against data whose truth is known, and real customer data never
comes with it. So this module invents people (from several cultures, some in households, some
twins), then writes what each channel would have recorded about them: a subset of their
identifiers in the raw spellings channels really send, and their attributes with the mistakes
real records carry (nicknames, typos, dropped accents, swapped birth dates, old addresses). The
hard cases are built in on purpose, each at a configurable share (`Mix`), and every record is
tagged with the ones it carries so the benchmark can say which of them cost precision or recall.

Everything is drawn from one `random.Random(seed)`: the same arguments give the same records.
Phone numbers are checked with libphonenumber, as the service checks them; nothing is downloaded.
"""

from __future__ import annotations

import calendar
import itertools
import random
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeAlias

from bench import synthetic_names as tables
from bench.synthetic_names import Address, City, Culture
from singleview.v1 import common_pb2, identity_service_pb2

ZERO_AD_ID = "00000000-0000-0000-0000-000000000000"
"""What iOS and Android report when the user limits ad tracking: on many unrelated people."""

STORE_PHONES = ("+1 312 555 0100", "+1 415 555 0142", "+1 212 555 0199")
"""Stores' own numbers, typed at the till for walk-ins who give none (fictional 555-01xx)."""

_IDENTIFIER_FIELDS = ("phone", "email", "loyalty", "social", "device")
Kind: TypeAlias = common_pb2.IdentifierKind.ValueType
PHONE, EMAIL = common_pb2.IDENTIFIER_KIND_PHONE, common_pb2.IDENTIFIER_KIND_EMAIL
SOCIAL, DEVICE = common_pb2.IDENTIFIER_KIND_SOCIAL_HANDLE, common_pb2.IDENTIFIER_KIND_DEVICE_ID
LOYALTY = common_pb2.IDENTIFIER_KIND_LOYALTY_ID


@dataclass(frozen=True)
class Mix:
    """The share of each hard case; the defaults are a plausible retail mix, not a worst case.

    Of people: household (living in a household of 2-4 that shares a landline and an address),
    abroad (London or Berlin, numbers written with a country code), nickname (of those whose
    name has a common nickname: using it in about half their records), move and email_change
    (later records carry the new address or mailbox). Of households: family_mailbox (one shared
    mailbox), twin (two members are twins). Of records: walk_in (of POS records: the store's
    phone instead of the customer's), typo (one edit in a name), diacritics_drop (of records of
    accented names), date_swap (day and month of the birth date), placeholder_device (of app
    records: the all-zero ad id), attributes_only (name, birth date, address, no identifier).
    Of people with several records: enrolled (the first record is a sign-up that holds every
    main identifier they have, so later records can reach it through any one of them).
    """

    household_share: float = 0.25
    family_mailbox_share: float = 0.35
    twin_share: float = 0.15
    abroad_share: float = 0.04
    walk_in_share: float = 0.25
    nickname_share: float = 0.6
    typo_share: float = 0.05
    diacritics_drop_share: float = 0.5
    date_swap_share: float = 0.05
    move_share: float = 0.12
    email_change_share: float = 0.1
    placeholder_device_share: float = 0.3
    attributes_only_share: float = 0.05
    enrolled_share: float = 0.85


@dataclass(frozen=True)
class SyntheticRecord:
    request: identity_service_pb2.ResolveRequest
    """What a channel sends."""
    person: int
    """Ground truth: the person the record is about."""
    tags: frozenset[str] = frozenset()
    """The hard cases this record carries, so errors can be traced to them: walk-in (the store's
    phone), household (a shared landline or family mailbox), twin, nickname, typo, diacritics
    (dropped), date-swap, moved (the new address), email-change (the new mailbox),
    placeholder-device (the all-zero ad id), no-identifiers, no-shared-id (no identifier ties it
    to the largest group of its person's records: only attributes can)."""


@dataclass(frozen=True)
class SyntheticData:
    records: list[SyntheticRecord]
    never_merge: set[frozenset[int]]
    """Pairs of person ids that must never end in one customer: household members and twins."""
    households: list[list[int]]
    twins: list[tuple[int, int]]


@dataclass
class Person:
    """One invented person and every identifier they own; records take subsets of these."""

    id: int
    culture: Culture
    given: str
    family: str
    birth: date
    home: Address
    nickname: str = ""
    moved_to: Address | None = None
    mobile: str = ""
    landline: str = ""
    shared_landline: bool = False
    emails: list[str] = field(default_factory=list)
    """Personal mailboxes in order of use: a second one means the person changed email."""
    family_mailbox: str = ""
    loyalty: str = ""
    handle: tuple[str, str] | None = None
    device: tuple[str, str] | None = None
    twin: bool = False


def generate(people: int = 2000, seed: int = 1, mix: Mix | None = None) -> SyntheticData:
    """`people` invented people and their 1-5 source records each, deterministic in `seed`."""
    rng = random.Random(seed)
    mix = mix or Mix()
    population = _Population(rng, mix)
    population.populate(people)
    writer = _RecordWriter(rng, mix)
    records = [record for person in population.people for record in writer.records_of(person)]
    never_merge = {frozenset(pair) for pair in population.twins}
    for members in population.households:
        never_merge |= {frozenset(pair) for pair in itertools.combinations(members, 2)}
    return SyntheticData(
        records=records,
        never_merge=never_merge,
        households=population.households,
        twins=population.twins,
    )


def _birth(rng: random.Random, first_year: int, last_year: int) -> date:
    year = rng.randint(first_year, last_year)
    month = rng.randint(1, 12)
    return date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


class _Population:
    """Invents people in units, singles and households, with the identifiers each one owns."""

    def __init__(self, rng: random.Random, mix: Mix) -> None:
        self.rng = rng
        self.mix = mix
        self.people: list[Person] = []
        self.households: list[list[int]] = []
        self.twins: list[tuple[int, int]] = []
        self.mint = tables.Mint(rng, reserved=STORE_PHONES)

    def populate(self, count: int) -> None:
        """Households have 3 members on average: this chance per unit puts the wanted share of
        people in one."""
        share = self.mix.household_share
        household_chance = share / (3 - 2 * share)
        while len(self.people) < count:
            remaining = count - len(self.people)
            if remaining >= 2 and self.rng.random() < household_chance:
                self._household(self.rng.randint(2, min(4, remaining)))
            else:
                self._single()

    def _place(self) -> tuple[Culture, City, Address]:
        """Where a unit of people lives, and among which names."""
        city = tables.draw_city(self.rng, self.mix.abroad_share)
        return tables.draw_culture(self.rng), city, tables.draw_address(self.rng, city)

    def _single(self) -> None:
        culture, city, home = self._place()
        born = _birth(self.rng, round(self.rng.triangular(1930, 2006, 1982)), 2006)
        person = self._person(culture, self.rng.choice(culture.family), born, home)
        if self.rng.random() < 0.15:
            person.landline = self.mint.phone(city.landlines)
        self._equip(person, mobile=0.9, email=0.85)

    def _household(self, size: int) -> None:
        """Parents, children and maybe twins at one address, one landline, maybe one mailbox."""
        rng = self.rng
        culture, city, home = self._place()
        family = rng.choice(culture.family)
        twins = 2 if rng.random() < self.mix.twin_share else 0
        parents = min(size, 2) if not twins else size - 2
        births = self._household_births(parents, size - parents - twins, twins)
        landline = (
            self.mint.phone(city.landlines) if size > 2 or not twins or rng.random() < 0.5 else ""
        )
        slug = tables.ascii_slug(family)
        mailbox = ""
        if rng.random() < self.mix.family_mailbox_share:
            mailbox = self.mint.mailbox(f"the{slug}family", f"{slug}family", f"{slug}.household")
        members: list[Person] = []
        for index, born in enumerate(births):
            own = index == 1 and parents == 2 and rng.random() < 0.25
            name = rng.choice(culture.family) if own else family
            taken = {m.given for m in members}
            person = self._person(culture, name, born, home, taken)
            person.landline, person.shared_landline = landline, bool(landline)
            person.family_mailbox = mailbox
            self._equip(person, mobile=0.75, email=0.75)
            members.append(person)
        self.households.append([m.id for m in members])
        if twins:
            members[-1].twin = members[-2].twin = True
            self.twins.append((members[-2].id, members[-1].id))

    def _household_births(self, parents: int, children: int, twins: int) -> list[date]:
        """Parents a few years apart, children 22-38 years younger (adults by 2025), twins born
        on one day: as children of the parents, or as the household's two adults."""
        rng = self.rng
        if not parents:
            born = _birth(rng, 1935, 2000)
            return [born, born]
        first = _birth(rng, 1940, 1982)
        births = [first, first + timedelta(days=rng.randint(-2200, 2200))][:parents]
        year = min(first.year + rng.randint(22, 38), 2006)
        births += [_birth(rng, year, year) for _ in range(children)]
        born = _birth(rng, year, year)
        return births + [born] * twins

    def _person(
        self, culture: Culture, family: str, born: date, home: Address, taken: Collection[str] = ()
    ) -> Person:
        given = self.rng.choice([g for g in culture.female + culture.male if g not in taken])
        person = Person(len(self.people), culture, given, family, born, home)
        self.people.append(person)
        return person

    def _equip(self, person: Person, *, mobile: float, email: float) -> None:
        """The person's own identifiers, and the life events that change them."""
        rng, mix = self.rng, self.mix
        if rng.random() < mobile:
            person.mobile = self.mint.phone(person.home.city.mobiles)
        names = (person.given, person.family)
        if rng.random() < email:
            count = 2 if rng.random() < mix.email_change_share else 1
            person.emails = [
                self.mint.personal_mailbox(*names, person.birth.year) for _ in range(count)
            ]
        if rng.random() < 0.5:
            person.loyalty = self.mint.loyalty()
        if rng.random() < 0.3:
            person.handle = (rng.choice(tables.SOCIAL_PLATFORMS), self.mint.handle(*names))
        if rng.random() < 0.35:
            kind = rng.choice(("idfa", "gaid"))
            person.device = (kind, str(uuid.UUID(int=rng.getrandbits(128), version=4)))
        if person.given in tables.NICKNAMES and rng.random() < mix.nickname_share:
            person.nickname = rng.choice(tables.NICKNAMES[person.given])
        if rng.random() < mix.move_share:
            city = (
                person.home.city if rng.random() < 0.7 else tables.draw_city(rng, mix.abroad_share)
            )
            person.moved_to = tables.draw_address(rng, city)


def _reaches(person: Person, source: str) -> bool:
    """Whether the channel can know the person at all: no social record without a handle."""
    needs = {
        "social": person.handle is not None,
        "loyalty": bool(person.loyalty),
        "email": bool(person.emails or person.family_mailbox),
        "ivr": bool(person.mobile or person.landline),
    }
    return needs.get(source, True)


@dataclass
class _Draft:
    """One record being written, and the true identifiers behind its spellings."""

    person: Person
    seen: datetime
    late_address: bool
    late_email: bool
    source: str = ""
    fields: set[str] = field(default_factory=set)
    """Attributes the record will carry: "name", "birth", "address"."""
    walk_in: bool = False
    identifiers: list[common_pb2.Identifier] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    """What the identifiers truly are ("phone:+1 312 ..."), placeholders and store phones left
    out: two records of a person that share a key can be linked without any attribute."""

    def add(self, kind: Kind, namespace: str, value: str, key: str = "") -> None:
        self.identifiers.append(common_pb2.Identifier(kind=kind, namespace=namespace, value=value))
        if key:
            self.keys.add(key)


_PROFILE = frozenset({"name", "birth", "address"})


def _bridge(drafts: list[_Draft]) -> None:
    """Make a person's records linkable in principle, and tag the ones only attributes can link.

    Records fall into groups connected by shared identifiers. With several groups, each gets a
    record with a name, birth date and address, since a group no perfect matcher could attach
    would only measure the generator; records outside the largest group are "no-shared-id".
    """
    groups: list[list[_Draft]] = []
    for draft in drafts:
        joined = [g for g in groups if any(draft.keys & d.keys for d in g)]
        groups = [g for g in groups if all(g is not j for j in joined)]
        groups.append([draft, *(d for g in joined for d in g)])
    if len(groups) < 2:
        return
    main = max(groups, key=len)
    for group in groups:
        if not any(d.fields >= _PROFILE for d in group):
            group[-1].fields |= _PROFILE
        for draft in group if group is not main else ():
            draft.tags.add("no-shared-id")


class _RecordWriter:
    """Writes what each channel would have recorded about a person, mistakes included."""

    def __init__(self, rng: random.Random, mix: Mix) -> None:
        self.rng = rng
        self.mix = mix
        self.counters = dict.fromkeys(tables.SOURCES, 0)

    def records_of(self, person: Person) -> list[SyntheticRecord]:
        """1-5 records in time order; a move or an email change happens between two of them.
        An enrolled person's first record is the sign-up that holds all their main identifiers."""
        rng = self.rng
        count = rng.choices(range(1, 6), weights=tables.RECORDS_PER_PERSON)[0]
        moved_at = rng.randint(1, count - 1) if person.moved_to and count > 1 else count
        changed_at = rng.randint(1, count - 1) if len(person.emails) > 1 and count > 1 else count
        enrolled = count > 1 and rng.random() < self.mix.enrolled_share
        sources = {s: w for s, w in tables.SOURCES.items() if _reaches(person, s)}
        seen = datetime(2019, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(1500))
        drafts = []
        for k in range(count):
            seen += timedelta(days=rng.randint(1, 150), seconds=rng.randrange(86400))
            draft = _Draft(person, seen, k >= moved_at, k >= changed_at, tags=_twin_tag(person))
            if k == 0 and enrolled:
                self._enrollment(draft)
            else:
                self._channel(draft, rng.choices(list(sources), list(sources.values()))[0])
            drafts.append(draft)
        _bridge(drafts)
        return [SyntheticRecord(self._finish(d), person.id, frozenset(d.tags)) for d in drafts]

    def _enrollment(self, draft: _Draft) -> None:
        """Sign-up at the CRM or the loyalty desk: every phone, the first mailbox, the card."""
        person = draft.person
        draft.source = "loyalty" if person.loyalty and self.rng.random() < 0.4 else "crm"
        for number in (person.mobile, person.landline):
            self._add_phone(draft, number)
        self._identifier(draft, "email")
        self._identifier(draft, "loyalty")
        draft.fields = {"name"} | {f for f in ("birth", "address") if self.rng.random() < 0.9}

    def _channel(self, draft: _Draft, source: str) -> None:
        """What one channel captured: its usual fields, each present at the channel's rate."""
        rng = self.rng
        draft.source = source
        chances = tables.SOURCE_FIELDS[source]
        draft.fields = {f for f, chance in chances.items() if rng.random() < chance}
        draft.walk_in = source == "pos" and rng.random() < self.mix.walk_in_share
        if rng.random() < self.mix.attributes_only_share:
            draft.fields = set(_PROFILE)
            return
        for name in _IDENTIFIER_FIELDS:
            if name in draft.fields or (name == "phone" and draft.walk_in):
                self._identifier(draft, name)
        # A channel that knew none of what it usually knows still had some way to reach them.
        for name in rng.sample(_IDENTIFIER_FIELDS[:4], 4):
            if not draft.identifiers:
                self._identifier(draft, name)

    def _finish(self, draft: _Draft) -> identity_service_pb2.ResolveRequest:
        if not draft.identifiers:
            draft.fields |= _PROFILE
            draft.tags.add("no-identifiers")
        self.counters[draft.source] += 1
        request = identity_service_pb2.ResolveRequest(
            source=draft.source,
            record_id=tables.RECORD_ID_FORMATS[draft.source].format(self.counters[draft.source]),
            identifiers=draft.identifiers,
            attributes=self._attributes(draft),
        )
        request.observed_at.FromDatetime(draft.seen)
        return request

    def _identifier(self, draft: _Draft, name: str) -> None:
        rng, person = self.rng, draft.person
        if name == "phone":
            self._add_phone(draft, self._pick_phone(draft))
        elif name == "email" and (mailbox := self._pick_mailbox(draft)):
            draft.add(EMAIL, "", tables.spell_email(rng, mailbox), f"email:{mailbox}")
        elif name == "loyalty" and person.loyalty:
            programme = rng.choice(("acme-rewards", "ACME-Rewards"))
            value = tables.spell_loyalty(rng, person.loyalty)
            draft.add(LOYALTY, programme, value, f"loyalty:{person.loyalty}")
        elif name == "social" and person.handle:
            namespace, value = tables.spell_handle(rng, *person.handle)
            draft.add(SOCIAL, namespace, value, f"social:{person.handle}")
        elif name == "device":
            kind, value = person.device or ("idfa", ZERO_AD_ID)
            if person.device is None or rng.random() < self.mix.placeholder_device_share:
                kind, value = rng.choice(("idfa", "idfa", "gaid")), ZERO_AD_ID
                draft.tags.add("placeholder-device")
            key = "" if value == ZERO_AD_ID else f"device:{kind}:{value}"
            draft.add(DEVICE, kind, tables.spell_device(rng, kind, value), key)

    def _add_phone(self, draft: _Draft, number: str) -> None:
        if number:
            key = "" if number in STORE_PHONES else f"phone:{number}"
            draft.add(PHONE, "", tables.spell_phone(self.rng, number), key)
        if number and number == draft.person.landline and draft.person.shared_landline:
            draft.tags.add("household")

    def _pick_phone(self, draft: _Draft) -> str:
        if draft.walk_in:
            draft.tags.add("walk-in")
            return self.rng.choice(STORE_PHONES)
        numbers = [n for n in (draft.person.mobile, draft.person.landline) if n]
        if not numbers:
            return ""
        return numbers[0] if self.rng.random() < 0.65 else numbers[-1]

    def _pick_mailbox(self, draft: _Draft) -> str:
        person = draft.person
        if person.family_mailbox and (not person.emails or self.rng.random() < 0.35):
            draft.tags.add("household")
            return person.family_mailbox
        if draft.late_email:
            draft.tags.add("email-change")
        return person.emails[-1 if draft.late_email else 0] if person.emails else ""

    def _attributes(self, draft: _Draft) -> common_pb2.PersonAttributes:
        rng, person = self.rng, draft.person
        attributes = common_pb2.PersonAttributes()
        if "name" in draft.fields:
            self._name(person, attributes, draft.tags)
        if "birth" in draft.fields:
            born = person.birth
            if rng.random() < self.mix.date_swap_share and born.month != born.day <= 12:
                draft.tags.add("date-swap")
                born = date(born.year, born.day, born.month)
            attributes.birth_date = born.isoformat()
        if "address" in draft.fields:
            home = person.moved_to if draft.late_address and person.moved_to else person.home
            if home is person.moved_to:
                draft.tags.add("moved")
            attributes.address.CopyFrom(tables.spell_address(rng, home))
        return attributes

    def _name(self, person: Person, out: common_pb2.PersonAttributes, tags: set[str]) -> None:
        rng = self.rng
        given, family = person.given, person.family
        if person.nickname and rng.random() < 0.5:
            given = person.nickname
            tags.add("nickname")
        if rng.random() < self.mix.diacritics_drop_share:
            plain = tables.strip_diacritics(given), tables.strip_diacritics(family)
            if plain != (given, family):
                tags.add("diacritics")
                given, family = plain
        if rng.random() < self.mix.typo_share:
            tags.add("typo")
            if len(given) >= 4 and (len(family) < 4 or rng.random() < 0.5):
                given = tables.typo(rng, given)
            else:
                family = tables.typo(rng, family)
        tables.spell_name(rng, given, family, person.culture.family_first, out)


def _twin_tag(person: Person) -> set[str]:
    return {"twin"} if person.twin else set()
