"""Typed, frozen settings, loaded once in `main()` from SINGLEVIEW_* variables and flags."""

from __future__ import annotations

import enum
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

DEFAULT_CANONICAL_EMAIL_DOMAINS: tuple[str, ...] = ("gmail.com", "googlemail.com")
"""Mailbox providers that ignore dots in the local part and everything after a `+`."""


@dataclass(frozen=True)
class NormalizationSettings:
    default_region: str = "US"
    """Region used to read phone numbers written without a country code (ISO 3166 alpha-2)."""

    canonical_email_domains: tuple[str, ...] = DEFAULT_CANONICAL_EMAIL_DOMAINS
    """Providers whose mailboxes ignore dots and `+tags`; their addresses get a canonical form."""

    canonical_email_domain_alias: Mapping[str, str] = field(
        default_factory=lambda: {"googlemail.com": "gmail.com"}
    )
    """Domains that are another name of one mailbox provider."""


DEFAULT_PLACEHOLDERS: tuple[tuple[str, str], ...] = (
    ("DEVICE_ID", r"0{8}-0{4}-0{4}-0{4}-0{12}"),
    (
        "EMAIL",
        r"(no|none|noemail|nomail|no-email|noreply|no-reply|donotreply|do-not-reply|"
        r"unknown|na|n/a|null|test|email|customer)@.*",
    ),
    ("EMAIL", r".*@(example\.invalid|noemail\.com|none\.com|email\.invalid)"),
)
r"""Known placeholder values (kind, full-match regex on the normalized value): never proof of
identity. Fictional 555-01xx phone numbers are not in the default list because test and demo data
use them as real numbers; add `("PHONE", r"\+1\d{3}55501\d{2}")` where they are placeholders."""

DEFAULT_SHARED_BY_NAME: tuple[tuple[str, str], ...] = (
    ("EMAIL", r"[^@]*(family|household|familia|famille|familie)[^@]*@.+"),
)
"""Identifiers whose very name says a household shares them (kind, full-match regex on the
normalized value): "thegarciafamily@", "smith.household@". They are generic from their first
sighting, as if learned: they still find the family and count as a household's small group, but
never prove who of the family wrote. Waiting to learn it from the data means the first nameless
sign-up on the mailbox is handed to whichever member used it first, and later merges follow."""


@dataclass(frozen=True)
class MatchingSettings:
    model_path: Path | None = None
    """The Fellegi–Sunter model (TOML); None uses the packaged default."""

    candidates_per_key: int = 30
    """Newest records fetched per blocking key: bounds the cost of a resolve as the store grows."""

    records_per_customer: int = 20
    """Newest records of a candidate customer compared with the incoming record."""

    max_candidate_customers: int = 16
    """Customers judged per resolve: holders of its identifiers first, then the customers whose
    records share the most blocking keys with it (`blocking.ranked_hits`). Bounds the cost of a
    resolve once common names fill their keys. On 20,000 synthetic people (bench.accuracy),
    every link to a customer found by blocking alone came from its first 15 in that order (99%
    from the first 3); 40 in record order cost 2.5 times the comparisons for the same clusters."""

    generic_after_customers: int = 3
    """An identifier held by this many different customers is generic."""

    placeholders: tuple[tuple[str, str], ...] = DEFAULT_PLACEHOLDERS

    shared_by_name: tuple[tuple[str, str], ...] = DEFAULT_SHARED_BY_NAME


@dataclass(frozen=True)
class Limits:
    """Bounds on request size, so one hostile request cannot exhaust the service."""

    max_identifiers: int = 50
    max_string_length: int = 512
    max_name_length: int = 256
    max_address_lines: int = 8
    max_page_size: int = 500
    default_page_size: int = 50
    max_message_bytes: int = 4 * 1024 * 1024
    max_streams_per_caller: int = 32
    """Streams (watches, imports) one caller may hold open at once: a runaway client cannot
    take every worker. With authentication off, all callers are one caller."""

    stream_messages_per_second: float = 20_000.0
    """Pace at which one client stream (an import) is read: flow control slows a faster sender
    down instead of letting it queue without bound; lossless for honest clients."""


