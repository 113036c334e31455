"""A second, independent generator of customer records with known truth: the hold-out set.

    from bench.holdout import generate
    data = generate(people=2000, seed=1)        # bench.synthetic's SyntheticData

The matching engine is tuned on `bench.synthetic`; this generator was written without reading it
(beyond its output dataclasses) or the engine, from what omnichannel customer data of a retailer
with stores in the US, the UK, Germany, France, Spain, Mexico and Poland looks like:

- Homes: people living alone, couples (often with different family names: Spanish, Vietnamese,
  Chinese, Korean and Arabic wives mostly keep theirs; Polish and Russian ones take the feminine
  form), families with children and grandparents, fathers and sons of the same name (Jr.),
  twins (same family name, birth date and address, names often alike: Anna/Hannah, Taiwo/Kehinde,
  Hassan/Hussein), roommates. A home may have a landline every member gives, a family mailbox
  (`thegarciafamily@`, `bobandsue@`, or a parent's own address the other parent uses), a tablet
  whose advertising id the whole family's app sessions carry; children too young for a phone of
  their own give the landline or a parent's mobile and mailbox. An IVR call from the landline
  carries nothing else (nameless).
- Sources and what each captures: loyalty enrolment (`crm`), tills (`pos-us`, `pos-gb`, ...:
  upper-case ASCII names, a scanned card, the store's own phone typed for walk-ins or a 555-01xx
  placeholder, `noemail@`-style mailboxes), the web shop (account, guest checkouts), the app
  (device ids, all-zero when ad tracking is limited), the call centre (caller id, names typed by
  agents: "Family, Given", typos, transliterations as heard), the IVR, social (display names),
  the newsletter, warranty cards (name, birth date and address only).
- Names as people and clerks write them: nicknames (Bob, Pepe, Kasia, Sasha, Emeka), adopted
  English names (David Wang), transliterations (Mohamed/Muhammad, Yekaterina/Ekaterina,
  Lee/Yi, Müller/Mueller), dropped diacritics, family first ("Nguyen Van Anh", "WANG Xiaoming"),
  "Family, Given", initials, middle names on some records and not others, Spanish double
  surnames in part, hyphens and spaces in given names (Min-jun/Minjun), maiden names before a
  marriage, Chinese characters, typos, till guest names ("CASH CUSTOMER").
- Identifiers as channels write them: phones national and international in many layouts
  (`+44 (0)20 ...`, `0044 ...`, `011 49 ...`, `(312) 555-...`, `312.555....`), mailboxes in
  mixed case with plus tags, dots, aliases, typos in the domain, handles with @ or as URLs,
  device ids in either case, loyalty numbers spaced or with their leading zeros lost.
- Life: moves (the household's new address, sometimes a new landline), new mailboxes, new
  mobiles, mobile numbers recycled to a stranger, birth dates with day and month swapped, a digit
  off or a 1900-01-01 placeholder.
- Namesakes: every culture's most common names (John Smith, María García, Nguyễn Văn Anh,
  Wang Wei, Mohammed Ali), some born in the same year.

Every record carries tags naming the hard cases it contains; see `TAGS`.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import phonenumbers

from bench.holdout_names import (
    CHINESE_CHARACTERS,
    CULTURES,
    FIRST_NAME_INITIAL_CULTURES,
    GUEST_NAMES,
    SOCIAL_DECORATIONS,
    Culture,
    feminine,
)
from bench.synthetic import SyntheticData, SyntheticRecord
from singleview.v1 import common_pb2, identity_service_pb2

START = date(2021, 1, 1)
END = date(2024, 6, 30)

TAGS = {
    "in-household": "the person shares a home with others in the data",
    "landline": "carries the home's landline, which other members give too",
    "family-mailbox": "carries a mailbox the home shares",
    "shared-device": "carries the advertising id of the home's shared tablet",
    "parent-contact": "a child's record with a parent's mobile or mailbox",
    "nameless-call": "an IVR call from a shared landline: nothing but the number",
    "spouse-diff-name": "a spouse whose family name differs from their partner's",
    "junior": "father and son of one name in one home",
    "twin": "one of twins",
    "similar-twin-names": "twins whose given names are alike (Anna/Hannah)",
    "roommates": "unrelated people sharing an address",
    "walk-in": "the store's own phone, or a 555-01xx placeholder, typed for a walk-in",
    "placeholder-phone": "a 555-01xx placeholder phone",
    "guest-name": "a till's stand-in name (GUEST, CASH CUSTOMER)",
    "nickname": "a short form of the given name",
    "adopted-name": "an English name the person also goes by",
    "translit": "another romanization or spelling of a name (Mohamed, Mueller, Yi)",
    "typo": "one edit in a name",
    "diacritics": "diacritics dropped",
    "upper-case": "the name in capitals",
    "comma-order": "'Family, Given'",
    "family-first": "family name first without a comma",
    "swapped-fields": "given and family name in each other's field",
    "initial": "only the initial of the given name",
    "middle-name": "a middle name (or its initial) that other records lack",
    "hyphen-space": "a hyphenated or compound given name written another way",
    "compound-family": "one or hyphenated Spanish surnames instead of both",
    "gendered-surname": "a Polish or Russian woman under the masculine form",
    "punctuation": "an apostrophe dropped or spaced (OBrien, O Brien)",
    "maiden-name": "the family name before a marriage",
    "native-script": "the name in Chinese characters",
    "given-only": "only a given name",
    "display-name": "a social display name (initial, emoji)",
    "date-swap": "birth date with day and month swapped",
    "date-typo": "birth date one digit off",
    "date-placeholder": "birth date 1900-01-01",
    "no-birth-date": "a named record without a birth date",
    "moved": "the address after a move",
    "email-change": "a mailbox the person switched to",
    "phone-change": "a mobile the person switched to",
    "recycled-phone": "a mobile number two strangers held one after the other",
    "placeholder-device": "the all-zero advertising id",
    "placeholder-email": "a noemail@/test@ mailbox a clerk typed",
    "email-format": "a mailbox in another case, with a plus tag, dots or alias",
    "email-typo": "a mistyped mailbox",
    "phone-format": "a foreign number with (0), 00 or 011",
    "phone-typo": "two digits of a phone swapped",
    "handle-format": "a handle with @ or as a profile URL",
    "device-format": "a device id in other case or without dashes",
    "loyalty-format": "a loyalty number that lost its leading zeros",
    "namesake": "another person has the same given and family name",
    "namesake-same-year": "a namesake born in the same year",
    "no-identifiers": "only attributes",
    "no-shared-id": "no identifier ties it to another record of its person",
}


# --- text helpers ---

_NOT_DECOMPOSED = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "œ": "oe"}
)
_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def ascii_fold(text: str) -> str:
    """What a till without accents writes: Łukasz -> Lukasz, Nguyễn -> Nguyen."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_NOT_DECOMPOSED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _slug(text: str) -> str:
    """A name as it appears in a mailbox or handle: folded, lower case, letters only."""
    return "".join(c for c in ascii_fold(text).lower() if c.isalnum())


