"""Tables and spellings for `bench.synthetic`: names, nicknames, places, channels, and the raw
forms in which channels write identifiers, names and addresses.

Kept apart from the generator so the tables can grow without pushing the logic around. Names
come from several cultures on purpose: a matcher tuned only on Anglo names overrates a shared
"Nguyen" or "Patel" and underrates "Robert" vs "Bob". Every value here is fictional usage of
common names; no table is downloaded.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers

from singleview.v1 import common_pb2


def _words(text: str) -> tuple[str, ...]:
    """A name table written as one string, so tables stay compact under the formatter."""
    return tuple(text.split())


@dataclass(frozen=True)
class Culture:
    """Given names by sex, family names, and whether full names are written family-first."""

    name: str
    weight: float
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    family_first: bool = False


_CULTURE_TABLE = """
anglo 0.42 given-first
    Margaret Elizabeth Katherine Jennifer Patricia Susan Rebecca Deborah Ann Emily Sarah Jessica
    Amanda Laura Rachel Zoë / Robert William James Richard Michael Christopher Thomas Joseph
    Daniel Anthony Edward Charles Jonathan Alexander David Matthew / Smith Johnson Lee Brown
    Taylor Miller O'Brien Wilson Anderson Thompson Walker Harris Clark Lewis Young Allen Wright
    Scott Baker Carter Mitchell Roberts Turner Phillips
hispanic 0.18 given-first
    María Lucía Sofía Guadalupe Inés Mónica Verónica Elena / José Jesús Ramón Andrés Francisco
    Alejandro Joaquín Héctor / García Rodríguez Martínez Hernández López Peña Núñez Pérez Sánchez
    Ramírez Gómez Díaz Jiménez Álvarez Muñoz Ortiz
german 0.06 given-first
    Ursula Brigitte Käthe Annelie Sabine / Jürgen Jörg Günther Johannes Wolfgang Klaus / Müller
    Schröder Weiß Köhler Schäfer Bäcker Krüger Voß
french 0.05 given-first
    Élodie Hélène Chloé Zoë Geneviève Océane / François Jérôme Noël Stéphane Benoît Loïc / Lefèvre
    Dupré Béranger Moreau Giraud Rocher Lemaître
vietnamese 0.05 family-first
    Thảo Lan Hương Ngọc Mai / Minh Huy Dũng Quang Tuấn / Nguyễn Trần Lê Phạm Hoàng Võ
chinese 0.06 family-first
    Fang Jing Xiu Mei Ying Lina / Wei Hao Jun Lei Bo Qiang / Wang Zhang Chen Liu Zhao Huang Zhou
    Wu
korean 0.03 family-first
    Ji-woo Seo-yeon Min-ji Ha-eun / Min-jun Seo-jun Do-hyun Ji-ho / Kim Park Choi Jung Kang
indian 0.07 given-first
    Priya Ananya Lakshmi Deepika Kavya Sunita / Arjun Rahul Vikram Sanjay Rohan Aditya / Patel
    Sharma Reddy Iyer Gupta Singh Nair Chatterjee
nigerian 0.04 given-first
    Chiamaka Ngozi Folake Adaeze Yetunde / Oluwaseun Adebayo Emeka Chinedu Tunde / Okafor Adeyemi
    Okonkwo Balogun Eze Oyelaran
nordic 0.02 given-first
    Åsa Sigrid Ingrid Mette Solveig / Søren Bjørn Lars Øystein Anders / Jørgensen Lindqvist
    Ångström Halvorsen Sørensen Berg
arabic 0.02 given-first
    Fatima Layla Yasmin Nour Rania / Mohammed Omar Youssef Karim Tariq / Al-Sayed Haddad Khoury
    Mansour Nasser Saleh