class SurvivorshipRule(enum.Enum):
    """How the golden record picks one value of an attribute among the customer's records."""

    MOST_RECENT = "most_recent"
    """The value of the record observed last: people move and change names."""

    SOURCE_PRIORITY = "source_priority"
    """The value of the most trusted source (`AttributeRule.sources`, first is best); among
    records of one source, or of sources not listed, the most recent."""

    MOST_FREQUENT = "most_frequent"
    """The value most records agree on (compared folded); ties go to the most recent."""

    LONGEST = "longest"
    """The longest value ("Jonathan" over "Jon", a full address over a postal code); ties go to
    the most recent."""


@dataclass(frozen=True)
class AttributeRule:
    rule: SurvivorshipRule = SurvivorshipRule.MOST_RECENT
    sources: tuple[str, ...] = ()
    """For SOURCE_PRIORITY: source names, most trusted first."""


GOLDEN_ATTRIBUTES: tuple[str, ...] = (
    "given_name",
    "family_name",
    "full_name",
    "birth_date",
    "address",
)
"""The attributes of a golden record; the address is one attribute, never mixed from parts."""


@dataclass(frozen=True)
class SurvivorshipSettings:
    """Per-attribute survivorship; attributes not named use `default`."""

    default: AttributeRule = field(default_factory=AttributeRule)
    rules: Mapping[str, AttributeRule] = field(default_factory=dict)

    def rule_for(self, attribute: str) -> AttributeRule:
        return self.rules.get(attribute, self.default)


def parse_survivorship(text: str) -> SurvivorshipSettings:
    """`SINGLEVIEW_SURVIVORSHIP`: `;`-separated `attribute=rule[:source,source...]` items.

    `*` names the default: "*=most_recent;birth_date=source_priority:crm,pos;given_name=longest".
    Raises ConfigError naming the bad item, so start-up fails loudly on a typo.
    """
    default = AttributeRule()
    rules: dict[str, AttributeRule] = {}
    for item in (part.strip() for part in text.split(";")):
        if not item:
            continue
        attribute, equals, spec = item.partition("=")
        rule_name, _, sources = spec.partition(":")
        attribute = attribute.strip()
        if not equals or (attribute != "*" and attribute not in GOLDEN_ATTRIBUTES):
            raise ConfigError(f"SINGLEVIEW_SURVIVORSHIP: unknown attribute in {item!r}")
        try:
            rule = SurvivorshipRule(rule_name.strip().lower())
        except ValueError:
            raise ConfigError(f"SINGLEVIEW_SURVIVORSHIP: unknown rule in {item!r}") from None
        sources_list = tuple(s.strip() for s in sources.split(",") if s.strip())
        if attribute == "*":
            default = AttributeRule(rule, sources_list)
        else:
            rules[attribute] = AttributeRule(rule, sources_list)
    return SurvivorshipSettings(default, rules)


@dataclass(frozen=True)
class ClientelingSettings:
    """Search, profile card and preferences: what a store associate's tablet asks for."""

    search_candidates: int = 100
    """Rows fetched per index (names, phone digits, emails, loyalty numbers) per search: bounds
    the cost of a search however large the store grows."""

    search_name_scan: int = 2000
    """Name matches compared with the query to pick the `search_candidates` most similar."""

    search_namesakes: int = 20
    """Records of one exact name among a name lookup's candidates: a common name's holders
    leave room for the rarer names a typo may have meant."""

    search_min_score: float = 0.5
    """Matches scoring below this are not shown."""

    search_name_similarity: float = 0.4
    """pg_trgm similarity a folded name needs to be a typo candidate."""

    search_good_name: float = 0.8
    """A name lookup widens (pairs, first letters and sounds, trigrams) until a candidate's name
    scores this well against the query's words."""

    search_email_similarity: float = 0.4
    """pg_trgm similarity a mailbox name needs to be a near-email candidate."""

    search_min_suffix_digits: int = 4
    """Fewest trailing phone digits a search looks up; fewer are ignored."""

    search_suffix_alone_digits: int = 7
    """Trailing digits that are looked up on their own; shorter suffixes need a name beside
    them, since four digits alone are shared by one customer in ten thousand."""

    search_max_query_length: int = 256

    card_recent_purchases: int = 5
    card_store_visits: int = 5
    card_latest_contacts: int = 10
    """Lengths of the profile card's lists."""