_KEYBOARD = {
    "a": "qsz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}  # fmt: skip


def typo(word: str, rng: random.Random) -> str:
    """One slip of the keyboard: a neighbouring key, a letter lost, doubled or swapped."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("neighbour", "drop", "double", "swap"))
    if kind == "neighbour" and word[i].lower() in _KEYBOARD:
        key = rng.choice(_KEYBOARD[word[i].lower()])
        return word[:i] + (key.upper() if word[i].isupper() else key) + word[i + 1 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


def _between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max(1, (end - start).days)))


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- places: countries, cities, stores, phones, addresses ---


@dataclass(frozen=True)
class NumberPlan:
    """National numbers that start with `prefix`, `length` digits long, grouped for writing."""

    prefix: str
    length: int
    groups: tuple[int, ...]


@dataclass(frozen=True)
class City:
    names: tuple[str, ...]
    """As written: the first is the usual form."""
    region: tuple[str, ...]
    postal: str
    """Pattern: # a digit, @ a letter."""
    landline: tuple[NumberPlan, ...]
    streets: tuple[str, ...]


@dataclass(frozen=True)
class Country:
    code: str
    names: tuple[str, ...]
    """How forms write the country; "" when they leave it out."""
    calling: str
    trunk_zero: bool
    """Whether national numbers are dialled with a leading 0 (written '+44 (0)20 ...')."""
    mobile: tuple[NumberPlan, ...]
    cities: tuple[City, ...]
    mail_domains: tuple[tuple[str, int], ...]
    cultures: tuple[tuple[str, int], ...]
    weight: int


_US_STREETS = (
    "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lincoln", "Park", "Lake", "Hill",
    "Main", "Highland", "Jefferson", "Madison", "Franklin", "Church", "Sunset", "Walnut",
    "Chestnut", "Spring", "Ridge", "River", "Meadow", "2nd", "3rd", "5th", "14th", "Grand",
)  # fmt: skip


def _us_city(names: tuple[str, ...], region: tuple[str, ...], zip3: str, areas: str) -> City:
    plans = tuple(NumberPlan(area, 10, (3, 3, 4)) for area in areas.split())
    return City(names, region, zip3 + "##", plans, _US_STREETS)


COUNTRIES: tuple[Country, ...] = (
    Country(
        code="US",
        names=("US", "USA", "United States", "United States of America", ""),
        calling="1",
        trunk_zero=False,
        mobile=(),
        cities=(
            _us_city(("New York", "NEW YORK", "NYC"), ("NY", "New York"), "100", "212 646 917"),
            _us_city(("Brooklyn",), ("NY",), "112", "718 347 929"),
            _us_city(("Chicago",), ("IL", "Illinois"), "606", "312 773 872"),
            _us_city(("Houston",), ("TX", "Texas"), "770", "713 832 281"),
            _us_city(("Los Angeles", "LA"), ("CA", "California"), "900", "213 310 323"),
            _us_city(("Miami",), ("FL", "Florida"), "331", "305 786"),
            _us_city(("Seattle",), ("WA", "Washington"), "981", "206"),
        ),
        mail_domains=(
            ("gmail.com", 40), ("yahoo.com", 12), ("hotmail.com", 8), ("outlook.com", 8),
            ("aol.com", 4), ("icloud.com", 8), ("comcast.net", 3), ("att.net", 2), ("msn.com", 2),
        ),
        cultures=(
            ("english", 40), ("spanish", 22), ("chinese", 6), ("vietnamese", 5), ("korean", 4),
            ("indian", 7), ("arabic", 3), ("nigerian", 3), ("polish", 3), ("russian", 3),
            ("german", 2), ("french", 2),
        ),
        weight=62,
    ),
    Country(
        code="GB",
        names=("GB", "United Kingdom", "UK", "England", ""),
        calling="44",
        trunk_zero=True,
        mobile=(NumberPlan("74", 10, (4, 6)), NumberPlan("77", 10, (4, 6)),
                NumberPlan("78", 10, (4, 6)), NumberPlan("79", 10, (4, 6))),
        cities=(
            City(("London",), ("",), "@# #@@", (NumberPlan("207", 10, (2, 4, 4)),
                 NumberPlan("208", 10, (2, 4, 4))),
                 ("Albert Road", "Victoria Street", "Church Lane", "Park Avenue", "Station Road",
                  "Queens Gardens", "Kingsway", "Mill Close", "High Street", "Elm Grove")),
            City(("Manchester",), ("", "Greater Manchester"), "M## #@@",
                 (NumberPlan("161", 10, (3, 3, 4)),),
                 ("Oxford Road", "Deansgate", "Wilmslow Road", "Princess Street",
                  "Moss Lane", "Burton Road")),
        ),
        mail_domains=(
            ("gmail.com", 40), ("hotmail.co.uk", 15), ("yahoo.co.uk", 10), ("btinternet.com", 8),
            ("outlook.com", 10), ("icloud.com", 6), ("sky.com", 4),
        ),
        cultures=(
            ("english", 60), ("indian", 15), ("polish", 8), ("nigerian", 7), ("arabic", 4),
            ("chinese", 3), ("french", 3),
        ),
        weight=9,
    ),
    Country(
        code="DE",
        names=("DE", "Deutschland", "Germany", ""),
        calling="49",
        trunk_zero=True,
        mobile=(NumberPlan("151", 11, (3, 8)), NumberPlan("160", 10, (3, 7)),
                NumberPlan("170", 10, (3, 7)), NumberPlan("176", 11, (3, 8))),
        cities=(
            City(("Berlin",), ("", "Berlin"), "1####", (NumberPlan("30", 10, (2, 4, 4)),),
                 ("Hauptstraße", "Schillerstraße", "Berliner Straße", "Bahnhofstraße",
                  "Gartenstraße", "Goethestraße", "Lindenstraße", "Kastanienallee")),
            City(("München", "Munich", "Muenchen"), ("", "Bayern"), "8####",
                 (NumberPlan("89", 10, (2, 4, 4)),),
                 ("Leopoldstraße", "Schleißheimer Straße", "Lindwurmstraße", "Dachauer Straße",
                  "Rosenheimer Straße")),
        ),
        mail_domains=(
            ("gmx.de", 25), ("web.de", 25), ("t-online.de", 12), ("gmail.com", 25),
            ("gmx.net", 8), ("outlook.de", 5),
        ),
        cultures=(
            ("german", 70), ("polish", 8), ("russian", 7), ("arabic", 8), ("vietnamese", 4),
            ("english", 3),
        ),
        weight=7,
    ),
    Country(
        code="FR",
        names=("FR", "France", ""),
        calling="33",
        trunk_zero=True,
        mobile=(NumberPlan("6", 9, (1, 2, 2, 2, 2)), NumberPlan("7", 9, (1, 2, 2, 2, 2))),
        cities=(
            City(("Paris", "PARIS"), ("", "Île-de-France"), "750##",
                 (NumberPlan("1", 9, (1, 2, 2, 2, 2)),),
                 ("rue de la République", "avenue Victor Hugo", "boulevard Saint-Michel",
                  "rue du Faubourg Saint-Antoine", "rue de Ménilmontant", "rue Lepic")),
            City(("Lyon",), ("", "Auvergne-Rhône-Alpes"), "6900#",
                 (NumberPlan("4", 9, (1, 2, 2, 2, 2)),),
                 ("rue Mercière", "cours Lafayette", "avenue Jean Jaurès", "rue de Créqui")),
        ),
        mail_domains=(
            ("gmail.com", 30), ("orange.fr", 20), ("free.fr", 15), ("laposte.net", 8),
            ("hotmail.fr", 12), ("sfr.fr", 8), ("wanadoo.fr", 4),
        ),
        cultures=(
            ("french", 72), ("arabic", 15), ("vietnamese", 5), ("spanish", 3), ("english", 3),
            ("chinese", 2),
        ),
        weight=6,
    ),
    Country(
        code="ES",
        names=("ES", "España", "Spain", ""),
        calling="34",
        trunk_zero=False,
        mobile=(NumberPlan("6", 9, (3, 2, 2, 2)),),
        cities=(
            City(("Madrid",), ("Madrid", ""), "280##", (NumberPlan("91", 9, (3, 3, 3)),),
                 ("Calle de Alcalá", "Calle Mayor", "Calle de Toledo", "Avenida de América",
                  "Calle de Bravo Murillo", "Paseo de las Delicias")),
            City(("Barcelona",), ("Barcelona", "Cataluña", ""), "080##",
                 (NumberPlan("93", 9, (3, 3, 3)),),
                 ("Carrer de Mallorca", "Carrer de Sants", "Avinguda Diagonal",
                  "Carrer de València")),
        ),
        mail_domains=(
            ("gmail.com", 45), ("hotmail.es", 20), ("yahoo.es", 10), ("telefonica.net", 5),
            ("outlook.es", 10),
        ),
        cultures=(("spanish", 85), ("arabic", 6), ("english", 4), ("chinese", 3), ("french", 2)),
        weight=5,
    ),
    Country(
        code="MX",
        names=("MX", "México", "Mexico", ""),
        calling="52",
        trunk_zero=False,
        mobile=(),
        cities=(
            City(("Ciudad de México", "CDMX", "Mexico City"), ("CDMX", "Ciudad de México"),
                 "0####", (NumberPlan("55", 10, (2, 4, 4)),),
                 ("Avenida Insurgentes Sur", "Calle Durango", "Avenida Álvaro Obregón",
                  "Calle Amsterdam", "Avenida Universidad")),
            City(("Guadalajara",), ("Jalisco", "Jal."), "44###",
                 (NumberPlan("33", 10, (2, 4, 4)),),
                 ("Avenida Chapultepec", "Calle López Cotilla", "Avenida Vallarta")),
        ),
        mail_domains=(
            ("gmail.com", 45), ("hotmail.com", 25), ("yahoo.com.mx", 10), ("outlook.com", 10),
            ("prodigy.net.mx", 3),
        ),
        cultures=(("spanish", 95), ("english", 5)),
        weight=6,
    ),
    Country(
        code="PL",
        names=("PL", "Polska", "Poland", ""),
        calling="48",
        trunk_zero=False,
        mobile=(NumberPlan("50", 9, (3, 3, 3)), NumberPlan("60", 9, (3, 3, 3)),
                NumberPlan("69", 9, (3, 3, 3)), NumberPlan("79", 9, (3, 3, 3)),
                NumberPlan("88", 9, (3, 3, 3))),
        cities=(
            City(("Warszawa", "Warsaw"), ("mazowieckie", ""), "0#-###",
                 (NumberPlan("22", 9, (2, 3, 2, 2)),),
                 ("Marszałkowska", "Puławska", "Grójecka", "Świętokrzyska", "Długa",
                  "Złota")),
            City(("Kraków", "Krakow", "Cracow"), ("małopolskie", ""), "3#-###",
                 (NumberPlan("12", 9, (2, 3, 2, 2)),),
                 ("Długa", "Karmelicka", "Dietla", "Wielicka", "Zwierzyniecka")),
        ),
        mail_domains=(
            ("gmail.com", 35), ("wp.pl", 20), ("o2.pl", 15), ("onet.pl", 15), ("interia.pl", 15),
        ),
        cultures=(("polish", 90), ("russian", 8), ("english", 2)),
        weight=5,
    ),
)  # fmt: skip

COUNTRY = {c.code: c for c in COUNTRIES}


@dataclass(frozen=True)
class Phone:
    country: str
    calling: str
    national: str
    groups: tuple[int, ...]

    @property
    def key(self) -> str:
        return f"+{self.calling}{self.national}"

    def grouped(self, separator: str = " ") -> str:
        parts, at = [], 0
        for size in self.groups:
            parts.append(self.national[at : at + size])
            at += size
        if at < len(self.national):
            parts[-1] += self.national[at:]
        return separator.join(p for p in parts if p)


def _valid(phone: Phone) -> bool:
    return phonenumbers.is_valid_number(phonenumbers.parse(phone.key))


def _draw_number(country: Country, plan: NumberPlan, rng: random.Random, taken: set[str]) -> Phone:
    """A valid number of the plan nobody else holds; US exchanges avoid N11 and 555."""
    for _ in range(200):
        if country.code == "US":
            exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
            if exchange[1:] == "11" or exchange == "555":
                continue
            digits = plan.prefix + exchange + f"{rng.randrange(10_000):04d}"
        else:
            rest = plan.length - len(plan.prefix)
            digits = plan.prefix + "".join(str(rng.randint(0, 9)) for _ in range(rest))
        phone = Phone(country.code, country.calling, digits, plan.groups)
        if phone.key not in taken and _valid(phone):
            taken.add(phone.key)
            return phone
    raise RuntimeError(f"no valid number for {country.code} {plan.prefix}")


def format_phone(phone: Phone, rng: random.Random, typed_in: str) -> tuple[str, bool]:
    """The number as a person or a system in country `typed_in` writes it; True when written
    with a foreign trunk or exit prefix ((0), 00, 011) that only some systems understand."""
    if phone.country == "US":
        a, e, s = phone.national[:3], phone.national[3:6], phone.national[6:]
        layouts = (
            f"({a}) {e}-{s}", f"{a}-{e}-{s}", f"{a}.{e}.{s}", f"{a}{e}{s}", f"{a} {e} {s}",
            f"+1 {a} {e} {s}", f"+1 ({a}) {e}-{s}", f"1-{a}-{e}-{s}", f"+1{a}{e}{s}",
            f"1{a}{e}{s}", f"+1-{a}-{e}-{s}", f"({a}){e}-{s}",
        )  # fmt: skip
        weights = (30, 20, 6, 10, 5, 5, 4, 5, 6, 3, 3, 3)
        return rng.choices(layouts, weights)[0], False
    cc, spaced = phone.calling, phone.grouped()
    layouts2: list[tuple[str, int, bool]] = [
        (f"+{cc} {spaced}", 40, False),
        (f"+{cc}{phone.national}", 20, False),
        (f"+{cc}-{phone.grouped('-')}", 5, False),
        (f"00{cc} {spaced}", 8 if typed_in != "US" else 1, True),
    ]
    if country_trunk(phone.country):
        layouts2.append((f"+{cc} (0){spaced}", 10, True))
        layouts2.append((f"+{cc} (0) {spaced}", 4, True))
    if phone.country == "FR":
        layouts2.append((f"+{cc} {phone.grouped('.')}", 6, False))
    if typed_in == "US":
        layouts2.append((f"011 {cc} {spaced}", 8, True))
    text, _, unusual = rng.choices(layouts2, [w for _, w, _ in layouts2])[0]
    return text, unusual


def country_trunk(code: str) -> bool:
    return COUNTRY[code].trunk_zero


@dataclass(frozen=True)
class Address:
    country: str
    city: int
    number: str
    street: str
    unit: str
    postal: str


_US_SUFFIXES = {
    "Street": ("St", "St.", "STREET"), "Avenue": ("Ave", "Ave.", "Av"), "Road": ("Rd", "Rd."),
    "Boulevard": ("Blvd", "Blvd."), "Drive": ("Dr", "Dr."), "Lane": ("Ln",), "Court": ("Ct",),
    "Place": ("Pl",),
}  # fmt: skip
_US_DIRECTIONS = {"W": "West", "E": "East", "N": "North", "S": "South"}


def _postal(pattern: str, rng: random.Random) -> str:
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.randint(0, 9)))
        elif ch == "@":
            out.append(rng.choice("ABDEFGHJLNPRSTUWXY"))
        else:
            out.append(ch)
    return "".join(out)


