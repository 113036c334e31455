"""Security settings, the permission each RPC needs, and the log redaction filter."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from singleview.api.auth import required_permission
from singleview.config import ConfigError, Settings, load_settings
from singleview.domain.security import ROLE_PERMISSIONS, Caller, Permission, Role
from singleview.redaction import PersonalDataFilter, mask_personal_data
from tests.support.rpc import every_rpc


@pytest.mark.parametrize(
    ("host", "auth", "expected"),
    [
        ("127.0.0.1", None, False),
        ("localhost", None, False),
        ("::1", None, False),
        ("127.0.0.2", None, False),
        ("0.0.0.0", None, True),
        ("::", None, True),
        ("10.1.2.3", None, True),
        ("api.example.internal", None, True),
        ("127.0.0.1", "on", True),
        ("0.0.0.0", "auto", True),
    ],
)
def test_authentication_is_on_unless_serving_on_loopback(
    host: str, auth: str | None, expected: bool
) -> None:
    env = {"SINGLEVIEW_HOST": host, **({"SINGLEVIEW_AUTH": auth} if auth else {})}
    settings = load_settings(env)
    assert settings.auth_enabled is expected
    settings.check_security()


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::"])
def test_serving_beyond_loopback_without_authentication_is_refused(host: str) -> None:
    settings = load_settings({"SINGLEVIEW_HOST": host, "SINGLEVIEW_AUTH": "off"})
    with pytest.raises(ConfigError, match="without authentication"):
        settings.check_security()


def test_security_settings_come_from_the_environment() -> None:
    settings = load_settings(
        {
            "SINGLEVIEW_AUTH": "ON",
            "SINGLEVIEW_TLS_CERT": "/etc/sv/cert.pem",
            "SINGLEVIEW_TLS_KEY": "/etc/sv/key.pem",
            "SINGLEVIEW_TLS_CLIENT_CA": "/etc/sv/ca.pem",
            "SINGLEVIEW_SUPPRESSED_IDENTIFIERS": "Allow",
        }
    )
    assert settings.security.auth is True
    assert settings.security.tls_cert == Path("/etc/sv/cert.pem")
    assert settings.security.tls_client_ca == Path("/etc/sv/ca.pem")
    assert settings.tls_enabled
    assert settings.privacy.suppressed_identifiers == "allow"


def test_bad_security_values_are_configuration_errors() -> None:
    with pytest.raises(ConfigError, match="SINGLEVIEW_AUTH"):
        load_settings({"SINGLEVIEW_AUTH": "maybe"})
    with pytest.raises(ConfigError, match="SUPPRESSED_IDENTIFIERS"):
        load_settings({"SINGLEVIEW_SUPPRESSED_IDENTIFIERS": "ignore"}).check_security()
    Settings().check_security()


@pytest.mark.parametrize("rpc", every_rpc(), ids=str)
def test_every_rpc_of_the_contract_has_a_permission(rpc: object) -> None:
    assert required_permission(str(rpc)) is not Permission.ADMINISTER


def test_methods_nobody_mapped_are_for_admins_only() -> None:
    assert required_permission("/singleview.v1.IdentityService/Forget") is Permission.ADMINISTER
    assert required_permission("/other.Service/Resolve") is Permission.ADMINISTER
    assert (
        required_permission("/singleview.v1.ClientelingService/RecordVisit")
        is Permission.RECORD_VISITS
    )
    admins = {
        role for role, granted in ROLE_PERMISSIONS.items() if Permission.ADMINISTER in granted
    }
    assert admins == {Role.ADMIN}


def test_an_unauthenticated_caller_may_do_anything_an_authenticated_one_only_its_role() -> None:
    assert Caller("dev").may(Permission.ERASE)
    assert not Caller("pos", Role.CHANNEL, authenticated=True).may(Permission.ERASE)
    assert Caller("ops", Role.ADMIN, authenticated=True).may(Permission.ERASE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail ann.lee+x@gmail.com failed", "mail [redacted] failed"),
        ("phone +13125550100 busy", "phone [redacted] busy"),
        ("serving on 127.0.0.1:50051", "serving on 127.0.0.1:50051"),
        ("applied migration 0005_security", "applied migration 0005_security"),
        ("customers/01hx9w 3 records", "customers/01hx9w 3 records"),
    ],
)
def test_log_text_is_masked_where_it_looks_like_an_email_or_phone(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


def test_the_log_filter_keeps_exception_types_and_frames_but_not_messages() -> None:
    value = "invalid literal: ann.lee@example.com Ann Lee"
    try:
        raise ValueError(value)
    except ValueError as exc:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "failed for %s", ("x@y.org",), None
        )
        record.exc_info = (type(exc), exc, exc.__traceback__)
    PersonalDataFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "Ann Lee" not in text and "@" not in text
    assert "ValueError (message withheld)" in text
    assert "test_security.py" in text