class ConfigError(ValueError):
    """A setting has a value the service cannot run with; the message says which and why."""


@dataclass(frozen=True)
class SecuritySettings:
    """Who may connect, and how: bearer tokens (README "Security") and optional (mutual) TLS."""

    auth: bool | None = None
    """Bearer-token authentication. None (SINGLEVIEW_AUTH unset) decides by the bind address:
    on for any address but loopback, off on loopback so the quick start needs no token."""

    tls_cert: Path | None = None
    """PEM certificate chain of the server; with `tls_key` the gRPC port speaks TLS only."""

    tls_key: Path | None = None
    """PEM private key of `tls_cert`."""

    tls_client_ca: Path | None = None
    """PEM CA bundle; when set, clients must present a certificate it signed (mutual TLS)."""


SUPPRESSION_POLICIES = ("reject", "allow")


@dataclass(frozen=True)
class PrivacySettings:
    suppressed_identifiers: str = "reject"
    """What a Resolve carrying an identifier of an erased customer gets. `reject`:
    FAILED_PRECONDITION, reason IDENTIFIER_SUPPRESSED. `allow`: it may build a new profile; the
    suppression is lifted and the return is written to the audit log, so it is never silent."""


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    """Address the gRPC server binds."""

    port: int = 50051
    """gRPC port; 0 picks a free one (the chosen port is printed)."""

    console_port: int | None = 8080
    """HTTP port of the stewards' web console, bound on `host` beside gRPC; 0 picks a free one
    (printed), None (SINGLEVIEW_CONSOLE_PORT=off) serves no console."""

    data_dir: Path = field(
        default_factory=lambda: Path(platformdirs.user_data_dir("singleview", appauthor=False))
    )
    """Holds the embedded PostgreSQL cluster when no database URL is given."""

    database_url: str | None = None
    """A PostgreSQL server to use instead of the embedded one."""

    pool_min_size: int = 2
    pool_max_size: int = 16
    """Connections per process; sized to the concurrent calls one process serves."""

    shutdown_grace_seconds: float = 10.0
    """How long in-flight calls may take to finish after SIGTERM."""

    resolve_retries: int = 8
    """How often a resolve is retried after a deadlock or serialization conflict."""

    import_batch: int = 500
    """Most records ImportRecords resolves in one transaction (of those that have arrived): a
    commit and a round of advisory locks spread over many, little lost when one is retried."""

    normalization: NormalizationSettings = field(default_factory=NormalizationSettings)
    limits: Limits = field(default_factory=Limits)
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    survivorship: SurvivorshipSettings = field(default_factory=SurvivorshipSettings)
    clienteling: ClientelingSettings = field(default_factory=ClientelingSettings)

    @property
    def auth_enabled(self) -> bool:
        """Whether calls need a bearer token: as configured, else on unless bound to loopback."""
        if self.security.auth is not None:
            return self.security.auth
        return not is_loopback(self.host)

    @property
    def tls_enabled(self) -> bool:
        return self.security.tls_cert is not None

    def check_security(self) -> None:
        """Refuse configurations that would expose customer data: ConfigError says why."""
        security = self.security
        if not is_loopback(self.host) and not self.auth_enabled:
            raise ConfigError(
                f"refusing to serve on {self.host} without authentication: "
                "unset SINGLEVIEW_AUTH (or set it to on), or bind to 127.0.0.1"
            )
        if (security.tls_cert is None) != (security.tls_key is None):
            raise ConfigError("SINGLEVIEW_TLS_CERT and SINGLEVIEW_TLS_KEY go together")
        if security.tls_client_ca is not None and security.tls_cert is None:
            raise ConfigError("SINGLEVIEW_TLS_CLIENT_CA needs SINGLEVIEW_TLS_CERT and _KEY")
        if self.privacy.suppressed_identifiers not in SUPPRESSION_POLICIES:
            raise ConfigError(
                "SINGLEVIEW_SUPPRESSED_IDENTIFIERS must be one of "
                + ", ".join(SUPPRESSION_POLICIES)
            )

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given fields replaced; `None` values keep the current one."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