def new_address(country: Country, rng: random.Random, city: int | None = None) -> Address:
    index = rng.randrange(len(country.cities)) if city is None else city
    place = country.cities[index]
    street = rng.choice(place.streets)
    unit = ""
    if country.code == "US":
        suffix = rng.choice(tuple(_US_SUFFIXES))
        direction = rng.choice(("", "", "", "W ", "E ", "N "))
        street = f"{direction}{street} {suffix}"
        number = str(rng.randint(1, 9800))
        if rng.random() < 0.45:
            unit = f"{rng.randint(1, 24)}{rng.choice('ABCDEF')}"
        postal = _postal(place.postal, rng)
    else:
        number = str(rng.randint(1, 180))
        if rng.random() < 0.5:
            unit = str(rng.randint(1, 40))
        postal = _postal(place.postal, rng)
    return Address(country.code, index, number, street, unit, postal)


def render_address(
    address: Address, rng: random.Random, ascii_only: bool, upper: bool
) -> common_pb2.PostalAddress:
    """The address as a form or a clerk writes it: abbreviations, unit placement, country
    name or code or nothing, ZIP+4, postcode spacing."""
    country = COUNTRY[address.country]
    city = country.cities[address.city]
    locality = rng.choices(city.names, [6] + [1] * (len(city.names) - 1))[0]
    region = rng.choice(city.region)
    postal = address.postal
    number, street, unit = address.number, address.street, address.unit
    lines: list[str]
    if address.country == "US":
        words = street.split(" ")
        if words[0] in _US_DIRECTIONS and rng.random() < 0.4:
            words[0] = _US_DIRECTIONS[words[0]]
        if rng.random() < 0.6:
            words[-1] = rng.choice(_US_SUFFIXES[words[-1]])
        street = " ".join(words)
        unit_text = rng.choice(("Apt", "Apt.", "Apartment", "#", "Unit")) if unit else ""
        unit_text = f"{unit_text} {unit}".replace("# ", "#") if unit else ""
        if unit and rng.random() < 0.12:
            unit_text = ""  # left out
        if unit_text and rng.random() < 0.5:
            lines = [f"{number} {street}", unit_text]
        else:
            lines = [f"{number} {street}" + (f", {unit_text}" if unit_text else "")]
        if rng.random() < 0.15:
            postal += f"-{rng.randrange(10_000):04d}"
    elif address.country == "GB":
        line = f"{number} {street}"
        if unit:
            flat = f"Flat {unit}"
            lines = rng.choice(([flat, line], [f"{flat}, {line}"], [f"{unit} {line}"]))
        else:
            lines = [line]
        postal = rng.choice((postal, postal.replace(" ", ""), postal.lower()))
    elif address.country == "DE":
        if rng.random() < 0.35:
            street = street.replace("straße", "str.").replace("Straße", "Str.")
        elif rng.random() < 0.2:
            street = street.replace("ß", "ss")
        lines = [f"{street} {number}"]
        if unit and rng.random() < 0.3:
            lines.append(f"{unit}. OG")
    elif address.country == "FR":
        if rng.random() < 0.3:
            street = street.replace("avenue", "av.").replace("boulevard", "bd")
        sep = rng.choice((" ", ", "))
        lines = [f"{number}{sep}{street}"]
        if unit and rng.random() < 0.4:
            lines.insert(0, rng.choice((f"Bâtiment {unit[-1]}", f"Appt {unit}", f"Bat. {unit}")))
    elif address.country == "ES":
        short = street.replace("Calle de ", "C/ ").replace("Calle ", "C/ ")
        short = short.replace("Avenida de ", "Avda. ")
        floor = f"{unit}º {rng.choice('ABCD')}" if unit else ""
        if rng.random() < 0.4:
            lines = [f"{short} {number}" + (f" {floor}" if floor else "")]
        else:
            lines = [f"{street}, {number}" + (f", {floor}" if floor else "")]
    elif address.country == "MX":
        short = street.replace("Avenida ", "Av. ")
        colonia = f"Col. {rng.choice(('Del Valle', 'Roma Norte', 'Narvarte', 'Centro'))}"
        interior = f" Int. {unit}" if unit else ""
        if rng.random() < 0.5:
            lines = [f"{short} {number}{interior}", colonia]
        else:
            lines = [f"{street} #{number}{interior}, {colonia}"]
    else:  # PL
        flat = f"/{unit}" if unit and rng.random() < 0.6 else (f" m. {unit}" if unit else "")
        prefix = "ul. " if rng.random() < 0.7 else ""
        lines = [f"{prefix}{street} {number}{flat}"]
    country_name = rng.choices(country.names, [6] + [2] * (len(country.names) - 1))[0]
    fields = [*lines, locality, region, postal, country_name]
    if ascii_only:
        fields = [ascii_fold(f) for f in fields]
    if upper:
        fields = [f.upper() for f in fields]
    *lines, locality, region, postal, country_name = fields
    return common_pb2.PostalAddress(
        lines=lines, locality=locality, region=region, postal_code=postal, country=country_name
    )


@dataclass(frozen=True)
class Store:
    code: str
    country: str
    city: int
    phone: Phone
    placeholder: str
    """A 555-01xx number the till's staff type for a shopper who gives none, or "" when they
    type the store's own line."""

    def walk_in_phone(self, rng: random.Random) -> str:
        return self.placeholder or format_phone(self.phone, rng, self.country)[0]


# --- identifiers people hold ---


@dataclass(frozen=True)
class Mailbox:
    local: str
    domain: str
    shared: bool = False
    """A home's mailbox several members use."""

    @property
    def key(self) -> str:
        local = self.local.split("+")[0]
        if self.domain in ("gmail.com", "googlemail.com"):
            return local.replace(".", "") + "@gmail.com"
        return f"{local}@{self.domain}"


PLACEHOLDER_MAILBOXES = (
    "noemail@noemail.com", "none@none.com", "no@email.com", "test@test.com", "na@na.com",
    "declined@brightmart-stores.com", "customer@example.com", "nomail@gmail.com",
)  # fmt: skip
_DOMAIN_TYPOS = {
    "gmail.com": ("gmial.com", "gmail.co", "gmai.com", "gnail.com"),
    "hotmail.com": ("hotmial.com", "hotmail.con"), "yahoo.com": ("yaho.com", "yahooo.com"),
    "outlook.com": ("outlok.com",), "icloud.com": ("iclod.com",),
}  # fmt: skip


def render_mailbox(
    mailbox: Mailbox, rng: random.Random, upper: float, plus: float
) -> tuple[str, set[str]]:
    """The mailbox as typed: case, a plus tag (gmail and outlook deliver it), gmail's dots and
    alias, stray spaces, a typo in the domain."""
    tags: set[str] = set()
    local, domain = mailbox.local, mailbox.domain
    if rng.random() < plus and domain in ("gmail.com", "outlook.com", "icloud.com"):
        local += "+" + rng.choice(("shop", "brightmart", "deals", "orders", "promo"))
        tags.add("email-format")
    if domain == "gmail.com" and rng.random() < 0.05 and len(local) > 3:
        if "." in local:
            local = local.replace(".", "")
        else:
            at = rng.randrange(1, len(local) - 1)
            local = f"{local[:at]}.{local[at:]}"
        tags.add("email-format")
    if domain == "gmail.com" and rng.random() < 0.015:
        domain = "googlemail.com"
        tags.add("email-format")
    if rng.random() < 0.012 and domain in _DOMAIN_TYPOS:
        domain = rng.choice(_DOMAIN_TYPOS[domain])
        tags.add("email-typo")
    elif rng.random() < 0.006:
        mistyped = typo(local, rng)
        if ".." not in mistyped and not mistyped.startswith(".") and not mistyped.endswith("."):
            local = mistyped
            tags.add("email-typo")
    text = f"{local}@{domain}"
    roll = rng.random()
    if roll < upper:
        text = text.upper()
        tags.add("email-format")
    elif roll < upper + 0.08:
        text = "@".join(p[:1].upper() + p[1:] for p in text.split("@"))
        tags.add("email-format")
    if rng.random() < 0.015:
        text = f" {text} "
        tags.add("email-format")
    return text, tags


