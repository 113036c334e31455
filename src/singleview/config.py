"""Typed, frozen settings, loaded once in `main()` from SINGLEVIEW_* variables and flags."""

from __future__ import annotations

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


@dataclass(frozen=True)
class MatchingSettings:
    model_path: Path | None = None
    """The Fellegi–Sunter model (TOML); None uses the packaged default."""

    candidates_per_key: int = 30
    """Newest records fetched per blocking key: bounds the cost of a resolve as the store grows."""

    records_per_customer: int = 20
    """Newest records of a candidate customer compared with the incoming record."""

    max_candidate_customers: int = 40
    """Customers judged per resolve; identifier holders come first."""

    generic_after_customers: int = 3
    """An identifier held by this many different customers is generic."""

    placeholders: tuple[tuple[str, str], ...] = DEFAULT_PLACEHOLDERS


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


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    """Address the gRPC server binds."""

    port: int = 50051
    """gRPC port; 0 picks a free one (the chosen port is printed)."""

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

    normalization: NormalizationSettings = field(default_factory=NormalizationSettings)
    limits: Limits = field(default_factory=Limits)
    matching: MatchingSettings = field(default_factory=MatchingSettings)

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given fields replaced; `None` values keep the current one."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


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
        data_dir=Path(env["SINGLEVIEW_DATA_DIR"])
        if "SINGLEVIEW_DATA_DIR" in env
        else base.data_dir,
        database_url=env.get("SINGLEVIEW_DATABASE_URL") or None,
        pool_min_size=int(env.get("SINGLEVIEW_POOL_MIN_SIZE", base.pool_min_size)),
        pool_max_size=int(env.get("SINGLEVIEW_POOL_MAX_SIZE", base.pool_max_size)),
        normalization=normalization,
    )
