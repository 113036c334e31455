"""No personal data in logs: every Python log record of a run that handles personal data,
errors included, captured at DEBUG, holds none of it."""

from __future__ import annotations

import logging

import grpc
import pytest

from singleview.config import SecuritySettings, Settings
from singleview.v1 import identity_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.auth import bearer, create_token
from tests.support.builders import email
from tests.support.personal_data import personal_data_in, run_personal_data_scenario
from tests.support.server import ServerThread


def test_no_log_record_holds_personal_data(
    caplog: pytest.LogCaptureFixture, clean_database: str
) -> None:
    caplog.set_level(logging.DEBUG)
    running = ServerThread(clean_database, Settings(security=SecuritySettings(auth=True))).start()
    try:
        admin = bearer(create_token(clean_database, "ops", "admin"))
        with grpc.insecure_channel(running.target) as channel:
            run_personal_data_scenario(channel, admin)
            with pytest.raises(grpc.RpcError):
                IdentityServiceStub(channel).Lookup(
                    identity_service_pb2.LookupRequest(identifiers=[email("zebulon.q@x.org")])
                )
    finally:
        running.stop()

    assert caplog.records, "the run logged nothing: the check would be empty"
    text = "\n".join(caplog.handler.format(record) for record in caplog.records)
    assert personal_data_in(text) == []
    assert "erasure" in text  # the run reached the end