@dataclass(frozen=True)
class Device:
    kind: str
    """"idfa" (iOS) or "gaid" (Android)."""
    value: str
    since: date


def _uuid(rng: random.Random, upper: bool) -> str:
    h = f"{rng.getrandbits(128):032x}"
    text = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"
    return text.upper() if upper else text


ZERO_AD_ID = "00000000-0000-0000-0000-000000000000"


# --- people and homes ---


@dataclass
class Home:
    country: Country
    store: Store
    addresses: list[tuple[date, Address, Phone | None]]
    """(from, address, landline) in time order."""
    mailbox: Mailbox | None = None
    tablet: Device | None = None
    members: list[Person] = field(default_factory=list)
    kind: str = "single"

    def at(self, day: date) -> tuple[int, Address, Phone | None]:
        index = max(i for i, (since, _, _) in enumerate(self.addresses) if since <= day)
        return index, self.addresses[index][1], self.addresses[index][2]


@dataclass
class Person:
    id: int
    culture: Culture
    sex: str
    given: str
    middle: str
    family: tuple[str, ...]
    birth: date
    home: Home
    role: str
    """"adult", "child", "elder"."""
    nickname: str = ""
    goes_by_nickname: bool = False
    adopted: str = ""
    maiden: tuple[str, ...] = ()
    married_on: date | None = None
    junior: bool = False
    senior: bool = False
    mobiles: list[tuple[date, Phone]] = field(default_factory=list)
    mailboxes: list[tuple[date, Mailbox]] = field(default_factory=list)
    handles: list[tuple[str, str]] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    loyalty: str = ""
    web_account: str = ""
    parent: Person | None = None
    tags: set[str] = field(default_factory=set)
    taste: dict[str, float] = field(default_factory=dict)
    """How much this person uses each source."""

    def family_at(self, day: date) -> tuple[str, ...]:
        if self.maiden and self.married_on and day < self.married_on:
            return self.maiden
        return self.family

    def mobile_at(self, day: date) -> tuple[int, Phone | None]:
        current = [(i, p) for i, (since, p) in enumerate(self.mobiles) if since <= day]
        return current[-1] if current else (-1, None)

    def mailbox_at(self, day: date) -> tuple[int, Mailbox | None]:
        current = [(i, m) for i, (since, m) in enumerate(self.mailboxes) if since <= day]
        return current[-1] if current else (-1, None)

    def age_at(self, day: date) -> int:
        return (
            day.year - self.birth.year - ((day.month, day.day) < (self.birth.month, self.birth.day))
        )