"""
"""Per culture: name, share of people, name order; then female / male / family names."""


def _cultures(table: str) -> tuple[Culture, ...]:
    cultures = []
    for block in re.split(r"\n(?=\S)", table.strip()):
        header, _, body = block.partition("\n")
        name, weight, order = header.split()
        female, male, family = (_words(part) for part in body.split("/"))
        cultures.append(Culture(name, float(weight), female, male, family, order == "family-first"))
    return tuple(cultures)


CULTURES = _cultures(_CULTURE_TABLE)

_NICKNAME_TABLE = (
    "Robert:Bob,Rob,Bobby William:Bill,Will,Billy James:Jim,Jimmy,Jamie "
    "Richard:Rick,Dick,Rich Michael:Mike,Mikey Christopher:Chris Thomas:Tom,Tommy "
    "Joseph:Joe,Joey Daniel:Dan,Danny Anthony:Tony Edward:Ed,Ted,Eddie "
    "Charles:Chuck,Charlie Jonathan:Jon Alexander:Alex,Sasha David:Dave Matthew:Matt "
    "Margaret:Peggy,Maggie,Meg Elizabeth:Liz,Beth,Betsy,Lisa Katherine:Kate,Kathy,Katie "
    "Jennifer:Jen,Jenny Patricia:Pat,Patty,Trish Susan:Sue,Suzy Rebecca:Becky "
    "Deborah:Deb,Debbie Jessica:Jess Amanda:Mandy José:Pepe Francisco:Paco,Pancho "
    "Guadalupe:Lupe Alejandro:Alex Jesús:Chuy Johannes:Hans Wolfgang:Wolf Oluwaseun:Seun "
    "Adebayo:Bayo Mohammed:Mo"
)
NICKNAMES: dict[str, tuple[str, ...]] = {
    name: tuple(nicknames.split(","))
    for name, _, nicknames in (entry.partition(":") for entry in _NICKNAME_TABLE.split())
}
"""Canonical given name -> nicknames a channel may record instead."""

_NOT_DECOMPOSED = str.maketrans(
    {"ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L"}
)


def strip_diacritics(text: str) -> str:
    """The spelling a US keyboard or an ASCII-only system produces: "Müller" -> "Muller".

    NFKD drops combining marks; a few letters (ø, ß, đ) are not decomposable and are mapped by
    hand, the way most POS systems transliterate them.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_NOT_DECOMPOSED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def ascii_slug(text: str) -> str:
    """Lower-case letters and digits only, for mailbox names and handles built from a name."""
    return "".join(ch for ch in strip_diacritics(text).lower() if ch.isascii() and ch.isalnum())


@dataclass(frozen=True)
class City:
    """A place whose phone numbers and postal codes agree with it.

    Patterns: "#" a digit, "N" a digit 2-9 (a valid NANP exchange), "@" a capital letter. The
    spaces in a phone pattern are the number's natural grouping, reused to spell it.
    """

    locality: str
    region: str
    country: str
    postal: str
    landlines: tuple[str, ...]
    mobiles: tuple[str, ...]


def _us_city(locality: str, region: str, postal: str, *area_codes: str) -> City:
    patterns = tuple(f"+1 {code} N## ####" for code in area_codes)
    return City(locality, region, "US", postal + "##", patterns, patterns)


US_CITIES: tuple[City, ...] = (
    _us_city("Chicago", "IL", "606", "312", "773"),
    _us_city("San Francisco", "CA", "941", "415"),
    _us_city("New York", "NY", "100", "212", "646"),
    _us_city("Brooklyn", "NY", "112", "718", "347"),
    _us_city("Boston", "MA", "021", "617"),
    _us_city("Seattle", "WA", "981", "206"),
    _us_city("Austin", "TX", "787", "512"),
    _us_city("Denver", "CO", "802", "303", "720"),
    _us_city("Atlanta", "GA", "303", "404", "678"),
    _us_city("Miami", "FL", "331", "305", "786"),
)

ABROAD: tuple[City, ...] = (
    City("London", "", "GB", "E1 #@@", ("+44 20 7### ####",), ("+44 7### ######",)),
    City("Berlin", "", "DE", "10###", ("+49 30 #### ####",), ("+49 151 ########",)),
)
"""Customers abroad: their numbers must be written with a country code to be read at all."""

