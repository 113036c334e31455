"""The channel our own command-line clients open: plaintext on loopback, TLS when configured.

The server's TLS settings (SINGLEVIEW_TLS_CERT/_KEY, _CLIENT_CA) have a client-side twin here:
the CA that signed the server's certificate, and for mutual TLS the client's certificate and
key. Paths come from flags or the environment, never from the file being imported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc


class ClientTlsError(ValueError):
    """A TLS setting of the client is incomplete or unreadable; the message says which."""


@dataclass(frozen=True)
class ClientTls:
    ca: Path | None = None
    """PEM CA bundle that signed the server's certificate; None trusts the system's roots."""

    cert: Path | None = None
    """PEM client certificate chain, for a server that requires client certificates."""

    key: Path | None = None

    def credentials(self) -> grpc.ChannelCredentials:
        if (self.cert is None) != (self.key is None):
            raise ClientTlsError("a client certificate and its key go together")
        return grpc.ssl_channel_credentials(
            root_certificates=_read(self.ca, "CA bundle"),
            private_key=_read(self.key, "client key"),
            certificate_chain=_read(self.cert, "client certificate"),
        )


def _read(path: Path | None, what: str) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ClientTlsError(f"cannot read the {what} {path} ({exc.strerror})") from None


def client_tls(
    *,
    ca: Path | None = None,
    cert: Path | None = None,
    key: Path | None = None,
    tls: bool = False,
    environ: Mapping[str, str] = {},
) -> ClientTls | None:
    """TLS settings from flags, else SINGLEVIEW_TLS_CA / _CLIENT_CERT / _CLIENT_KEY.

    None (plaintext) unless one of them is given or `tls` asks for it (system roots)."""

    def path(given: Path | None, variable: str) -> Path | None:
        if given is not None:
            return given
        value = environ.get(variable, "").strip()
        return Path(value) if value else None

    found = ClientTls(
        ca=path(ca, "SINGLEVIEW_TLS_CA"),
        cert=path(cert, "SINGLEVIEW_TLS_CLIENT_CERT"),
        key=path(key, "SINGLEVIEW_TLS_CLIENT_KEY"),
    )
    if tls or found != ClientTls():
        return found
    return None


def open_channel(
    target: str, tls: ClientTls | None, options: Sequence[tuple[str, Any]] = ()
) -> grpc.Channel:
    if tls is None:
        return grpc.insecure_channel(target, options=list(options))
    return grpc.secure_channel(target, tls.credentials(), options=list(options))