class World:
    """Everything shared while generating: the random source, stores, taken identifiers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.numbers: set[str] = set()
        self.mail_locals: set[str] = set()
        self.handles: set[str] = set()
        self.cards: set[str] = set()
        self.persons: list[Person] = []
        self.homes: list[Home] = []
        self.stores: dict[tuple[str, int], list[Store]] = {}
        for country in COUNTRIES:
            for index, city in enumerate(country.cities):
                stores = []
                for n in range(2):
                    phone = _draw_number(country, rng.choice(city.landline), rng, self.numbers)
                    placeholder = ""
                    if country.code == "US" and rng.random() < 0.35:
                        placeholder = f"({phone.national[:3]}) 555-01{rng.randint(0, 99):02d}"
                    code = f"{country.code}{index}{n + 1:02d}"
                    stores.append(Store(code, country.code, index, phone, placeholder))
                self.stores[(country.code, index)] = stores
        self.common_years: dict[tuple[str, str, str], int] = {}
        self.recycled: set[str] = set()
        """Mobile numbers that went from one person to a stranger."""

    def mobile(self, country: Country) -> Phone:
        plans = country.mobile or tuple(p for city in country.cities for p in city.landline)
        return _draw_number(country, self.rng.choice(plans), self.rng, self.numbers)

    def landline(self, country: Country, city: int) -> Phone:
        plan = self.rng.choice(country.cities[city].landline)
        return _draw_number(country, plan, self.rng, self.numbers)

    def mail_domain(self, country: Country, culture: Culture) -> str:
        if culture.key == "korean" and self.rng.random() < 0.3:
            return "naver.com"
        if culture.key == "chinese" and self.rng.random() < 0.3:
            return self.rng.choice(("qq.com", "163.com"))
        domains = [domain for domain, _ in country.mail_domains]
        return self.rng.choices(domains, [weight for _, weight in country.mail_domains])[0]

    def unique_local(self, base: str, domain: str) -> str:
        """`base`, or with digits after it, so that no one else holds the mailbox (gmail's
        j.smith and jsmith are one)."""
        candidate = base
        while Mailbox(candidate, domain).key in self.mail_locals or len(candidate) < 3:
            candidate = f"{base}{self.rng.randint(1, 99)}"
        self.mail_locals.add(Mailbox(candidate, domain).key)
        return candidate

    def card(self) -> str:
        while True:
            first = "0" if self.rng.random() < 0.3 else str(self.rng.randint(6, 7))
            card = first + "".join(str(self.rng.randint(0, 9)) for _ in range(11))
            if card not in self.cards:
                self.cards.add(card)
                return card


def _mailbox_for(world: World, person: Person) -> Mailbox:
    rng = world.rng
    g, f = _slug(person.given), _slug(person.family[0])
    nick = _slug(person.nickname or person.adopted or person.given)
    yy, yyyy = f"{person.birth.year % 100:02d}", str(person.birth.year)
    styles = (
        f"{g}.{f}", f"{g}{f}", f"{g[:1]}{f}", f"{g}.{f}{yy}", f"{g}_{f}", f"{f}.{g}",
        f"{g}{yyyy}", f"{nick}{f}{yy}", f"{f}{g[:1]}", f"{nick}{rng.randint(1, 999)}",
        rng.choice(("sunny", "bluebird", "tigerlily", "rockstar", "coolcat", "happyfeet",
                    "moonlight", "gamer", "traveler")) + str(rng.randint(1, 99)),
    )  # fmt: skip
    base = rng.choices(styles, (14, 10, 8, 10, 5, 5, 6, 6, 4, 5, 5))[0]
    domain = world.mail_domain(person.home.country, person.culture)
    return Mailbox(world.unique_local(base, domain), domain)


def _handle_for(world: World, person: Person, platform: str) -> str:
    rng = world.rng
    g, f = _slug(person.nickname or person.given), _slug(person.family[0])
    base = rng.choice(
        (f"{g}.{f}", f"{g}_{f}{rng.randint(1, 99)}", f"{g}{f[:1]}", f"its{g}", f"{g}.{f}.official",
         f"{f}{g}", f"the_{g}_{f}", f"{g}{person.birth.year % 100:02d}")
    )  # fmt: skip
    handle = base
    while f"{platform}/{handle}" in world.handles:
        handle = f"{base}{rng.randint(1, 999)}"
    world.handles.add(f"{platform}/{handle}")
    return handle


def _pick_culture(country: Country, rng: random.Random) -> Culture:
    keys, weights = zip(*country.cultures, strict=True)
    return CULTURES[rng.choices(keys, weights)[0]]


def _family_for(culture: Culture, sex: str, rng: random.Random) -> tuple[str, ...]:
    if culture.double_family:
        first, second = rng.sample(culture.family, 2)
        return (first, second)
    family = rng.choice(culture.family)
    return (feminine(family, culture) if sex == "F" else family,)


def _birth(rng: random.Random, first_year: int, last_year: int) -> date:
    return _between(rng, date(first_year, 1, 1), date(last_year, 12, 31))


def new_person(
    world: World,
    home: Home,
    culture: Culture,
    sex: str,
    birth: date,
    role: str,
    family: tuple[str, ...] | None = None,
    given: str | None = None,
    namesake: bool = False,
) -> Person:
    rng = world.rng
    middle = ""
    if namesake and culture.common and given is None:
        entries = [e for e in culture.common if e[0] == sex] or list(culture.common)
        sex, given, middle, common_family = rng.choice(entries)
        family = (common_family,) if not culture.double_family else (common_family, "")
        if culture.double_family:
            family = (common_family, rng.choice(culture.family))
        key = (culture.key, given, common_family)
        year = world.common_years.setdefault(key, rng.randint(1960, 1998))
        if rng.random() < 0.5:
            birth = _birth(rng, year, year)
    if given is None:
        taken = {member.given for member in home.members}
        for _ in range(10):
            given = rng.choice(culture.male if sex == "M" else culture.female)
            if given not in taken:
                break
    assert given is not None
    if not middle and rng.random() < culture.middle_share:
        middle = rng.choice(culture.middle_male if sex == "M" else culture.middle_female) or ""
        if middle == given:
            middle = ""
    person = Person(
        id=len(world.persons),
        culture=culture,
        sex=sex,
        given=given,
        middle=middle,
        family=family or _family_for(culture, sex, rng),
        birth=birth,
        home=home,
        role=role,
    )
    if given in culture.nicknames:
        person.nickname = rng.choice(culture.nicknames[given])
        person.goes_by_nickname = rng.random() < 0.45
    adopted = culture.adopted_male if sex == "M" else culture.adopted_female
    if adopted and rng.random() < culture.adopted_share:
        person.adopted = rng.choice(adopted)
    world.persons.append(person)
    home.members.append(person)
    return person


def _new_home(world: World, kind: str) -> Home:
    rng = world.rng
    country = rng.choices(COUNTRIES, [c.weight for c in COUNTRIES])[0]
    address = new_address(country, rng)
    store = rng.choice(world.stores[(country.code, address.city)])
    home = Home(country, store, [(START, address, None)], kind=kind)
    world.homes.append(home)
    return home


def make_home(world: World, room: int) -> None:
    """One home of people, at most `room` of them."""
    rng = world.rng
    kinds = ("single", "couple", "family", "single-parent", "three-generations", "roommates",
             "twins")  # fmt: skip
    kind = rng.choices(kinds, (100, 14, 13, 4, 3, 2, 3.5))[0]
    home = _new_home(world, kind)
    culture = _pick_culture(home.country, rng)
    namesake = rng.random() < 0.06
    if kind == "single" or room < 6:  # a family could overshoot `room`
        sex = rng.choice("FM")
        new_person(world, home, culture, sex, _birth(rng, 1945, 2003), "adult", namesake=namesake)
    elif kind == "roommates":
        for _ in range(min(room, rng.choice((2, 2, 3)))):
            mate = _pick_culture(home.country, rng)
            new_person(world, home, mate, rng.choice("FM"), _birth(rng, 1990, 2003), "adult")
    else:
        _make_family(world, home, culture, kind, room, namesake)
    _furnish_home(world, home)


def _make_family(
    world: World, home: Home, culture: Culture, kind: str, room: int, namesake: bool
) -> None:
    rng = world.rng
    born = _birth(rng, 1948, 1992)
    parents: list[Person] = []
    if kind != "single-parent" or rng.random() < 0.3:
        parents.append(new_person(world, home, culture, "M", born, "adult", namesake=namesake))
    if kind != "single-parent" or not parents:
        husband = parents[0] if parents else None
        wife_culture = culture if rng.random() < 0.88 else _pick_culture(home.country, rng)
        wife_born = born + timedelta(days=rng.randint(-6 * 365, 4 * 365))
        keeps = husband is None or wife_culture is not culture
        keeps = keeps or rng.random() < wife_culture.wife_keeps_name
        family = None
        if husband is not None and not keeps:
            family = tuple(feminine(f, wife_culture) for f in husband.family[:1])
        wife = new_person(world, home, wife_culture, "F", wife_born, "adult", family=family)
        if husband is not None and keeps and _slug(wife.family[0]) != _slug(husband.family[0]):
            husband.tags.add("spouse-diff-name")
            wife.tags.add("spouse-diff-name")
        elif husband is not None and not keeps and rng.random() < 0.3:
            wife.maiden = _family_for(wife_culture, "F", rng)
            wife.married_on = _between(rng, START + timedelta(days=60), END - timedelta(days=200))
        parents.append(wife)
    if kind == "couple":
        return
    father = next((p for p in parents if p.sex == "M"), None)
    mother = next((p for p in parents if p.sex == "F"), None)
    oldest = max(p.birth for p in parents)
    first_child = max(oldest.year + 22, 1990)
    if first_child > 2008:
        return
    if kind == "twins":
        _make_twins(world, home, parents, first_child)
    else:
        for n in range(rng.choice((1, 1, 2, 2, 3))):
            if len(home.members) >= room:
                break
            sex = rng.choice("FM")
            given = None
            if (
                n == 0 and sex == "M" and father is not None and rng.random() < 0.25
                and culture.key in ("english", "spanish", "arabic")
            ):  # fmt: skip
                given = father.given
            born = _birth(rng, first_child, min(2008, first_child + 8))
            child = new_person(
                world, home, culture, sex, born, "child", _child_family(culture, sex, father,
                mother), given=given)  # fmt: skip
            child.parent = rng.choice(parents)
            if given is not None and father is not None:
                child.junior = father.senior = True
                child.tags.add("junior")
                father.tags.add("junior")
    if kind == "three-generations" and len(home.members) < room:
        elder_born = _birth(rng, 1928, min(1950, oldest.year - 20))
        side = rng.choice(parents)
        sex = rng.choice("FM")
        family = side.maiden or side.family if side.sex == "F" else side.family
        if sex == "F" and rng.random() < side.culture.wife_keeps_name:
            family = None  # a grandmother who kept her own name
        elif side.culture.gendered_family:
            family = tuple(feminine(f, side.culture) if sex == "F" else f for f in family)
        new_person(world, home, side.culture, sex, elder_born, "elder", family=family)


def _child_family(
    culture: Culture, sex: str, father: Person | None, mother: Person | None
) -> tuple[str, ...] | None:
    if culture.double_family and father is not None and mother is not None:
        return (father.family[0], (mother.maiden or mother.family)[0])
    parent = father or mother
    if parent is None:
        return None
    root = parent.family
    if culture.gendered_family:
        base = root[0]
        for female, male in (("ska", "ski"), ("cka", "cki"), ("dzka", "dzki")):
            if base.endswith(female):
                base = base[: -len(female)] + male
        if culture.key == "russian" and base.endswith(("ova", "eva", "ina", "yna")):
            base = base[:-1]
        return (feminine(base, culture) if sex == "F" else base,)
    return root


def _make_twins(world: World, home: Home, parents: list[Person], first_child: int) -> None:
    rng = world.rng
    culture = parents[0].culture
    father = next((p for p in parents if p.sex == "M"), None)
    mother = next((p for p in parents if p.sex == "F"), None)
    born = _birth(rng, first_child, min(2006, first_child + 10))
    similar = bool(culture.twin_names) and rng.random() < 0.6
    if similar:
        sex_a, name_a, sex_b, name_b = rng.choice(culture.twin_names)
    else:
        sex_a, sex_b = rng.choice("FM"), rng.choice("FM")
        pool_a = culture.male if sex_a == "M" else culture.female
        name_a = rng.choice(pool_a)
        pool_b = [n for n in (culture.male if sex_b == "M" else culture.female) if n != name_a]
        name_b = rng.choice(pool_b)
    twins = []
    for sex, name in ((sex_a, name_a), (sex_b, name_b)):
        family = _child_family(culture, sex, father, mother)
        twin = new_person(world, home, culture, sex, born, "child", family, given=name)
        twin.parent = rng.choice(parents)
        twin.tags.add("twin")
        if similar:
            twin.tags.add("similar-twin-names")
        twins.append(twin)


def _furnish_home(world: World, home: Home) -> None:
    """The home's landline, mailbox, tablet and moves; each member's own identifiers."""
    rng = world.rng
    country = home.country
    several = len(home.members) > 1
    _, address, _ = home.at(START)
    has_elder = any(p.role == "elder" for p in home.members)
    landline_share = 0.15 if home.kind in ("single", "roommates") else 0.5
    if has_elder:
        landline_share = 0.85
    landline = world.landline(country, address.city) if rng.random() < landline_share else None
    home.addresses[0] = (START, address, landline)
    if rng.random() < 0.11:
        moved_on = _between(rng, date(2021, 9, 1), date(2024, 1, 31))
        city = address.city if rng.random() < 0.8 else None
        new = new_address(country, rng, city)
        new_line = landline
        if landline is not None and (new.city != address.city or rng.random() < 0.5):
            new_line = world.landline(country, new.city)
        home.addresses.append((moved_on, new, new_line))
        if new.city != address.city:
            home.store = rng.choice(world.stores[(country.code, new.city)])
    adults = [p for p in home.members if p.role == "adult"]
    if several and home.kind != "roommates" and rng.random() < 0.3:
        home.mailbox = _family_mailbox(world, home, adults)
    if several and any(p.role == "child" for p in home.members) and rng.random() < 0.25:
        home.tablet = Device("idfa", _uuid(rng, True), START)
    for person in home.members:
        _furnish_person(world, person)
        if several:
            person.tags.add("in-household")
        if home.kind == "roommates" and several:
            person.tags.add("roommates")


def _family_mailbox(world: World, home: Home, adults: list[Person]) -> Mailbox:
    rng = world.rng
    f = _slug(adults[0].family[0])
    style = rng.choices(("family", "couple", "personal"), (40, 30, 30))[0]
    if style == "family":
        base = rng.choice(
            (f"the{f}family", f"{f}family", f"{f}.family", f"the{f}s", f"{f}home", f"{f}house")
        )
    elif style == "couple" and len(adults) > 1:
        a, b = (_slug(p.nickname or p.given) for p in adults[:2])
        base = rng.choice((f"{a}and{b}", f"{a}.{b}", f"{a}{b}{f}"))
    else:
        owner = adults[0]
        base = f"{_slug(owner.given)[:1]}{_slug(owner.middle)[:1]}{f}{owner.birth.year}"
    domain = world.mail_domain(home.country, adults[0].culture)
    return Mailbox(world.unique_local(base, domain), domain, shared=True)


def _furnish_person(world: World, person: Person) -> None:
    rng = world.rng
    country = person.home.country
    age = person.age_at(date(2023, 1, 1))
    if (person.role != "elder" or rng.random() < 0.6) and (age >= 15 or rng.random() < 0.5):
        since = START if age >= 17 else _years_after(person.birth, 15)
        person.mobiles.append((since, world.mobile(country)))
        if rng.random() < 0.05:
            changed = _between(rng, date(2021, 6, 1), date(2024, 2, 1))
            if changed > since:
                person.mobiles.append((changed, world.mobile(country)))
    if rng.random() < (0.9 if person.role != "elder" else 0.5) and age >= 13:
        person.mailboxes.append((START, _mailbox_for(world, person)))
        if rng.random() < 0.08:
            changed = _between(rng, date(2021, 6, 1), date(2024, 2, 1))
            person.mailboxes.append((changed, _mailbox_for(world, person)))
    if age < 55 and rng.random() < 0.55:
        platforms = rng.sample(("instagram", "facebook", "tiktok", "x"), rng.choice((1, 1, 2)))
        person.handles = [(p, _handle_for(world, person, p)) for p in platforms]
    if person.role != "elder" and rng.random() < 0.4:
        kind = "idfa" if rng.random() < 0.55 else "gaid"
        limits = rng.random() < (0.3 if kind == "idfa" else 0.05)
        first = ZERO_AD_ID if limits else _uuid(rng, kind == "idfa")
        person.devices.append(Device(kind, first, START))
        if rng.random() < 0.25:
            since = _between(rng, date(2021, 6, 1), date(2024, 1, 1))
            person.devices.append(Device(kind, ZERO_AD_ID if limits else _uuid(rng, True), since))
    if rng.random() < 0.6:
        person.loyalty = world.card()
    if person.mailboxes and rng.random() < 0.5:
        person.web_account = f"W{len(world.cards) * 7919 % 10_000_000:07d}{person.id % 10}"
    digital = rng.random()
    person.taste = {
        "crm": 1.0,
        "pos": 1.0 + 3 * (1 - digital),
        "web": 1.0 + 2 * digital,
        "web-guest": 0.4 + digital,
        "app": 0.8 + digital,
        "callcenter": 0.8 if person.role != "child" else 0.1,
        "ivr": 0.4 if person.role != "child" else 0.05,
        "social": 0.4 + digital,
        "newsletter": 0.6,
    }


def recycle_phones(world: World, share: float) -> None:
    """Some mobiles go back to the carrier and on to a stranger: the first holder's records
    before the change and the second's after carry the same number."""
    rng = world.rng
    holders = [p for p in world.persons if p.role == "adult" and len(p.mobiles) == 1]
    rng.shuffle(holders)
    for _ in range(int(len(world.persons) * share)):
        if len(holders) < 2:
            break
        first, second = holders.pop(), holders.pop()
        if first.home is second.home:
            continue
        handed_on = _between(rng, date(2022, 1, 1), date(2023, 9, 1))
        number = first.mobiles[0][1]
        first.mobiles.append((handed_on, world.mobile(first.home.country)))
        second.mobiles.append((handed_on + timedelta(days=60), number))
        if number.country != second.home.country.code:
            second.mobiles.pop()
            continue
        world.recycled.add(number.key)