COUNTRY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "US": ("US", "USA", "United States", "united states of america", ""),
    "GB": ("GB", "United Kingdom", "UK"),
    "DE": ("DE", "Germany", "Deutschland"),
}

STREETS = _words(
    "Main Oak Maple Cedar Elm Washington Lake Hill Park Pine Sunset Lincoln Jackson Highland "
    "Franklin Madison River Church"
)

STREET_TYPES: dict[str, tuple[str, ...]] = {
    "Street": ("Street", "St", "St.", "street"),
    "Avenue": ("Avenue", "Ave", "Ave.", "AVE"),
    "Road": ("Road", "Rd", "Rd."),
    "Boulevard": ("Boulevard", "Blvd", "Blvd."),
    "Drive": ("Drive", "Dr", "Dr."),
}

MAIL_DOMAINS = _words(
    "gmail.com gmail.com gmail.com yahoo.com outlook.com icloud.com example.com example.org "
    "example.net"
)
"""Where personal mailboxes live; gmail is common, and its dots and +tags are ignored."""

SOCIAL_PLATFORMS: tuple[str, ...] = ("instagram", "x", "tiktok", "facebook")
"""Where handles live; "x" is also written "twitter", its former name."""

SOURCES = {
    "crm": 0.18,
    "pos": 0.16,
    "web": 0.15,
    "app": 0.12,
    "ivr": 0.1,
    "social": 0.08,
    "email": 0.1,
    "loyalty": 0.11,
}
"""Channels and the share of records each one sends."""

SOURCE_FIELDS: dict[str, dict[str, float]] = {
    "crm": {"phone": 0.8, "email": 0.8, "loyalty": 0.3, "name": 1, "birth": 0.7, "address": 0.9},
    "pos": {"phone": 0.4, "loyalty": 0.7, "name": 0.9},
    "web": {"email": 0.95, "phone": 0.3, "name": 0.7, "address": 0.6},
    "app": {"device": 0.95, "email": 0.6, "name": 0.5},
    "ivr": {"phone": 1, "name": 0.3},
    "social": {"social": 1, "name": 0.8},
    "email": {"email": 1, "name": 0.5},
    "loyalty": {"loyalty": 1, "phone": 0.5, "email": 0.5, "name": 1, "birth": 0.8, "address": 0.8},
}
"""What each channel usually knows: field -> probability that a record of it carries the field."""

RECORD_ID_FORMATS = {
    "crm": "CRM-{:07d}",
    "pos": "POS-{:08d}",
    "web": "W{:07d}",
    "app": "app-{:06d}",
    "ivr": "call-{:07d}",
    "social": "SOC{:06d}",
    "email": "ESP-{:06d}",
    "loyalty": "LY{:08d}",
}
"""Each channel numbers its records its own way; (source, record_id) is unique."""

RECORDS_PER_PERSON = (0.3, 0.3, 0.2, 0.12, 0.08)
"""Weights of 1..5 records per person."""


@dataclass
class Address:
    number: int
    street: str
    street_type: str
    unit: str
    city: City
    postal_code: str


US_PHONE_FORMATS = (
    "({a}) {b}-{c}",
    "+1 {a}.{b}.{c}",
    "{a}-{b}-{c}",
    "1 {a} {b} {c}",
    "{a}{b}{c}",
    "+1{a}{b}{c}",
    "+1 ({a}) {b}-{c}",
    "{a}.{b}.{c}",
)
"""How US numbers reach us: every one of these must normalize to the same E.164."""

EMAIL_TAGS = _words("shop news promo orders 2019 deals")


def fill(rng: random.Random, pattern: str) -> str:
    """Pattern with "#" a digit, "N" a digit 2-9 and "@" a capital letter drawn from `rng`."""
    pools = {"#": "0123456789", "N": "23456789", "@": "ABDEFGHJLNPQRSTUWXYZ"}
    return "".join(rng.choice(pools[ch]) if ch in pools else ch for ch in pattern)


