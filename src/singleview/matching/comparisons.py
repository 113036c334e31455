"""The comparisons of two match profiles, one per field, each a short ladder of levels.

Each comparison answers with the first level, best first, whose condition holds, or with no
level when a side lacks the field (a missing value is no evidence either way). Levels are
declared once as module constants, so that their names (the keys of the model file) and
labels (what a steward reads) are in one place.

Swapped given and family names ("Smith John" against "John Smith", typically a full name
parsed in the wrong order) are a level of both name comparisons, named `swapped`: each name
field, taken alone, does match the other record, only in the other field. Since both fields
report the one event, the model file should give the weight to one of them (given_name) and
set m close to u for family_name.swapped, so that the event is not counted twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from singleview.matching.levels import Comparison, FieldComparison, Level, MatchProfile
from singleview.matching.names import FAMILY_PARTICLES, are_nicknames, names_of, phonetic
from singleview.matching.profile import email_local_part

GIVEN_EXACT = Level("exact", "same given name")
GIVEN_NICKNAME = Level("nickname", "given names are nicknames of each other (Bob = Robert)")
GIVEN_INITIAL = Level("initial", "an initial matches the other given name (J = John)")
GIVEN_TYPO = Level("typo", "given names differ by a typo (Jonathon = Jonathan)")
GIVEN_WEAK_TYPO = Level("weak_typo", "given names are similar")
GIVEN_SHORT_FORM = Level(
    "short_form", "one given name is a short form of the other (Hans = Johannes)"
)
GIVEN_SWAPPED = Level("swapped", "given and family names swapped")
GIVEN_DIFFERENT = Level("different", "different given names", contradicts=True)

FAMILY_EXACT = Level("exact", "same family name")
FAMILY_TYPO = Level("typo", "family names differ by a typo")
FAMILY_PHONETIC = Level("phonetic", "family names sound the same (Smith = Smyth)")
FAMILY_OVERLAP = Level("token_overlap", "family names share a part (Garcia Lopez = Garcia)")
FAMILY_SWAPPED = Level("swapped", "given and family names swapped")
FAMILY_DIFFERENT = Level("different", "different family names")

BIRTH_EXACT = Level("exact", "same birth date")
BIRTH_SWAPPED = Level("day_month_swapped", "birth dates with day and month swapped")
BIRTH_TYPO = Level("typo", "birth dates differ by one digit or two adjacent digits swapped")
BIRTH_SAME_YEAR = Level("same_year", "same birth year, different day")
BIRTH_DIFFERENT = Level("different", "different birth dates", contradicts=True)

ADDRESS_EXACT = Level("exact", "same house number, street and postal code")
ADDRESS_STREET = Level("street", "same street and postal code")
ADDRESS_POSTAL_CODE = Level("postal_code", "same postal code")
ADDRESS_LOCALITY = Level("locality", "same town")
ADDRESS_DIFFERENT = Level("different", "different addresses")

EMAIL_EXACT = Level("exact", "a shared email address")
EMAIL_SAME_LOCAL = Level("same_local", "same email name at different providers")
EMAIL_SIMILAR_LOCAL = Level("similar_local", "similar email names")
EMAIL_DIFFERENT = Level("different", "different email addresses")

PHONE_EXACT = Level("exact", "a shared phone number")
PHONE_TYPO = Level("typo", "phone numbers differ by one digit or two adjacent digits swapped")
PHONE_DIFFERENT = Level("different", "different phone numbers")

_Test = Callable[[str, str], bool]


def similarity(a: str, b: str) -> float:
    """Jaro-Winkler similarity, arguments in a fixed order so that it is exactly symmetric."""
    first, second = sorted((a, b))
    return JaroWinkler.similarity(first, second)


def _one_edit(a: str, b: str, shortest: int) -> bool:
    """One edit apart (Damerau-Levenshtein), both at least `shortest` letters long."""
    return min(len(a), len(b)) >= shortest and DamerauLevenshtein.distance(a, b) == 1


def one_edit_apart(a: str, b: str) -> bool:
    """Same length, and one character different or two adjacent characters swapped.

    The typing errors of digits: numbers of different lengths are not typos of each other.
    """
    if len(a) != len(b):
        return False
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diffs) == 1:
        return True
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
        i = diffs[0]
        return a[i] == b[i + 1] and a[i + 1] == b[i]
    return False


def _check_similarity(name: str, value: float) -> None:
    if not 0.0 < value <= 1.0:
        raise ValueError(f"{name} must be in (0, 1], got {value}")


def _null(field: str) -> FieldComparison:
    return FieldComparison(field, None)


def _given_pairs(left: Sequence[str], right: Sequence[str]) -> set[tuple[str, str]]:
    """Each side's primary given name against every given name of the other.

    So that someone who goes by a middle name still matches ("John Michael" = "Michael"),
    while two middle names alone don't make twins "John Michael" and "James Michael" one.
    """
    pairs = {(left[0], t) for t in right} | {(t, right[0]) for t in left}
    if len(left) > 1 or len(right) > 1:
        pairs.add(("".join(left), "".join(right)))  # "Zhi Wei" is "Zhiwei"
    return pairs


def _is_initial_of(a: str, b: str) -> bool:
    short, full = sorted((a, b), key=len)
    return len(short) == 1 and full.startswith(short)


def _is_short_form(a: str, b: str) -> bool:
    """One name inside the other (Hans in Johannes, Lupe in Guadalupe, Alex in Alexander).

    Short forms the nickname table lacks would otherwise read as "different given names", a
    contradiction that vetoes the person's own records and makes their email look shared.
    """
    short, full = sorted((a, b), key=len)
    return len(short) >= 3 and short != full and short in full


def _full_names(a: str, b: str) -> bool:
    return len(a) > 1 and len(b) > 1


def _given_like(given: str, family: Sequence[str], typo_threshold: float) -> bool:
    """Whether a given name is (a nickname or typo of) the other record's family name."""
    if len(given) < 2:
        return False
    if given == "".join(family):
        return True
    return any(
        given == f or are_nicknames(given, f) or similarity(given, f) >= typo_threshold
        for f in family
        if len(f) > 1
    )