# --- records ---


@dataclass(frozen=True)
class NameStyle:
    structured: float
    upper: float
    ascii: float
    typo: float
    nickname: float
    """For people who go by their nickname; others use it a tenth as often."""
    comma: float
    initial: float
    middle: float
    spelling: float
    given_only: float = 0.0


STYLES: Mapping[str, NameStyle] = {
    "crm": NameStyle(1.0, 0.08, 0.25, 0.02, 0.2, 0.0, 0.0, 0.45, 0.05),
    "pos": NameStyle(0.4, 0.5, 0.7, 0.04, 0.6, 0.14, 0.06, 0.12, 0.15),
    "web": NameStyle(0.95, 0.03, 0.12, 0.01, 0.15, 0.0, 0.01, 0.2, 0.05),
    "web-guest": NameStyle(0.85, 0.05, 0.15, 0.015, 0.3, 0.02, 0.02, 0.15, 0.05),
    "app": NameStyle(0.8, 0.02, 0.1, 0.01, 0.4, 0.0, 0.02, 0.05, 0.05, 0.3),
    "callcenter": NameStyle(0.1, 0.12, 0.5, 0.07, 0.4, 0.25, 0.03, 0.1, 0.35),
    "social": NameStyle(0.0, 0.02, 0.3, 0.0, 0.7, 0.0, 0.0, 0.05, 0.1, 0.3),
    "newsletter": NameStyle(1.0, 0.02, 0.1, 0.01, 0.3, 0.0, 0.0, 0.0, 0.05, 0.8),
    "warranty": NameStyle(0.9, 0.2, 0.3, 0.03, 0.1, 0.05, 0.03, 0.3, 0.05),
}


class RecordBuilder:
    """One record of `person` seen by `source` on `day`: what it carries and its tags."""

    def __init__(
        self, world: World, person: Person, source: str, day: date, record_id: str
    ) -> None:
        rng = self.rng = world.rng
        self.recycled = world.recycled
        self.person = person
        self.day = day
        self.source = source
        self.kind = "pos" if source.startswith("pos-") else source
        self.request = identity_service_pb2.ResolveRequest(source=source, record_id=record_id)
        seconds = rng.randrange(8 * 3600, 21 * 3600)
        when = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)
        self.request.observed_at.FromDatetime(when)
        self.tags: set[str] = set()
        self.keys: list[str] = []
        """What each identifier truly is, whatever its writing: for the no-shared-id tag."""

    # identifiers

    def add(self, kind: int, value: str, key: str, namespace: str = "") -> None:
        self.request.identifiers.append(
            common_pb2.Identifier(
                kind=kind,  # type: ignore[arg-type]
                namespace=namespace,
                value=value,
            )
        )
        self.keys.append(key)

    def phone(self, phone: Phone, typed_in: str, caller_id: bool = False) -> None:
        rng = self.rng
        if caller_id:
            text = phone.key if rng.random() < 0.7 or phone.country != "US" else phone.key[1:]
            unusual = False
        else:
            text, unusual = format_phone(phone, rng, typed_in)
        key = phone.key
        if not caller_id and rng.random() < 0.008:
            digits = list(phone.national)
            i = rng.randrange(len(phone.groups) and 3, len(digits) - 1)
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            wrong = Phone(phone.country, phone.calling, "".join(digits), phone.groups)
            if digits != list(phone.national) and _valid(wrong):
                text, _ = format_phone(wrong, rng, typed_in)
                key = wrong.key
                self.tags.add("phone-typo")
        if unusual:
            self.tags.add("phone-format")
        self.add(common_pb2.IDENTIFIER_KIND_PHONE, text, key)

    def own_phone(self, typed_in: str, landline_share: float, caller_id: bool = False) -> bool:
        """The person's mobile, or the home's landline, or for a young child a parent's mobile."""
        person, rng = self.person, self.rng
        index, mobile = person.mobile_at(self.day)
        _, _, landline = person.home.at(self.day)
        if landline is not None and (mobile is None or rng.random() < landline_share):
            self.phone(landline, typed_in, caller_id)
            if len(person.home.members) > 1:
                self.tags.add("landline")
            return True
        if mobile is None and person.parent is not None:
            _, mobile = person.parent.mobile_at(self.day)
            if mobile is not None:
                self.tags.add("parent-contact")
                self.phone(mobile, typed_in, caller_id)
                return True
            return False
        if mobile is None:
            return False
        if mobile.key in self.recycled:
            self.tags.add("recycled-phone")
        elif index > 0:
            self.tags.add("phone-change")
        self.phone(mobile, typed_in, caller_id)
        return True

    def email(self, upper: float = 0.02, plus: float = 0.0, family_share: float = 0.4) -> bool:
        person, rng = self.person, self.rng
        index, mailbox = person.mailbox_at(self.day)
        shared = person.home.mailbox
        if shared is not None and person.role != "elder" and (
            mailbox is None or rng.random() < family_share
        ):  # fmt: skip
            mailbox = shared
            self.tags.add("family-mailbox")
        elif mailbox is None and person.parent is not None:
            _, mailbox = person.parent.mailbox_at(self.day)
            if mailbox is None:
                return False
            self.tags.add("parent-contact")
        elif mailbox is None:
            return False
        elif index > 0:
            self.tags.add("email-change")
        text, tags = render_mailbox(mailbox, rng, upper, plus)
        self.tags |= tags
        key = mailbox.key if "email-typo" not in tags else f"typo:{text.strip().lower()}"
        self.add(common_pb2.IDENTIFIER_KIND_EMAIL, text, key)
        return True

    def placeholder_email(self) -> None:
        self.tags.add("placeholder-email")
        text = self.rng.choice(PLACEHOLDER_MAILBOXES)
        self.add(common_pb2.IDENTIFIER_KIND_EMAIL, text, f"placeholder:{text}")

    def loyalty(self, typed: bool) -> bool:
        card = self.person.loyalty
        if not card:
            return False
        rng = self.rng
        text = card
        if typed and rng.random() < 0.5:
            sep = rng.choice((" ", "-"))
            text = sep.join((card[:4], card[4:8], card[8:]))
        if card.startswith("0") and self.kind == "crm" and rng.random() < 0.25:
            text = card.lstrip("0")
            self.tags.add("loyalty-format")
        key = f"card:{card}" if text.replace(" ", "").replace("-", "") == card else f"card:{text}"
        self.add(common_pb2.IDENTIFIER_KIND_LOYALTY_ID, text, key, "brightrewards")
        return True

    def device(self, device: Device) -> None:
        rng = self.rng
        text = device.value
        if device.value == ZERO_AD_ID:
            self.tags.add("placeholder-device")
        else:
            roll = rng.random()
            if roll < 0.1:
                text = text.swapcase()
                self.tags.add("device-format")
            elif roll < 0.13:
                text = text.replace("-", "")
                self.tags.add("device-format")
        key = f"device:{device.value.lower()}" if device.value != ZERO_AD_ID else "placeholder:ad"
        self.add(common_pb2.IDENTIFIER_KIND_DEVICE_ID, text, key, device.kind)

    def handle(self, platform: str, handle: str) -> None:
        rng = self.rng
        roll = rng.random()
        text = handle
        if roll < 0.15:
            text = "@" + handle
            self.tags.add("handle-format")
        elif roll < 0.19:
            text = f"https://www.{platform}.com/{handle}"
            self.tags.add("handle-format")
        if rng.random() < 0.1:
            text = text.replace(handle, handle.capitalize())
        self.add(common_pb2.IDENTIFIER_KIND_SOCIAL_HANDLE, text, f"{platform}/{handle}", platform)

    # attributes

    def birth(self, share: float, swap: float) -> None:
        rng = self.rng
        if rng.random() >= share:
            return
        born = self.person.birth
        roll = rng.random()
        if roll < 0.008:
            self.request.attributes.birth_date = "1900-01-01"
            self.tags.add("date-placeholder")
            return
        if roll < 0.008 + swap and born.day <= 12 and born.day != born.month:
            born = born.replace(month=born.day, day=born.month)
            self.tags.add("date-swap")
        elif roll > 1 - 0.012:
            shifted = born.replace(year=born.year + rng.choice((-1, 1, -10, 10)))
            if born.day < 28 and rng.random() < 0.5:
                shifted = born.replace(day=born.day + 1 if born.day % 10 != 9 else born.day - 1)
            born = shifted
            self.tags.add("date-typo")
        self.request.attributes.birth_date = born.isoformat()

    def address(self, share: float, ascii_only: bool, upper: bool) -> None:
        if self.rng.random() >= share:
            return
        index, address, _ = self.person.home.at(self.day)
        if index > 0:
            self.tags.add("moved")
        self.request.attributes.address.CopyFrom(
            render_address(address, self.rng, ascii_only, upper)
        )

    def name(self, style: NameStyle) -> tuple[bool, bool]:
        """Writes the person's name as `style` does; (ascii only, upper case) for the rest."""
        fields, tags, ascii_only, upper = render_name(self.person, self.day, style, self.rng)
        self.tags |= tags
        given, family, full = fields
        attributes = self.request.attributes
        attributes.given_name, attributes.family_name, attributes.full_name = given, family, full
        return ascii_only, upper

    def has_name(self) -> bool:
        a = self.request.attributes
        return bool(a.given_name or a.family_name or a.full_name)

    def finish(self) -> tuple[identity_service_pb2.ResolveRequest, set[str], list[str]]:
        if self.has_name() and not self.request.attributes.birth_date:
            self.tags.add("no-birth-date")
        if not self.request.identifiers:
            self.tags.add("no-identifiers")
        return self.request, self.tags, self.keys


