"""IdentityService: convert, call the resolve service, convert back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc

from singleview.api import convert, household_convert
from singleview.api.batches import batches
from singleview.domain.errors import DomainError, InvalidArgument
from singleview.domain.records import ResolveInput
from singleview.service.bulk_import import BulkImporter
from singleview.service.households import household_name
from singleview.service.names import customer_name
from singleview.service.resolve import ResolveService
from singleview.v1 import identity_service_pb2 as pb
from singleview.v1 import identity_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext[Any, Any]


def _import_error(error: DomainError) -> pb.ImportError:
    violations = error.violations if isinstance(error, InvalidArgument) else []
    return pb.ImportError(
        code=error.code,
        reason=error.reason,
        message=error.message,
        field_violations=[
            pb.ImportFieldViolation(field=v.field, description=v.description) for v in violations
        ],
    )


def _import_input(request: pb.ResolveRequest) -> ResolveInput | DomainError:
    try:
        return convert.resolve_input(request)
    except DomainError as error:
        return error


class IdentityServicer(pb_grpc.IdentityServiceServicer):
    def __init__(self, resolver: ResolveService) -> None:
        self.resolver = resolver
        self.importer = BulkImporter(resolver)
        self.import_batch = resolver.settings.import_batch

    async def Resolve(self, request: pb.ResolveRequest, context: Context) -> pb.ResolveResponse:
        result = await self.resolver.resolve(convert.resolve_input(request))
        return pb.ResolveResponse(
            customer=convert.customer_to_pb(result.customer),
            decision=convert.DECISION_TO_PB[result.decision],
            evidence=[convert.evidence_to_pb(e) for e in result.evidence],
            outcome=convert.OUTCOME_TO_PB[result.outcome],
            merged_customers=[customer_name(i) for i in result.merged_customer_ids],
        )

    async def ImportRecords(
        self, request_iterator: AsyncIterator[pb.ResolveRequest], context: Context
    ) -> AsyncIterator[pb.ImportResult]:
        """One result per request, in order; a bad request fails alone, never the stream.

        Requests are resolved in batches of what has arrived meanwhile (one transaction each,
        service/bulk_import.py), while the next ones are read.
        """
        index = 0
        async for batch in batches(request_iterator, self.import_batch):
            inputs = [_import_input(request) for request in batch]
            valid = [i for i in inputs if not isinstance(i, DomainError)]
            answers = iter(await self.importer.resolve_batch(valid))
            for request, given in zip(batch, inputs, strict=True):
                answer = given if isinstance(given, DomainError) else next(answers)
                result = pb.ImportResult(
                    index=index, source=request.source, record_id=request.record_id
                )
                if isinstance(answer, DomainError):
                    result.error.CopyFrom(_import_error(answer))
                else:
                    result.customer = customer_name(answer.customer_id)
                    result.decision = convert.DECISION_TO_PB[answer.decision]
                    result.outcome = convert.OUTCOME_TO_PB[answer.outcome]
                yield result
                index += 1

    async def Lookup(self, request: pb.LookupRequest, context: Context) -> pb.LookupResponse:
        result = await self.resolver.lookup(
            convert.raw_identifiers(request.identifiers),
            convert.raw_attributes(request.attributes),
            household_convert.raw_last4(request.last4),
        )
        response = pb.LookupResponse(
            found=result.customer is not None,
            decision=convert.DECISION_TO_PB[result.decision],
            evidence=[convert.evidence_to_pb(e) for e in result.evidence],
            candidates=[customer_name(i) for i in result.candidate_ids],
            ranked_candidates=household_convert.candidates_to_pb(result.ambiguity),
            household=household_name(result.household_id) if result.household_id else "",
        )
        if result.ambiguity is not None and result.ambiguity.question is not None:
            response.question.CopyFrom(household_convert.question_to_pb(result.ambiguity.question))
        if result.customer is not None:
            response.customer.CopyFrom(convert.customer_to_pb(result.customer))
        return response