_ON = ("on", "true", "1", "yes")
_OFF = ("off", "false", "0", "no")


def _switch(env: Mapping[str, str], name: str) -> bool | None:
    value = env.get(name, "").strip().lower()
    if value in ("", "auto"):
        return None
    if value not in _ON + _OFF:
        raise ConfigError(f"{name} must be on or off (or auto), not {value!r}")
    return value in _ON


def _path(env: Mapping[str, str], name: str) -> Path | None:
    value = env.get(name, "").strip()
    return Path(value).expanduser() if value else None


def _security(env: Mapping[str, str]) -> SecuritySettings:
    return SecuritySettings(
        auth=_switch(env, "SINGLEVIEW_AUTH"),
        tls_cert=_path(env, "SINGLEVIEW_TLS_CERT"),
        tls_key=_path(env, "SINGLEVIEW_TLS_KEY"),
        tls_client_ca=_path(env, "SINGLEVIEW_TLS_CLIENT_CA"),
    )


def _console_port(env: Mapping[str, str]) -> int | None:
    value = env.get("SINGLEVIEW_CONSOLE_PORT", "").strip().lower()
    if value in _OFF:
        return None
    if not value:
        return Settings.console_port
    if not value.isdigit() or int(value) > 65535:
        raise ConfigError(f"SINGLEVIEW_CONSOLE_PORT must be a port number or off, not {value!r}")
    return int(value)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read SINGLEVIEW_* variables once; everything below receives the result."""
    env = os.environ if environ is None else environ
    base = Settings()
    normalization = NormalizationSettings(
        default_region=env.get("SINGLEVIEW_DEFAULT_REGION", "US").upper(),
        canonical_email_domains=_split_list(env["SINGLEVIEW_CANONICAL_EMAIL_DOMAINS"])
        if "SINGLEVIEW_CANONICAL_EMAIL_DOMAINS" in env
        else DEFAULT_CANONICAL_EMAIL_DOMAINS,
    )
    matching = MatchingSettings(
        model_path=Path(env["SINGLEVIEW_MATCH_MODEL"]) if "SINGLEVIEW_MATCH_MODEL" in env else None
    )
    return replace(
        base,
        matching=matching,
        host=env.get("SINGLEVIEW_HOST", base.host),
        port=int(env.get("SINGLEVIEW_PORT", base.port)),
        console_port=_console_port(env),
        data_dir=Path(env["SINGLEVIEW_DATA_DIR"])
        if "SINGLEVIEW_DATA_DIR" in env
        else base.data_dir,
        database_url=env.get("SINGLEVIEW_DATABASE_URL") or None,
        pool_min_size=int(env.get("SINGLEVIEW_POOL_MIN_SIZE", base.pool_min_size)),
        pool_max_size=int(env.get("SINGLEVIEW_POOL_MAX_SIZE", base.pool_max_size)),
        import_batch=max(1, int(env.get("SINGLEVIEW_IMPORT_BATCH", base.import_batch))),
        normalization=normalization,
        limits=replace(
            base.limits,
            max_streams_per_caller=int(
                env.get("SINGLEVIEW_MAX_STREAMS_PER_CALLER", base.limits.max_streams_per_caller)
            ),
            stream_messages_per_second=float(
                env.get(
                    "SINGLEVIEW_STREAM_MESSAGES_PER_SECOND",
                    base.limits.stream_messages_per_second,
                )
            ),
        ),
        survivorship=parse_survivorship(env.get("SINGLEVIEW_SURVIVORSHIP", "")),
        security=_security(env),
        privacy=PrivacySettings(
            suppressed_identifiers=env.get("SINGLEVIEW_SUPPRESSED_IDENTIFIERS", "reject")
            .strip()
            .lower()
        ),
    )
