"""Reading the rich error details (AIP-193) a failed call carries."""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status


@dataclass(frozen=True)
class RichError:
    code: grpc.StatusCode
    reason: str
    violations: dict[str, str]
    metadata: dict[str, str] = field(default_factory=dict)


def rich_error(error: grpc.RpcError) -> RichError:
    assert isinstance(error, grpc.Call)
    status = rpc_status.from_call(error)
    assert status is not None, "the error carries no google.rpc.Status"
    reason = ""
    metadata: dict[str, str] = {}
    violations: dict[str, str] = {}
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
            metadata = dict(info.metadata)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations = {v.field: v.description for v in bad.field_violations}
    return RichError(error.code(), reason, violations, metadata)