def _spell(name: str, culture: Culture, rng: random.Random, share: float) -> tuple[str, bool]:
    if name in culture.spellings and rng.random() < share:
        return rng.choice(culture.spellings[name]), True
    return name, False


def _respace(given: str, rng: random.Random) -> str:
    """Min-jun as Minjun, Min Jun or Min-Jun; Xiaoming as Xiao Ming; Jean-Pierre as Jean Pierre."""
    if "-" in given:
        a, b = given.split("-", 1)
        return rng.choice((a + b.lower(), f"{a} {b.capitalize()}", f"{a}-{b.capitalize()}"))
    for split in range(2, len(given) - 1):
        head, tail = given[:split], given[split:]
        if head in ("Xiao", "Jian", "Guo", "Li", "Meng", "Zi", "Yi", "Hao", "Yu", "Zhi", "Jia"):
            return rng.choice((f"{head} {tail.capitalize()}", f"{head}-{tail.capitalize()}"))
    return given


def render_name(
    person: Person, day: date, style: NameStyle, rng: random.Random
) -> tuple[tuple[str, str, str], set[str], bool, bool]:
    """(given_name, family_name, full_name), the hard cases used, ascii only, upper case."""
    culture = person.culture
    tags: set[str] = set()
    family_parts = list(person.family_at(day))
    if person.maiden and family_parts == list(person.maiden):
        tags.add("maiden-name")
    elif person.maiden and rng.random() < 0.1:
        family_parts = list(person.maiden)
        tags.add("maiden-name")
    given = person.given
    informal = style.nickname >= 0.3
    if person.adopted and rng.random() < (0.55 if informal else 0.25):
        given = person.adopted
        tags.add("adopted-name")
    elif person.nickname and rng.random() < (
        style.nickname if person.goes_by_nickname else style.nickname / 10
    ):
        given = person.nickname
        tags.add("nickname")
    given, respelled = _spell(given, culture, rng, style.spelling)
    for i, part in enumerate(family_parts):
        family_parts[i], changed = _spell(part, culture, rng, style.spelling)
        respelled |= changed
    if respelled:
        tags.add("translit")
    if ("-" in given or culture.key == "chinese") and rng.random() < 0.35:
        spaced = _respace(given, rng)
        if spaced != given:
            given = spaced
            tags.add("hyphen-space")
    # family name
    if culture.double_family and len(family_parts) == 2 and family_parts[1]:
        roll = rng.random()
        if roll < 0.35:
            family_parts = family_parts[:1]
            tags.add("compound-family")
        elif roll < 0.45:
            family_parts = ["-".join(family_parts)]
            tags.add("compound-family")
    family_parts = [p for p in family_parts if p]
    family = " ".join(family_parts)
    if culture.gendered_family and person.sex == "F" and rng.random() < 0.06:
        masculine = family
        for female, male in (("ska", "ski"), ("cka", "cki"), ("dzka", "dzki")):
            if family.endswith(female):
                masculine = family[: -len(female)] + male
        if culture.key == "russian" and family.endswith(("ova", "eva", "ina")):
            masculine = family[:-1]
        if masculine != family:
            family = masculine
            tags.add("gendered-surname")
    if "'" in family and rng.random() < 0.35:
        family = family.replace("'", rng.choice(("", " ")))
        tags.add("punctuation")
    suffix = ""
    if person.junior and rng.random() < 0.3:
        suffix = rng.choice((" Jr.", " Jr", " JR", " II"))
    elif person.senior and rng.random() < 0.08:
        suffix = " Sr."
    # middle name
    middle = ""
    vietnamese = culture.key == "vietnamese"
    if person.middle and given == person.given and rng.random() < style.middle:
        middle = person.middle
        if not vietnamese and rng.random() < 0.4:
            middle = middle[0] + "."
        tags.add("middle-name")
    if culture.key in FIRST_NAME_INITIAL_CULTURES and rng.random() < style.initial:
        given = given[0] + rng.choice((".", ""))
        tags.add("initial")
    if rng.random() < style.typo:
        if rng.random() < 0.5 and len(family) >= 4:
            family = typo(family, rng)
        else:
            given = typo(given, rng)
        tags.add("typo")
    ascii_only = rng.random() < style.ascii
    upper = rng.random() < style.upper
    # layout
    structured = rng.random() < style.structured
    east_asian = culture.key in ("chinese", "korean", "vietnamese")
    given_only = rng.random() < style.given_only
    chars = (
        culture.key == "chinese"
        and person.family[0] in CHINESE_CHARACTERS
        and person.given in CHINESE_CHARACTERS
        and rng.random() < 0.04
        and given == person.given
    )
    out: tuple[str, str, str]
    if chars:
        out = ("", "", CHINESE_CHARACTERS[person.family[0]] + CHINESE_CHARACTERS[person.given])
        tags.add("native-script")
        ascii_only = upper = False
    elif given_only:
        out = (given, "", "")
        tags.add("given-only")
    elif structured:
        given_field = f"{given} {middle}".strip() if middle else given
        if east_asian and rng.random() < 0.06:
            out = (family, given_field, "")
            tags.add("swapped-fields")
        else:
            out = (given_field, family + suffix, "")
    else:
        roll = rng.random()
        if east_asian and roll < culture.family_first:
            if culture.key == "chinese" and rng.random() < 0.3:
                family = family.upper()
            out = ("", "", " ".join(p for p in (family, middle, given) if p))
            tags.add("family-first")
        elif roll < style.comma:
            out = ("", "", f"{family}{suffix}, " + " ".join(p for p in (given, middle) if p))
            tags.add("comma-order")
        elif style.comma and roll < style.comma + 0.04:
            out = ("", "", " ".join(p for p in (family, given, middle) if p))
            tags.add("family-first")
        else:
            out = ("", "", " ".join(p for p in (given, middle, family) if p) + suffix)
    if ascii_only:
        german = culture.key == "german" and rng.random() < 0.4
        folded = tuple((s.translate(_GERMAN) if german else ascii_fold(s)) for s in out)
        if folded != out:
            tags.add("translit" if german else "diacritics")
        out = (folded[0], folded[1], folded[2])
    if upper:
        out = (out[0].upper(), out[1].upper(), out[2].upper())
        if any(out):
            tags.add("upper-case")
    return out, tags, ascii_only, upper


# --- each source's records ---


def _pos(b: RecordBuilder, store: Store) -> None:
    rng = b.rng
    ascii_only, upper = True, True
    if rng.random() < 0.015:
        b.request.attributes.full_name = rng.choice(GUEST_NAMES)
        b.tags.add("guest-name")
    else:
        ascii_only, upper = b.name(STYLES["pos"])
    roll = rng.random()
    if roll < 0.14:
        b.add(common_pb2.IDENTIFIER_KIND_PHONE, store.walk_in_phone(rng), f"store:{store.code}")
        b.tags.add("walk-in")
        if store.placeholder:
            b.tags.add("placeholder-phone")
    elif roll < 0.75:
        b.own_phone(store.country, landline_share=0.3)
    if rng.random() < 0.5:
        b.loyalty(typed=False)
    roll = rng.random()
    if roll < 0.04:
        b.placeholder_email()
    elif roll < 0.32:
        b.email(upper=0.35)
    b.birth(0.06, 0.05)
    b.address(0.15, ascii_only, upper)
    bare = not b.request.identifiers and not b.request.attributes.birth_date
    if bare and not b.own_phone(store.country, landline_share=0.3):
        b.add(common_pb2.IDENTIFIER_KIND_PHONE, store.walk_in_phone(rng), f"store:{store.code}")
        b.tags.add("walk-in")


def _crm(b: RecordBuilder) -> None:
    rng = b.rng
    ascii_only, upper = b.name(STYLES["crm"])
    b.loyalty(typed=True)
    b.birth(0.8, 0.05)
    b.address(0.85, ascii_only, upper)
    if rng.random() < 0.85:
        b.own_phone(b.person.home.country.code, landline_share=0.25)
    if rng.random() < 0.8:
        b.email(upper=0.01, plus=0.02)


def _web(b: RecordBuilder, guest: bool) -> None:
    rng = b.rng
    person = b.person
    if not guest:
        account = person.web_account
        b.add(common_pb2.IDENTIFIER_KIND_EXTERNAL_ID, account, f"web:{account}", "webshop")
    if guest and rng.random() < 0.01:
        b.placeholder_email()
    else:
        b.email(upper=0.01, plus=0.08 if guest else 0.05, family_share=0.25)
    ascii_only, upper = b.name(STYLES["web-guest" if guest else "web"])
    b.address(0.95 if guest else 0.85, ascii_only, upper)
    if rng.random() < (0.7 if guest else 0.6):
        b.own_phone(person.home.country.code, landline_share=0.15)
    if not guest:
        b.birth(0.25, 0.02)


def _app(b: RecordBuilder, device: Device) -> None:
    rng = b.rng
    b.device(device)
    if rng.random() < 0.75:
        b.email(upper=0.0, plus=0.03, family_share=0.3)
    if rng.random() < 0.5:
        b.loyalty(typed=False)
    if rng.random() < 0.5:
        b.name(STYLES["app"])
    b.birth(0.3, 0.02)


def _callcenter(b: RecordBuilder) -> None:
    rng = b.rng
    country = b.person.home.country.code
    if rng.random() < 0.9:
        b.own_phone(country, landline_share=0.35, caller_id=True)
    ascii_only, upper = b.name(STYLES["callcenter"])
    b.birth(0.45, 0.1)
    if rng.random() < 0.25:
        b.email(upper=0.05)
    b.address(0.25, ascii_only, upper)
    if rng.random() < 0.15:
        b.loyalty(typed=True)
    if not b.request.identifiers:
        b.own_phone(country, landline_share=0.35, caller_id=True)


def _ivr(b: RecordBuilder) -> None:
    b.own_phone(b.person.home.country.code, landline_share=0.45, caller_id=True)
    if "landline" in b.tags:
        b.tags.add("nameless-call")


