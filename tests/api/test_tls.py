"""TLS and mutual TLS on the gRPC port, configured by certificate paths in the settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import grpc
import pytest
from google.protobuf import json_format

from singleview import cli
from singleview.client.channel import ClientTls, ClientTlsError, client_tls
from singleview.config import ConfigError, SecuritySettings, Settings
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.auth import Metadata, bearer, create_token
from tests.support.builders import phone, record
from tests.support.certificates import Certificates, make_certificates
from tests.support.server import ServerThread


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


def _tls(certificates: Certificates, *, mutual: bool = False, auth: bool = False) -> Settings:
    return Settings(
        security=SecuritySettings(
            auth=auth,
            tls_cert=certificates.server_cert,
            tls_key=certificates.server_key,
            tls_client_ca=certificates.ca if mutual else None,
        )
    )


def _credentials(certificates: Certificates, *, client_cert: bool) -> grpc.ChannelCredentials:
    return grpc.ssl_channel_credentials(
        root_certificates=certificates.ca.read_bytes(),
        private_key=certificates.client_key.read_bytes() if client_cert else None,
        certificate_chain=certificates.client_cert.read_bytes() if client_cert else None,
    )


@pytest.fixture
def tls_server(certificates: Certificates, clean_database: str) -> Iterator[ServerThread]:
    running = ServerThread(clean_database, _tls(certificates, auth=True)).start()
    yield running
    running.stop()


@pytest.fixture
def mtls_server(certificates: Certificates, clean_database: str) -> Iterator[ServerThread]:
    running = ServerThread(clean_database, _tls(certificates, mutual=True)).start()
    yield running
    running.stop()


def _resolve(channel: grpc.Channel, metadata: Metadata | None = None) -> str:
    response = IdentityServiceStub(channel).Resolve(
        record("crm", "1", phone("3125550100")), metadata=metadata, timeout=10
    )
    return response.customer.name


def test_a_tls_server_answers_tls_clients_with_tokens(
    tls_server: ServerThread, certificates: Certificates, clean_database: str
) -> None:
    token = create_token(clean_database, "pos-eu", "channel")
    credentials = _credentials(certificates, client_cert=False)
    with grpc.secure_channel(tls_server.target, credentials) as channel:
        assert _resolve(channel, bearer(token)).startswith("customers/")


def test_a_tls_server_refuses_plaintext(tls_server: ServerThread) -> None:
    with (
        grpc.insecure_channel(tls_server.target) as channel,
        pytest.raises(grpc.RpcError) as raised,
    ):
        _resolve(channel)
    assert isinstance(raised.value, grpc.Call)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


def test_mutual_tls_needs_a_client_certificate(
    mtls_server: ServerThread, certificates: Certificates
) -> None:
    with grpc.secure_channel(
        mtls_server.target, _credentials(certificates, client_cert=True)
    ) as channel:
        assert _resolve(channel).startswith("customers/")
    with (
        grpc.secure_channel(
            mtls_server.target, _credentials(certificates, client_cert=False)
        ) as channel,
        pytest.raises(grpc.RpcError) as raised,
    ):
        _resolve(channel)
    assert isinstance(raised.value, grpc.Call)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


def test_half_a_tls_configuration_is_refused(certificates: Certificates, tmp_path: Path) -> None:
    settings = _tls(certificates)
    with pytest.raises(ConfigError):
        replace(settings, security=replace(settings.security, tls_key=None)).check_security()
    with pytest.raises(ConfigError):
        Settings(security=SecuritySettings(tls_client_ca=certificates.ca)).check_security()


def test_an_unreadable_certificate_is_a_configuration_error(
    certificates: Certificates, clean_database: str, tmp_path: Path
) -> None:
    settings = _tls(certificates)
    missing = replace(settings, security=replace(settings.security, tls_cert=tmp_path / "none"))
    with pytest.raises(ConfigError, match="SINGLEVIEW_TLS_CERT"):
        ServerThread(clean_database, missing).start()


def _records_file(directory: Path) -> Path:
    lines = [
        json_format.MessageToJson(record("crm", f"r-{n}", phone(f"312555010{n}")), indent=None)
        for n in range(3)
    ]
    path = directory / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_singleview_import_speaks_mutual_tls(
    mtls_server: ServerThread,
    certificates: Certificates,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    records = _records_file(tmp_path)
    common = ["import", str(records), "--target", mtls_server.target, "--no-progress"]
    client = [
        "--tls-cert",
        str(certificates.client_cert),
        "--tls-key",
        str(certificates.client_key),
    ]

    assert cli.main([*common, "--tls-ca", str(certificates.ca), *client]) == 0
    assert "imported:  3" in capsys.readouterr().out

    assert cli.main([*common, "--tls-ca", str(certificates.ca)]) == 2  # no client certificate
    assert "failed" in capsys.readouterr().err


def test_import_tls_settings_come_from_flags_or_the_environment(
    certificates: Certificates,
) -> None:
    environ = {"SINGLEVIEW_TLS_CA": str(certificates.ca)}
    assert client_tls(environ={}) is None
    assert client_tls(tls=True, environ={}) == ClientTls()
    assert client_tls(environ=environ) == ClientTls(ca=certificates.ca)
    assert client_tls(ca=Path("other.pem"), environ=environ) == ClientTls(ca=Path("other.pem"))
    with pytest.raises(ClientTlsError, match="go together"):
        ClientTls(cert=certificates.client_cert).credentials()
