"""Households and ambiguous answers: protobuf messages to domain values and back."""

from __future__ import annotations

from singleview.api import convert
from singleview.domain.households import (
    Ambiguity,
    Household,
    MemberOrigin,
    MemberRole,
    RawLast4,
    VerificationAttribute,
    VerificationQuestion,
)
from singleview.service.households import household_name
from singleview.service.names import customer_name
from singleview.v1 import common_pb2

_ORIGIN_TO_PB = {
    MemberOrigin.SHARED_IDENTIFIER: common_pb2.HOUSEHOLD_MEMBER_ORIGIN_SHARED_IDENTIFIER,
    MemberOrigin.STEWARD: common_pb2.HOUSEHOLD_MEMBER_ORIGIN_STEWARD,
}
_ATTRIBUTE_TO_PB = {
    VerificationAttribute.GIVEN_NAME: common_pb2.VERIFICATION_ATTRIBUTE_GIVEN_NAME,
    VerificationAttribute.BIRTH_DATE: common_pb2.VERIFICATION_ATTRIBUTE_BIRTH_DATE,
    VerificationAttribute.POSTAL_CODE: common_pb2.VERIFICATION_ATTRIBUTE_POSTAL_CODE,
    VerificationAttribute.LAST4: common_pb2.VERIFICATION_ATTRIBUTE_LAST4,
}


def raw_last4(message: common_pb2.IdentifierLast4) -> RawLast4 | None:
    if not message.digits and message.kind == common_pb2.IDENTIFIER_KIND_UNSPECIFIED:
        return None
    return RawLast4(convert.identifier_kind(message.kind), message.digits)


def household_to_pb(household: Household) -> common_pb2.Household:
    message = common_pb2.Household(
        name=household_name(household.id),
        members=[
            common_pb2.HouseholdMember(
                customer=customer_name(m.customer_id),
                origin=_ORIGIN_TO_PB[m.origin],
                evidence=[convert.evidence_to_pb(e) for e in m.evidence],
            )
            for m in household.members
            if m.role is MemberRole.MEMBER
        ],
        shared_identifiers=[convert.identifier_to_pb(i) for i in household.identifiers],
        contacts=[customer_name(c) for c in household.customer_ids(MemberRole.CONTACT)],
    )
    message.create_time.CopyFrom(convert.timestamp(household.create_time))
    message.update_time.CopyFrom(convert.timestamp(household.update_time))
    return message


def question_to_pb(question: VerificationQuestion) -> common_pb2.VerificationQuestion:
    return common_pb2.VerificationQuestion(
        attribute=_ATTRIBUTE_TO_PB[question.attribute],
        prompt=question.prompt,
        identifier_kind=convert.identifier_kind_to_pb(question.identifier_kind),
        separates=question.separates,
    )


def candidates_to_pb(ambiguity: Ambiguity | None) -> list[common_pb2.Candidate]:
    if ambiguity is None:
        return []
    return [
        common_pb2.Candidate(
            customer=customer_name(c.customer_id),
            score=c.score,
            evidence=[convert.evidence_to_pb(e) for e in c.evidence],
        )
        for c in ambiguity.candidates
    ]