def spell_phone(rng: random.Random, grouped: str) -> str:
    """A raw spelling of a number written "+CC group group ..."; others than US keep the "+"
    or "00" prefix, because without it a US-default reader cannot know the country."""
    country, *groups = grouped.split(" ")
    if country == "+1":
        a, b, c = groups
        return rng.choice(US_PHONE_FORMATS).format(a=a, b=b, c=c)
    rest = " ".join(groups)
    forms = (
        f"{country} {rest}",
        f"{country}{rest.replace(' ', '')}",
        f"00{country[1:]} {rest}",
        f"{country}-{rest.replace(' ', '-')}",
    )
    return rng.choice(forms)


def spell_email(rng: random.Random, address: str) -> str:
    """Mixed case always possible; dots, "+tags" and googlemail.com only where gmail ignores them
    (anywhere else they would name a different mailbox)."""
    local, _, domain = address.partition("@")
    if domain == "gmail.com":
        roll = rng.random()
        if roll < 0.2:
            local = local.replace(".", "")
        elif roll < 0.35 and len(local) > 3:
            cut = rng.randrange(1, len(local) - 1)
            local = f"{local[:cut]}.{local[cut:]}".replace("..", ".")
        elif roll < 0.55:
            local = f"{local}+{rng.choice(EMAIL_TAGS)}"
        if rng.random() < 0.1:
            domain = "googlemail.com"
    case = rng.random()
    if case < 0.2:
        return f"{local}@{domain}".upper()
    if case < 0.45:
        local = ".".join(part.capitalize() for part in local.split("."))
        domain = domain.capitalize()
    return f"{local}@{domain}"


def spell_loyalty(rng: random.Random, number: str) -> str:
    """A card number as printed on cards, receipts and typed in apps."""
    forms = (
        number,
        f"{number[:4]} {number[4:8]} {number[8:]}",
        f"{number[:4]}-{number[4:8]}-{number[8:]}",
        f"{number[:5]} {number[5:]}",
    )
    return rng.choice(forms)


def spell_handle(rng: random.Random, platform: str, handle: str) -> tuple[str, str]:
    """(namespace, value): "@" or not, case changed, a profile URL now and then; "x" as
    "twitter" too, since channels still send the old name."""
    namespace = "twitter" if platform == "x" and rng.random() < 0.5 else platform
    if rng.random() < 0.3:
        namespace = namespace.capitalize()
    value = handle if rng.random() < 0.5 else "_".join(p.capitalize() for p in handle.split("_"))
    roll = rng.random()
    if roll < 0.4:
        value = "@" + value
    elif roll < 0.5 and platform == "instagram":
        value = f"https://www.instagram.com/{value}/"
    return namespace, value


def spell_device(rng: random.Random, kind: str, value: str) -> str:
    """iOS SDKs report IDFAs upper-case, Android GAIDs lower-case; some pipelines strip hyphens."""
    text = value.upper() if kind == "idfa" else value.lower()
    if rng.random() < 0.15:
        text = text.swapcase()
    if rng.random() < 0.1:
        text = text.replace("-", "")
    return text


def typo(rng: random.Random, name: str) -> str:
    """One edit (substitute, drop or double a letter) after the first letter, which people
    rarely get wrong: "Katherine" -> "Katherin", "Kathherine", "Katjerine"."""
    at = rng.randrange(1, len(name))
    edit = rng.choice(("substitute", "drop", "double"))
    if edit == "drop":
        return name[:at] + name[at + 1 :]
    if edit == "double":
        return name[:at] + name[at] + name[at:]
    letters = [c for c in "aeioulnrst" if c != name[at].lower()]
    return name[:at] + rng.choice(letters) + name[at + 1 :]


def spell_address(rng: random.Random, address: Address) -> common_pb2.PostalAddress:
    """One address in the spellings forms produce: "St"/"Street", unit on its own line or not."""
    kind = rng.choice(STREET_TYPES[address.street_type])
    lines = [f"{address.number} {address.street} {kind}"]
    if address.unit:
        unit = rng.choice(("Apt ", "#", "Unit ", "APT ")) + address.unit
        lines = [f"{lines[0]} {unit}"] if rng.random() < 0.5 else [lines[0], unit]
    city = address.city
    return common_pb2.PostalAddress(
        lines=lines,
        locality=city.locality.upper() if rng.random() < 0.15 else city.locality,
        region=city.region,
        postal_code=address.postal_code,
        country=rng.choice(COUNTRY_SPELLINGS[city.country]),
    )