def _initial_like(given: str, family: Sequence[str]) -> bool:
    """Whether a given name and the other record's family name are one name and its initial."""
    if len(given) == 1:
        return any(len(f) > 1 and f.startswith(given) for f in family)
    return any(len(f) == 1 and given.startswith(f) for f in family)


Crossing = tuple[str, Sequence[str]]
"""One side's primary given name against the other side's family name."""


def _crossings(left: MatchProfile, right: MatchProfile) -> tuple[Crossing, Crossing] | None:
    """Both given names against the other side's family name; None unless both sides have
    both parts."""
    if not (left.given and left.family and right.given and right.family):
        return None
    return (left.given[0], right.family), (right.given[0], left.family)


def names_swapped(left: MatchProfile, right: MatchProfile, typo_threshold: float) -> bool:
    """Each side's given name is the other's family name: the parts went in the wrong fields."""
    crossings = _crossings(left, right)
    return crossings is not None and all(_given_like(*c, typo_threshold) for c in crossings)


def swapped_with_initial(left: MatchProfile, right: MatchProfile, typo_threshold: float) -> bool:
    """Swapped parts where one of the two crossings is an initial ("L Mai" for Mai Lê): less
    than a swap of whole names, but no contradiction, since the initial agrees."""
    crossings = _crossings(left, right)
    if crossings is None:
        return False
    one, other = crossings
    return any(
        _given_like(*whole, typo_threshold) and _initial_like(*initial)
        for whole, initial in ((one, other), (other, one))
    )


