"""Person names prepared for comparison: folded tokens, parsed full names, nicknames, phonetics.

Everything here works on *folded* text (ASCII, lower case, words separated by one space), so
that "José", "JOSE" and "Jose" are the same name before any fuzzy rule has to say so.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import jellyfish
from anyascii import anyascii
from nicknames import NickNamer

_APOSTROPHES = re.compile(r"['`]")
"""Deleted, not turned into a space: O'Brien is one name, "obrien", not "o" and "brien"."""
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_HYPHEN_INSIDE_WORD = re.compile(r"(?<=\w)[-\u2010\u2011](?=\w)")
"""Anything else that is not a letter or digit (hyphen, period, comma...) separates words."""

HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "jr", "sr", "ii", "iii", "iv"}
    | {"phd", "md", "esq"}
)
"""Titles and generational suffixes: they say nothing about who someone is, so they are dropped."""

FAMILY_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "da", "das", "dos", "di", "du", "la", "le"}
    | {"bin", "ibn"}
)
"""Words that belong to the family name that follows them ("Ludwig van Beethoven")."""

PLACEHOLDER_NAMES = frozenset(
    {"walk in", "walkin", "walk in customer", "walkin customer", "in store", "instore"}
    | {"guest", "guest guest", "store guest", "guest customer", "guest user", "web guest"}
    | {"cash", "cash customer", "cash sale", "customer", "customer customer", "client"}
    | {"valued customer", "store customer", "pos customer", "retail customer"}
    | {"unknown", "unknown unknown", "unknown customer", "anonymous", "anon", "nobody"}
    | {"no name", "noname", "none", "n a", "na", "not provided", "not given", "not available"}
    | {"test", "test test", "test customer", "test user", "tbd", "tba", "x", "xx", "xxx"}
    | {"occupant", "resident", "current resident", "john doe", "jane doe"}
    | {"cliente", "kunde", "gast", "invitado", "invite", "inconnu", "desconocido", "sin nombre"}
)
"""Names a till or a form types when it has none ("Walk In", "Store Guest", "CASH CUSTOMER"),
folded, as whole names only ("Edgar Guest" is a name). Such a record is nameless: a name it
does not have must neither contradict the person whose phone it carries (which made that phone
look shared by different people and split the person) nor become anyone's name."""

_MEMO = 1 << 16
"""Bound of the memo caches below: names repeat a lot, but input is unbounded."""


def fold(text: str) -> str:
    """ASCII, lower case, no punctuation: the form every name and address comparison starts from.

    anyascii transliterates (José -> jose, Müller -> muller, Łódź -> lodz, 王 -> wang), so that
    records typed on keyboards with and without diacritics agree. Apostrophes are deleted;
    hyphens and other punctuation become spaces; whitespace is collapsed. Idempotent.
    """
    ascii_text = _APOSTROPHES.sub("", anyascii(text).lower())
    return _SEPARATORS.sub(" ", ascii_text).strip()


def name_tokens(text: str) -> tuple[str, ...]:
    """Folded words of a name part, without titles and suffixes ("Dr. John" -> ("john",))."""
    return tuple(t for t in fold(text).split() if t not in HONORIFICS)