def spell_name(
    rng: random.Random,
    given: str,
    family: str,
    family_first: bool,
    out: common_pb2.PersonAttributes,
) -> None:
    """Split fields or one full name: "Ann Lee", "Lee, Ann", "ANN LEE", and family-first where
    the culture writes it so ("Wang Wei")."""
    layout = rng.random()
    if layout < 0.5:
        out.given_name, out.family_name = given, family
    elif layout < 0.75:
        reverse = family_first and rng.random() < 0.5
        out.full_name = f"{family} {given}" if reverse else f"{given} {family}"
    elif layout < 0.9:
        out.full_name = f"{family}, {given}"
    else:
        out.full_name = f"{given} {family}".upper()


def draw_address(rng: random.Random, city: City) -> Address:
    unit = f"{rng.randint(1, 30)}{rng.choice('ABCD')}" if rng.random() < 0.3 else ""
    street, kind = rng.choice(STREETS), rng.choice(list(STREET_TYPES))
    return Address(rng.randint(1, 9999), street, kind, unit, city, fill(rng, city.postal))


def draw_city(rng: random.Random, abroad_share: float) -> City:
    return rng.choice(ABROAD) if rng.random() < abroad_share else rng.choice(US_CITIES)


def draw_culture(rng: random.Random) -> Culture:
    return rng.choices(CULTURES, weights=[c.weight for c in CULTURES])[0]


class Mint:
    """New identifier values shaped like real ones, each owned by one person.

    Shared identifiers (household landlines, family mailboxes, store phones) are shared on
    purpose by the caller; anything minted here never collides with another value by chance,
    so the ground truth does not get accidental links.
    """

    def __init__(self, rng: random.Random, reserved: tuple[str, ...]) -> None:
        self.rng = rng
        self._used = set(reserved)

    def unique(self, make: Callable[[], str]) -> str:
        for _ in range(10_000):
            value = make()
            key = value.replace(".", "").lower()
            if key not in self._used:
                self._used.add(key)
                return value
        raise RuntimeError("identifier space exhausted; use fewer people")

    def phone(self, patterns: tuple[str, ...]) -> str:
        """A number libphonenumber calls valid, away from the 555 exchange the stores use."""

        def make() -> str:
            while True:
                number = fill(self.rng, self.rng.choice(patterns))
                groups = number.split(" ")
                if groups[0] == "+1" and (groups[2] == "555" or groups[2].endswith("11")):
                    continue
                if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                    return number

        return self.unique(make)

    def personal_mailbox(self, given: str, family: str, born: int) -> str:
        """A mailbox built from the name, as people pick them."""
        g, f, year = ascii_slug(given), ascii_slug(family), f"{born % 100:02d}"
        return self.mailbox(f"{g}.{f}", f"{g}{f}{year}", f"{g[:1]}{f}", f"{f}.{g}", f"{g}_{f}")

    def mailbox(self, *styles: str) -> str:
        """One of the local-part styles at a common provider, with digits added when taken."""
        rng = self.rng
        local, domain = rng.choice(styles), rng.choice(MAIL_DOMAINS)
        return self.unique(lambda: f"{local}{rng.choice(('', str(rng.randint(1, 999))))}@{domain}")

    def handle(self, given: str, family: str) -> str:
        g, f = ascii_slug(given), ascii_slug(family)
        base = self.rng.choice((f"{g}{f}", f"{g}_{f}", f"{f}_{g[:1]}", f"the_{g}"))
        return self.unique(lambda: f"{base}_{self.rng.randint(1, 9999)}")

    def loyalty(self) -> str:
        return self.unique(lambda: fill(self.rng, "60##########"))