@dataclass(frozen=True)
class GivenNameComparison:
    """Given names, tolerant of nicknames, initials and typos; different ones contradict."""

    typo_threshold: float = 0.92
    weak_typo_threshold: float = 0.85
    """Also reached by names of 4+ letters one edit apart (Damerau-Levenshtein). Three-letter
    names one edit apart are mostly other names (Lei and Mei, Jon and Jan: twins)."""

    def __post_init__(self) -> None:
        _check_similarity("typo_threshold", self.typo_threshold)
        _check_similarity("weak_typo_threshold", self.weak_typo_threshold)
        if self.weak_typo_threshold > self.typo_threshold:
            raise ValueError("weak_typo_threshold must not exceed typo_threshold")

    @property
    def field(self) -> str:
        return "given_name"

    @property
    def levels(self) -> tuple[Level, ...]:
        return (
            GIVEN_EXACT,
            GIVEN_NICKNAME,
            GIVEN_INITIAL,
            GIVEN_TYPO,
            GIVEN_WEAK_TYPO,
            GIVEN_SHORT_FORM,
            GIVEN_SWAPPED,
            GIVEN_DIFFERENT,
        )

    def compare(self, left: MatchProfile, right: MatchProfile) -> FieldComparison:
        if not left.given or not right.given:
            return _null(self.field)
        pairs = _given_pairs(left.given, right.given)
        for level, test in self._tests():
            if any(test(a, b) for a, b in pairs):
                return FieldComparison(self.field, level)
        if names_swapped(left, right, self.typo_threshold):
            return FieldComparison(self.field, GIVEN_SWAPPED)
        if swapped_with_initial(left, right, self.typo_threshold):
            return FieldComparison(self.field, GIVEN_INITIAL)
        if self._alone_against_family(left, right) or self._alone_against_family(right, left):
            return FieldComparison(self.field, GIVEN_WEAK_TYPO)
        return FieldComparison(self.field, GIVEN_DIFFERENT)

    def _alone_against_family(self, alone: MatchProfile, other: MatchProfile) -> bool:
        """A given name without a family name that is the other record's family name: most
        likely a full name written family first ("Lefebvre Julien" against "Julien"), so no
        contradiction, though no agreement either."""
        return not alone.family and _given_like(alone.given[0], other.family, self.typo_threshold)

    def _tests(self) -> tuple[tuple[Level, _Test], ...]:
        return (
            (GIVEN_EXACT, lambda a, b: a == b and len(a) > 1),
            (GIVEN_NICKNAME, lambda a, b: _full_names(a, b) and are_nicknames(a, b)),
            (GIVEN_INITIAL, _is_initial_of),
            (GIVEN_TYPO, lambda a, b: _full_names(a, b) and self._typo(a, b)),
            (GIVEN_WEAK_TYPO, lambda a, b: _full_names(a, b) and self._weak_typo(a, b)),
            (GIVEN_NICKNAME, lambda a, b: _full_names(a, b) and self._nickname_typo(a, b)),
            (GIVEN_SHORT_FORM, _is_short_form),
        )

    def _typo(self, a: str, b: str) -> bool:
        return similarity(a, b) >= self.typo_threshold

    def _nickname_typo(self, a: str, b: str) -> bool:
        """A nickname with a typo on one side (Frencisco = Paco, via Francisco), or a written
        name one edit from a full form of the other (Suuan = Sue, via Susan). One side stays
        as written: two variant sets always hold some pair one edit apart (Jenny, Jonny)."""
        if any(self._typo(x, y) for x in names_of(a) for y in names_of(b) if (x, y) != (a, b)):
            return True
        return any(_one_edit(a, y, 5) for y in names_of(b) - {b}) or any(
            _one_edit(x, b, 5) for x in names_of(a) - {a}
        )

    def _weak_typo(self, a: str, b: str) -> bool:
        if similarity(a, b) >= self.weak_typo_threshold:
            return True
        return _one_edit(a, b, 4)


@dataclass(frozen=True)
class FamilyNameComparison:
    """Family names; different ones do not contradict, since people marry and change them."""

    typo_threshold: float = 0.92

    def __post_init__(self) -> None:
        _check_similarity("typo_threshold", self.typo_threshold)

    @property
    def field(self) -> str:
        return "family_name"

    @property
    def levels(self) -> tuple[Level, ...]:
        return (
            FAMILY_EXACT,
            FAMILY_TYPO,
            FAMILY_PHONETIC,
            FAMILY_OVERLAP,
            FAMILY_SWAPPED,
            FAMILY_DIFFERENT,
        )

    def compare(self, left: MatchProfile, right: MatchProfile) -> FieldComparison:
        if not left.family or not right.family:
            return _null(self.field)
        return FieldComparison(self.field, self._level(left, right))

    def _level(self, left: MatchProfile, right: MatchProfile) -> Level:
        # Joined without spaces, "Mc Donald" is "McDonald" and "van der Berg" "Vanderberg".
        joined_left, joined_right = "".join(left.family), "".join(right.family)
        if joined_left == joined_right:
            return FAMILY_EXACT
        if similarity(" ".join(left.family), " ".join(right.family)) >= self.typo_threshold:
            return FAMILY_TYPO
        if phonetic(joined_left) == phonetic(joined_right):
            return FAMILY_PHONETIC
        if _significant(left.family) & _significant(right.family):
            return FAMILY_OVERLAP
        if names_swapped(left, right, self.typo_threshold) or swapped_with_initial(
            left, right, self.typo_threshold
        ):
            return FAMILY_SWAPPED
        return FAMILY_DIFFERENT


def _significant(family: Sequence[str]) -> set[str]:
    """Parts of a family name that identify it: not "de" or "van", not an initial."""
    return {t for t in family if len(t) > 1 and t not in FAMILY_PARTICLES}


@dataclass(frozen=True)
class BirthDateComparison:
    """Birth dates, tolerant of the usual entry errors; a real difference contradicts."""

    @property
    def field(self) -> str:
        return "birth_date"

    @property
    def levels(self) -> tuple[Level, ...]:
        return (BIRTH_EXACT, BIRTH_SWAPPED, BIRTH_TYPO, BIRTH_SAME_YEAR, BIRTH_DIFFERENT)

    def compare(self, left: MatchProfile, right: MatchProfile) -> FieldComparison:
        if left.birth_date is None or right.birth_date is None:
            return _null(self.field)
        return FieldComparison(self.field, _birth_level(left.birth_date, right.birth_date))