@lru_cache(maxsize=_MEMO)
def parse_name(given: str, family: str, full: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Folded (given tokens, family tokens) of a person (remembered, as `parse_address`).

    Structured parts win; `full` only fills a part that is missing, because channels that send
    both usually derived the full name from the parts. See `split_full_name` for its forms.
    """
    # "Ji-woo" is one given name: kept whole, its parts would match "Min-ji" by "ji".
    given_tokens = name_tokens(_HYPHEN_INSIDE_WORD.sub("", given))
    family_tokens = name_tokens(family)
    if _placeholder(given_tokens + family_tokens):
        given_tokens = family_tokens = ()
    if full and not (given_tokens and family_tokens) and not _placeholder(name_tokens(full)):
        full_given, full_family = split_full_name(full)
        given_tokens = given_tokens or full_given
        family_tokens = family_tokens or full_family
    return given_tokens, family_tokens


def _placeholder(tokens: tuple[str, ...]) -> bool:
    return " ".join(tokens) in PLACEHOLDER_NAMES


_FAMILY_FIRST_NAMES = """
    wang zhang liu chen yang huang zhao zhou xu sun zhu hu guo gao luo zheng liang xie tang
    feng deng cao peng zeng xiao tian pan yuan cai jiang du cheng su ding shen yao zhong cui
    wong chan cheung leung chow lau
    choi park jung jeong kang cho yoon jang shin seo kwon hwang ahn jeon
    nguyen tran pham hoang huynh phan dang bui ngo duong trinh
    sato suzuki takahashi tanaka watanabe yamamoto nakamura kobayashi yoshida yamada sasaki
    yamaguchi matsumoto inoue kimura hayashi shimizu
"""
FAMILY_FIRST = frozenset(_FAMILY_FIRST_NAMES.split())
"""Common Chinese, Korean, Vietnamese and Japanese family names that are rarely given names:
written first without a comma ("Huang Lei", "CHOI JI-HO"), they are the family name. Names
that are also common given names elsewhere (Kim, Lee, Li, Le, Ho, Song, Han) are left out, so
"Kim Smith" stays Kim of the Smiths; the swapped-names comparison covers what this misses."""


def split_full_name(full: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Parse "Family, Given Middle" (comma form) or "Given Middle Family" ("John Smith, Jr.").

    Without a comma the last word is the family name, hyphenated parts included ("Ana
    Garcia-Lopez"), together with any particles before it ("Maria de la Cruz"), unless only the
    first word is a family name that comes first in its culture (FAMILY_FIRST). A single word
    is taken as a given name: the channels that send one word (chat display names, receipts)
    mostly send a first name.
    """
    family, comma, given = full.partition(",")
    if comma and name_tokens(given):
        return name_tokens(_HYPHEN_INSIDE_WORD.sub("", given)), name_tokens(family)
    words = [tokens for tokens in map(name_tokens, full.replace(",", " ").split()) if tokens]
    if len(words) <= 1:
        return (words[0] if words else ()), ()
    first, last = "".join(words[0]), "".join(words[-1])
    if first in FAMILY_FIRST and last not in FAMILY_FIRST:
        return tuple("".join(word) for word in words[1:]), (first,)
    start = len(words) - 1
    while start > 1 and words[start - 1][-1] in FAMILY_PARTICLES:
        start -= 1
    given_words: list[tuple[str, ...]] = [
        ("".join(word),) for word in words[:start]
    ]  # "Do-hyun" is one given name
    return _flatten(given_words), _flatten(words[start:])


def _flatten(words: list[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(token for word in words for token in word)


_MORE_NICKNAMES = """
francisco: paco pancho curro frank chico | jose: pepe chepe ze | jesus: chuy
guadalupe: lupe lupita | ignacio: nacho | guillermo: memo | alejandro: alex ale
eduardo: lalo edu | enrique: quique | manuel: manolo | antonio: tono toni toninho
dolores: lola | concepcion: concha conchita | rosario: charo | maria: mari masha
luis: lucho | pilar: pili | isabel: chabela isa | gabriela: gaby gabi | roberto: beto
alberto: beto | fernando: nando | rafael: rafa | javier: javi | santiago: santi
sebastian: sebas basti | mercedes: meche | consuelo: chelo | montserrat: montse
josefa: pepa | joaquin: quino | agustin: agus | beatriz: bea | federico: fede
margarita: marga | teresa: tere | cristina: cris | joao: joaozinho | margarida: guida
fernanda: nanda | giuseppe: beppe peppe pino | giovanni: gianni | francesca: fran
alessandro: sandro | salvatore: toto | vincenzo: enzo | domenico: mimmo
johannes: hans jo | johann: hans | josef: sepp | joseph: sepp | wolfgang: wolf
friedrich: fritz | elisabeth: sissi sisi lisa liesl elli | susanne: susi | katharina: kathi
margarete: grete gretel | stefanie: steffi | andreas: andi | franziska: franzi
gabriele: gabi | barbara: babsi basia | heinrich: heinz | wilhelm: willi
ulrich: uli | rudolf: rudi | gerhard: gerd | bernhard: bernd | cornelia: conny
matthias: matze | maximilian: max | cornelis: kees | hendrik: henk | jacobus: koos
francois: fanfan | frederic: fred | stephane: steph | sebastien: seb | nicolas: nico
guillaume: guigui | isabelle: isa | alexandre: alex | dominique: dom
katarzyna: kasia kaska | malgorzata: gosia malgosia | jakub: kuba | tomasz: tomek
aleksandra: ola olka sasha | agnieszka: aga | magdalena: magda lena | joanna: asia
anna: ania anka anya | zofia: zosia | elzbieta: ela | krzysztof: krzys krzysiek
piotr: piotrek | wojciech: wojtek | maciej: maciek | bartlomiej: bartek | jan: janek
wladyslaw: wladek | kazimierz: kazik | jozef: jozek | dariusz: darek | jaroslaw: jarek
radoslaw: radek | miroslaw: mirek | zbigniew: zbyszek | ryszard: rysiek | tadeusz: tadek
krystyna: krysia | jadwiga: jadzia | urszula: ula | izabela: iza | stanislaw: stas stasiek
grzegorz: grzes | michal: michas
alexander: sasha sascha shura | aleksandr: sasha shura | oleksandr: sasha
mikhail: misha | dmitri: dima | dmitry: dima | ekaterina: katya | yekaterina: katya
yelena: lena | elena: lena | daria: dasha | darya: dasha | anastasia: nastya nastia
tatiana: tanya tania | tatyana: tanya | sergei: seryozha serezha | sergey: seryozha
vladimir: volodya vova | volodymyr: volodya | natalia: natasha | natalya: natasha
svetlana: sveta | irina: ira | yulia: yulya | nikolai: kolya | mykola: kolya
ivan: vanya | pavel: pasha | alexei: lyosha alyosha | aleksei: lyosha
konstantin: kostya | evgeny: zhenya | yevgeny: zhenya | evgenia: zhenya
lyudmila: lyuda mila | valentina: valya | yuri: yura | grigory: grisha | viktor: vitya
pyotr: petya | petro: petya | galina: galya | ksenia: ksyusha | sofia: sonya sofi
vyacheslav: slava | yaroslav: slava | stanislav: stas | olga: olya
karthik: karthi | venkatesh: venky | venkat: venky | ashwin: ash | ashok: ash
gaurav: gary | srinivas: srini | rajesh: raj | rajendra: raj | priyanka: priya
subramanian: subbu | balasubramanian: balu bala | krishna: kris | sriram: sri
oluwaseun: seun | adebayo: bayo | ifeanyi: ify | ifeoma: ify | chukwuemeka: emeka
oluwafemi: femi | oluwatobi: tobi | babatunde: tunde | temitope: tope | adewale: wale
olawale: wale | oluwakemi: kemi | olufunmilayo: funmi | chinonso: nonso | obinna: obi
mohammed: mo | muhammad: mo | mohamed: mo | abdullah: abdu
susan: suzy | katherine: katie kathy | jean: jp
"""
"""Common short forms outside the English tables of the `nicknames` package: Spanish,
Portuguese, Italian, German, Dutch, French, Polish, Russian and Ukrainian, Indian, Yoruba and
Igbo, Arabic. A short form unknown here is a different given name, which vetoes a link even
on a shared phone and makes that phone look shared by different people (one "Masha" record
then split Maria Smirnova's mobile): what is missing costs recall, so common ones are listed."""


@cache
def _more_canonicals() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for group in _MORE_NICKNAMES.replace("\n", "|").split("|"):
        if ":" not in group:
            continue
        canonical, short_forms = group.split(":", 1)
        for short in short_forms.split():
            found.setdefault(short.strip(), set()).add(canonical.strip())
    return {short: frozenset(names) for short, names in found.items()}


def _canonicals(name: str) -> set[str]:
    return set(nicknamer().canonicals_of(name)) | set(_more_canonicals().get(name, ()))


@cache
def nicknamer() -> NickNamer:
    """The nickname tables, loaded once on first use (parsing the CSV takes a few ms)."""
    return NickNamer()


@lru_cache(maxsize=_MEMO)
def are_nicknames(a: str, b: str) -> bool:
    """Whether two different given names are known variants of each other.

    True when one is a nickname of the other (Bob = Robert, in either order) or both are
    nicknames of the same name (Bob = Rob, both Robert). Identical names are not nicknames:
    the comparison has an `exact` level for them.
    """
    a, b = fold(a), fold(b)
    if not a or not b or a == b:
        return False
    canonicals_a = _canonicals(a)
    canonicals_b = _canonicals(b)
    return a in canonicals_b or b in canonicals_a or bool(canonicals_a & canonicals_b)


@lru_cache(maxsize=_MEMO)
def names_of(name: str) -> frozenset[str]:
    """The name, the names it is a nickname of and its own nicknames: what a nickname with a
    typo is checked against."""
    folded = fold(name)
    return frozenset({folded, *_canonicals(folded), *nicknamer().nicknames_of(folded)})


@lru_cache(maxsize=_MEMO)
def nickname_variants(name: str, limit: int = 2) -> tuple[str, ...]:
    """The name itself, then up to `limit` names it is a nickname of, best known first.

    Blocking needs a few shared spellings, not a single canonical form: the nickname data
    has no single right answer ("bill" is listed under robert, william, will and willis), so
    two records share a key when one's name is among the other's variants. Canonical names
    with more nicknames are the more common ones and come first; ties go alphabetically.
    """
    namer = nicknamer()
    canonicals = sorted(namer.canonicals_of(name), key=lambda c: (-len(namer.nicknames_of(c)), c))
    return (name, *(c for c in canonicals[:limit] if c != name))


@lru_cache(maxsize=_MEMO)
def phonetic(token: str) -> str:
    """Metaphone code of a folded token ("smith" and "smyth" -> "SM0").

    Metaphone rather than NYSIIS: it codes the first letter by sound too (Catherine/Kathryn,
    Christine/Kristine agree; NYSIIS keeps the written first letter) and drops the vowels that
    spelling variants mostly differ in (Smith/Smyth, Garcia/Garsia, Mueller/Muller), with no
    length cap that would merge long names. Tokens Metaphone cannot code (digits, "aa") are
    returned as they are, so the result is never empty for a non-empty token.
    """
    return jellyfish.metaphone(token) or token