def _social(b: RecordBuilder, platform: str, handle: str) -> None:
    rng = b.rng
    person = b.person
    b.handle(platform, handle)
    roll = rng.random()
    if roll < 0.45:
        b.name(STYLES["social"])
    elif roll < 0.75:
        given = person.nickname if person.goes_by_nickname else person.given
        family = person.family[0]
        decoration = rng.choice(SOCIAL_DECORATIONS)
        display = rng.choice(
            (f"{given} {family[0]}.", f"{given}{decoration}", f"{given.lower()}_{_slug(family)}",
             f"{given} {family}{decoration}")
        )  # fmt: skip
        b.request.attributes.full_name = display.strip()
        b.tags.add("display-name")
        if given != person.given:
            b.tags.add("nickname")
    if rng.random() < 0.2:
        b.email(upper=0.0)


def _newsletter(b: RecordBuilder) -> None:
    rng = b.rng
    b.email(upper=0.02, plus=0.1, family_share=0.2)
    if rng.random() < 0.5:
        b.name(STYLES["newsletter"])
    if b.person.web_account and rng.random() < 0.25:
        account = b.person.web_account
        b.add(common_pb2.IDENTIFIER_KIND_EXTERNAL_ID, account, f"web:{account}", "webshop")


def _warranty(b: RecordBuilder) -> None:
    ascii_only, upper = b.name(STYLES["warranty"])
    b.birth(0.7, 0.04)
    b.address(1.0, ascii_only, upper)


_RECORD_COUNTS = (30, 22, 15, 10, 7, 5, 3, 2, 2, 1, 1, 1)
"""Weights of 1, 2, ... 12 records per person: most are seen once or twice, a few often."""


def _available(person: Person, source: str, used: Counter[str]) -> bool:
    home = person.home
    phone = bool(person.mobiles) or any(line for _, _, line in home.addresses)
    mailbox = bool(person.mailboxes) or home.mailbox is not None
    devices = len(person.devices) + (home.tablet is not None)
    return {
        "crm": bool(person.loyalty) and not used["crm"],
        "pos": True,
        "web": bool(person.web_account) and not used["web"],
        "web-guest": mailbox,
        "app": used["app"] < devices,
        "callcenter": phone and person.role != "child",
        "ivr": phone,
        "social": used["social"] < len(person.handles),
        "newsletter": bool(person.mailboxes) and not used["newsletter"],
    }[source]


def person_records(
    world: World, person: Person, counters: Counter[str]
) -> list[tuple[identity_service_pb2.ResolveRequest, set[str], list[str]]]:
    rng = world.rng
    first = START
    if person.role == "child":
        first = max(START, _years_after(person.birth, 13))
    if first >= END - timedelta(days=30):
        first = END - timedelta(days=30)
    used: Counter[str] = Counter()
    out = []
    wanted = rng.choices(range(1, len(_RECORD_COUNTS) + 1), _RECORD_COUNTS)[0]
    sources = [s for s in person.taste if s]
    for _ in range(wanted):
        weights = [person.taste[s] if _available(person, s, used) else 0.0 for s in sources]
        source = rng.choices(sources, weights)[0]
        used[source] += 1
        out.append(_one_record(world, person, source, _between(rng, first, END), used, counters))
    if rng.random() < 0.06:
        out.append(
            _one_record(world, person, "warranty", _between(rng, first, END), used, counters)
        )
    return out


def _one_record(
    world: World,
    person: Person,
    source: str,
    day: date,
    used: Counter[str],
    counters: Counter[str],
) -> tuple[identity_service_pb2.ResolveRequest, set[str], list[str]]:
    rng = world.rng
    home = person.home
    store = home.store if rng.random() < 0.85 else rng.choice(
        [s for stores in world.stores.values() for s in stores if s.country == home.country.code]
    )  # fmt: skip
    name = f"pos-{store.country.lower()}" if source == "pos" else source
    counters[name] += 1
    if source == "pos":
        record_id = f"{store.code}-{day:%Y%m%d}-{counters[name]:05d}"
    else:
        record_id = f"{source[:3].upper()}{counters[name]:07d}"
    if source == "app":
        devices = [*person.devices, *([home.tablet] if home.tablet else [])]
        device = devices[(used["app"] - 1) % len(devices)]
        day = max(day, device.since)
    b = RecordBuilder(world, person, name, day, record_id)
    if source == "pos":
        _pos(b, store)
    elif source == "crm":
        _crm(b)
    elif source in ("web", "web-guest"):
        _web(b, guest=source == "web-guest")
    elif source == "app":
        _app(b, device)
        if device is home.tablet:
            b.tags.add("shared-device")
    elif source == "callcenter":
        _callcenter(b)
    elif source == "ivr":
        _ivr(b)
    elif source == "social":
        platform, handle = person.handles[used["social"] - 1]
        _social(b, platform, handle)
    elif source == "newsletter":
        _newsletter(b)
    else:
        _warranty(b)
    request, tags, keys = b.finish()
    return request, tags | (person.tags & set(TAGS)), keys


# --- the data set ---


def _name_key(person: Person) -> tuple[str, str]:
    return _slug(person.given), _slug(person.family[0])


def _tag_namesakes(persons: Sequence[Person]) -> dict[int, set[str]]:
    by_name: defaultdict[tuple[str, str], list[Person]] = defaultdict(list)
    for person in persons:
        by_name[_name_key(person)].append(person)
    tags: dict[int, set[str]] = defaultdict(set)
    for same in by_name.values():
        if len(same) < 2:
            continue
        years = Counter(p.birth.year for p in same)
        for person in same:
            if any(p.home is not person.home for p in same):
                tags[person.id].add("namesake")
                if years[person.birth.year] > 1:
                    tags[person.id].add("namesake-same-year")
    return tags


def _no_shared_id(persons: Sequence[int], keys: Sequence[list[str]]) -> list[bool]:
    """Records none of whose own identifiers (held by their person alone) any other record of
    the person carries: only attributes can link them."""
    holders: defaultdict[str, set[int]] = defaultdict(set)
    for person, record_keys in zip(persons, keys, strict=True):
        for key in record_keys:
            holders[key].add(person)
    count: Counter[tuple[int, str]] = Counter()
    records_of: Counter[int] = Counter(persons)
    own = [
        {k for k in record_keys if len(holders[k]) == 1 and not k.startswith(("store:",
         "placeholder:"))}
        for record_keys in keys
    ]  # fmt: skip
    for person, record_own in zip(persons, own, strict=True):
        for key in record_own:
            count[(person, key)] += 1
    return [
        records_of[person] > 1 and not any(count[(person, k)] > 1 for k in record_own)
        for person, record_own in zip(persons, own, strict=True)
    ]


@dataclass(frozen=True)
class PersonTruth:
    """What the generator knows of a person, for tracing errors (`bench.holdout_errors`)."""

    home: int
    home_kind: str
    role: str
    """"adult", "child" or "elder"."""
    culture: str
    given: str
    nickname: str
    family: str
    birth: date
    junior: bool
    """Father or son of one name in one home."""
    twin: bool
    similar_twin: bool


@dataclass(frozen=True)
class Truth:
    """The ground truth beyond `SyntheticData`: what each identifier of each record truly is."""

    keys: list[tuple[str, ...]]
    """Per record, per identifier: one string per real phone line, mailbox, card, device,
    account or handle however it was written ("+12125550123", "jsmith@gmail.com",
    "card:0123...", "device:...", "web:W...", "instagram/handle"); a store's line is
    "store:CODE", a clerk's placeholder "placeholder:...", a mistyped mailbox "typo:..."."""
    kinds: dict[str, str]
    """Keys several people share by design: "landline", "family mailbox", "shared tablet",
    "recycled mobile"."""
    persons: list[PersonTruth]


def generate(people: int = 2000, seed: int = 1) -> SyntheticData:
    """`people` people in their homes and every record the sources hold about them."""
    return generate_with_truth(people, seed)[0]


def generate_with_truth(people: int = 2000, seed: int = 1) -> tuple[SyntheticData, Truth]:
    """`generate`'s data and the truth behind it."""
    rng = random.Random(seed)
    world = World(rng)
    while len(world.persons) < people:
        make_home(world, people - len(world.persons))
    recycle_phones(world, 0.012)
    counters: Counter[str] = Counter()
    built = []
    for person in world.persons:
        for request, tags, keys in person_records(world, person, counters):
            built.append((person, request, tags, keys))
    namesakes = _tag_namesakes(world.persons)
    isolated = _no_shared_id([p.id for p, *_ in built], [keys for *_, keys in built])
    records = [
        SyntheticRecord(
            request=request,
            person=person.id,
            tags=frozenset(tags | namesakes.get(person.id, set()) | (
                {"no-shared-id"} if alone else set())),
        )
        for (person, request, tags, _), alone in zip(built, isolated, strict=True)
    ]  # fmt: skip
    households = [[p.id for p in h.members] for h in world.homes if len(h.members) > 1]
    never_merge = {
        frozenset((a, b)) for members in households for i, a in enumerate(members)
        for b in members[i + 1 :]
    }  # fmt: skip
    twins = []
    for home in world.homes:
        pair = [p.id for p in home.members if "twin" in p.tags]
        if len(pair) == 2:
            twins.append((pair[0], pair[1]))
    data = SyntheticData(records, never_merge, households, twins)
    return data, _truth(world, [keys for *_, keys in built])


def _truth(world: World, keys: list[list[str]]) -> Truth:
    kinds = {key: "recycled mobile" for key in world.recycled}
    home_of = {id(home): i for i, home in enumerate(world.homes)}
    for home in world.homes:
        for _, _, line in home.addresses:
            if line is not None:
                kinds[line.key] = "landline"
        if home.mailbox is not None:
            kinds[home.mailbox.key] = "family mailbox"
        if home.tablet is not None:
            kinds[f"device:{home.tablet.value.lower()}"] = "shared tablet"
    persons = [
        PersonTruth(
            home=home_of[id(p.home)],
            home_kind=p.home.kind,
            role=p.role,
            culture=p.culture.key,
            given=p.given,
            nickname=p.nickname,
            family=" ".join(p.family),
            birth=p.birth,
            junior=p.junior or p.senior,
            twin="twin" in p.tags,
            similar_twin="similar-twin-names" in p.tags,
        )
        for p in world.persons
    ]
    return Truth([tuple(k) for k in keys], kinds, persons)


__all__ = ["TAGS", "PersonTruth", "Truth", "generate", "generate_with_truth"]