def _birth_level(left: date, right: date) -> Level:
    if left == right:
        return BIRTH_EXACT
    if left.year == right.year and (left.month, left.day) == (right.day, right.month):
        return BIRTH_SWAPPED
    if one_edit_apart(left.strftime("%Y%m%d"), right.strftime("%Y%m%d")):
        return BIRTH_TYPO
    if left.year == right.year:
        return BIRTH_SAME_YEAR
    return BIRTH_DIFFERENT


@dataclass(frozen=True)
class AddressComparison:
    """Addresses, from the same door to the same town; never a contradiction (people move).

    The area is the postal code when both records have one, else the town: an address with
    no postal code can still be the same street of the same town. With neither on both sides
    there is nothing to compare (a street name alone is in every town).
    """

    @property
    def field(self) -> str:
        return "address"

    @property
    def levels(self) -> tuple[Level, ...]:
        return (
            ADDRESS_EXACT,
            ADDRESS_STREET,
            ADDRESS_POSTAL_CODE,
            ADDRESS_LOCALITY,
            ADDRESS_DIFFERENT,
        )

    def compare(self, left: MatchProfile, right: MatchProfile) -> FieldComparison:
        postal = _same(left.postal_code, right.postal_code)
        locality = _same(left.locality, right.locality)
        if postal is None and locality is None:
            return _null(self.field)
        area = postal if postal is not None else bool(locality)
        street = bool(left.street) and left.street == right.street
        house = bool(left.house_number) and left.house_number == right.house_number
        if area and street:
            return FieldComparison(self.field, ADDRESS_EXACT if house else ADDRESS_STREET)
        if postal:
            return FieldComparison(self.field, ADDRESS_POSTAL_CODE)
        if locality:
            return FieldComparison(self.field, ADDRESS_LOCALITY)
        return FieldComparison(self.field, ADDRESS_DIFFERENT)


def _same(left: str, right: str) -> bool | None:
    """Equal, different, or None when a side lacks the value."""
    return left == right if left and right else None


@dataclass(frozen=True)
class EmailComparison:
    """Emails; different ones don't contradict, since people have several addresses."""

    similar_threshold: float = 0.92

    def __post_init__(self) -> None:
        _check_similarity("similar_threshold", self.similar_threshold)

    @property
    def field(self) -> str:
        return "email"

    @property
    def levels(self) -> tuple[Level, ...]:
        return (EMAIL_EXACT, EMAIL_SAME_LOCAL, EMAIL_SIMILAR_LOCAL, EMAIL_DIFFERENT)

    def compare(self, left: MatchProfile, right: MatchProfile) -> FieldComparison:
        if not left.emails or not right.emails:
            return _null(self.field)
        if set(left.emails) & set(right.emails):
            return FieldComparison(self.field, EMAIL_EXACT)
        pairs = [
            (a, b)
            for a in map(email_local_part, left.emails)
            for b in map(email_local_part, right.emails)
            if a and b
        ]
        if any(a == b for a, b in pairs):
            return FieldComparison(self.field, EMAIL_SAME_LOCAL)
        if any(similarity(a, b) >= self.similar_threshold for a, b in pairs):
            return FieldComparison(self.field, EMAIL_SIMILAR_LOCAL)
        return FieldComparison(self.field, EMAIL_DIFFERENT)


@dataclass(frozen=True)
class PhoneComparison:
    """Phones (E.164); different ones don't contradict, since people have several."""

    min_typo_digits: int = 7
    """Shorter numbers are not compared for typos: one digit off is then another number."""

    def __post_init__(self) -> None:
        if self.min_typo_digits < 1:
            raise ValueError(f"min_typo_digits must be at least 1, got {self.min_typo_digits}")

    @property
    def field(self) -> str:
        return "phone"

    @property
    def levels(self) -> tuple[Level, ...]:
        return (PHONE_EXACT, PHONE_TYPO, PHONE_DIFFERENT)

    def compare(self, left: MatchProfile, right: MatchProfile) -> FieldComparison:
        if not left.phones or not right.phones:
            return _null(self.field)
        if set(left.phones) & set(right.phones):
            return FieldComparison(self.field, PHONE_EXACT)
        if any(self._typo(a, b) for a in left.phones for b in right.phones):
            return FieldComparison(self.field, PHONE_TYPO)
        return FieldComparison(self.field, PHONE_DIFFERENT)

    def _typo(self, a: str, b: str) -> bool:
        return len(a.lstrip("+")) >= self.min_typo_digits and one_edit_apart(a, b)


def default_comparisons() -> tuple[Comparison, ...]:
    """The comparisons the service scores with; the model file has a weight for each level."""
    return (
        GivenNameComparison(),
        FamilyNameComparison(),
        BirthDateComparison(),
        AddressComparison(),
        EmailComparison(),
        PhoneComparison(),
    )
