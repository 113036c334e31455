"""Names and request checks of the timeline: every violation reported at once, by proto path."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from singleview.config import Limits
from singleview.domain.errors import FieldViolation, InvalidArgument, ViolationCollector
from singleview.domain.identifiers import Identifier
from singleview.domain.timeline import (
    Direction,
    InteractionContent,
    InteractionDraft,
    InteractionFilter,
    InteractionState,
    InteractionUpdate,
    RecordInteractionInput,
)
from singleview.service.names import parse_customer_name
from singleview.service.paging import decode_page_token, encode_page_token
from singleview.service.timeline_settings import TimelineSettings
from singleview.service.validation import check_text

_INTERACTION_NAME = re.compile(r"^customers/([0-9a-z]{1,64})/interactions/([0-9a-z]{1,64})$")
_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~:@-]{0,127}$")
_CONVERSATION_PREFIX = "conversations/"
_ATTRIBUTE_KEY = re.compile(r"^[A-Za-z0-9_.:-]+$")
_PAGE_KIND = "interactions"

UPDATABLE_TEXT = ("summary", "transcript", "outcome", "agent_id", "team_id")
UPDATABLE = ("state", *UPDATABLE_TEXT, "attributes")
"""update_mask paths; `attributes.KEY` sets or (with an absent key) removes one attribute."""


def interaction_name(customer_id: str, interaction_id: str) -> str:
    return f"customers/{customer_id}/interactions/{interaction_id}"


def conversation_name(conversation_id: str) -> str:
    return f"{_CONVERSATION_PREFIX}{conversation_id}"


def parse_interaction_name(name: str, field_path: str = "name") -> tuple[str, str]:
    """(customer id, interaction id) of `customers/{c}/interactions/{i}`."""
    match = _INTERACTION_NAME.match(name)
    if match is None:
        description = "required" if not name else "must look like customers/{id}/interactions/{id}"
        raise InvalidArgument([FieldViolation(field_path, description)])
    return match.group(1), match.group(2)


def check_conversation_id(errors: ViolationCollector, path: str, value: str) -> str:
    """The id in `conversations/{id}` (a bare id is accepted too); "" when not given."""
    text = value.strip()
    if text.startswith(_CONVERSATION_PREFIX):
        text = text[len(_CONVERSATION_PREFIX) :]
    if value and not _CONVERSATION_ID.match(text):
        errors.add(path, "must look like conversations/{id}: letters, digits, ._~:@- (max 128)")
        return ""
    return text


def _check_free_text(errors: ViolationCollector, path: str, value: str, max_length: int) -> str:
    """Notes and transcripts: line breaks and tabs are fine, other control characters are not."""
    if len(value) > max_length:
        errors.add(path, f"longer than {max_length} characters")
    elif any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\r\t" for ch in value):
        errors.add(path, "contains control characters")
    return value.strip()


def _check_attributes(
    errors: ViolationCollector, path: str, attributes: dict[str, str], limits: Limits, cap: int
) -> dict[str, str]:
    if len(attributes) > cap:
        errors.add(path, f"at most {cap} attributes")
        return {}
    checked = {}
    for key, value in sorted(attributes.items()):
        if not _ATTRIBUTE_KEY.match(key) or len(key) > limits.max_name_length:
            errors.add(path, "keys are letters, digits and ._:- (at most one name long)")
            continue
        checked[key] = check_text(errors, f"{path}[{key}]", value, limits.max_string_length)
    return checked


def _check_texts(
    errors: ViolationCollector,
    path: str,
    draft: InteractionDraft,
    limits: Limits,
    timeline: TimelineSettings,
) -> dict[str, Any]:
    """The text fields of a draft, checked and trimmed, keyed by field name."""
    short = limits.max_name_length
    return {
        "summary": _check_free_text(
            errors, f"{path}.summary", draft.summary, timeline.max_summary_length
        ),
        "transcript": _check_free_text(
            errors, f"{path}.transcript", draft.transcript, timeline.max_transcript_length
        ),
        "outcome": check_text(errors, f"{path}.outcome", draft.outcome, limits.max_string_length),
        "agent_id": check_text(errors, f"{path}.agent_id", draft.agent_id, short),
        "team_id": check_text(errors, f"{path}.team_id", draft.team_id, short),
        "store_id": check_text(errors, f"{path}.store_id", draft.store_id, short),
        "attributes": _check_attributes(
            errors, f"{path}.attributes", dict(draft.attributes), limits, timeline.max_attributes
        ),
    }


def _check_who(errors: ViolationCollector, request: RecordInteractionInput) -> str:
    """The customer id the channel named, or "" when identifiers say who it is."""
    if request.customer:
        try:
            return parse_customer_name(request.customer, "customer")
        except InvalidArgument as exc:
            errors.violations.extend(exc.violations)
    elif not request.identifiers:
        errors.add("identifiers", "give the customer, or identifiers to resolve the contact")
    return ""


@dataclass(frozen=True)
class ValidRecord:
    """A checked RecordInteraction: who it is about and the content to write."""

    source: str
    source_event_id: str
    customer_id: str
    identifiers: tuple[Identifier, ...]
    conversation_id: str
    content: InteractionContent


def check_record(
    errors: ViolationCollector,
    request: RecordInteractionInput,
    identifiers: tuple[Identifier, ...],
    limits: Limits,
    timeline: TimelineSettings,
    now: datetime,
) -> ValidRecord:
    """Checks everything but the identifiers (normalized by the caller into `identifiers`).

    Defaults: direction INBOUND (what a channel records is mostly a customer reaching out),
    state OPEN, occur_time now; the channel is required.
    """
    size = limits.max_name_length
    source = check_text(errors, "source", request.source, size, required=True)
    event_id = check_text(errors, "source_event_id", request.source_event_id, size, required=True)
    customer_id = _check_who(errors, request)
    draft = request.interaction
    if draft.channel is None:
        errors.add("interaction.channel", "required")
    occur_time = draft.occur_time or now
    if occur_time > now + timeline.max_future_skew:
        errors.add("interaction.occur_time", f"more than {timeline.max_future_skew} ahead")
    conversation_id = check_conversation_id(
        errors, "interaction.conversation_id", draft.conversation_id
    )
    texts = _check_texts(errors, "interaction", draft, limits, timeline)
    errors.raise_if_any()
    assert draft.channel is not None
    content = InteractionContent(
        channel=draft.channel,
        direction=draft.direction or Direction.INBOUND,
        state=draft.state or InteractionState.OPEN,
        handler=draft.handler,
        occur_time=occur_time,
        **texts,
    )
    return ValidRecord(source, event_id, customer_id, identifiers, conversation_id, content)


def _implied_paths(draft: InteractionDraft) -> tuple[str, ...]:
    """AIP-134: without a mask, every populated updatable field is updated."""
    paths = [p for p in UPDATABLE_TEXT if getattr(draft, p)]
    if draft.state is not None:
        paths.insert(0, "state")
    if draft.attributes:
        paths.append("attributes")
    return tuple(paths)


def apply_update(
    update: InteractionUpdate,
    current: InteractionContent,
    limits: Limits,
    timeline: TimelineSettings,
) -> InteractionContent:
    """`current` with the fields the mask names taken from the update, checked."""
    errors = ViolationCollector()
    paths = update.paths or _implied_paths(update.interaction)
    if not paths:
        errors.add("update_mask", "names no field to update")
    unknown = [p for p in paths if p not in UPDATABLE and not p.startswith("attributes.")]
    for path in unknown:
        errors.add("update_mask", f"cannot update {path!r}; updatable: {', '.join(UPDATABLE)}")
    draft = update.interaction
    texts = _check_texts(errors, "interaction", draft, limits, timeline)
    if "state" in paths and draft.state is None:
        errors.add("interaction.state", "required when update_mask names state")
    errors.raise_if_any()
    changes: dict[str, Any] = {p: texts[p] for p in UPDATABLE_TEXT if p in paths}
    if "state" in paths:
        changes["state"] = draft.state
    attributes = dict(texts["attributes"]) if "attributes" in paths else dict(current.attributes)
    for path in paths:
        if path.startswith("attributes."):
            key = path[len("attributes.") :]
            if key in texts["attributes"]:
                attributes[key] = texts["attributes"][key]
            else:
                attributes.pop(key, None)
    if len(attributes) > timeline.max_attributes:
        raise InvalidArgument(
            [FieldViolation("interaction.attributes", f"at most {timeline.max_attributes}")]
        )
    return replace(current, attributes=attributes, **changes)


def check_filter(errors: ViolationCollector, where: InteractionFilter) -> InteractionFilter:
    if where.start_time and where.end_time and where.end_time <= where.start_time:
        errors.add("end_time", "must be after start_time")
    conversation_id = check_conversation_id(errors, "conversation_id", where.conversation_id)
    return replace(where, conversation_id=conversation_id)


def encode_cursor(occur_time: datetime, seq: int) -> str:
    return encode_page_token(_PAGE_KIND, f"{occur_time.isoformat()}|{seq}")


def decode_cursor(token: str) -> tuple[datetime, int] | None:
    """The (occur_time, seq) a page continues after; None for the first page."""
    after = decode_page_token(token, _PAGE_KIND)
    if not after:
        return None
    try:
        time_text, seq_text = after.rsplit("|", 1)
        return datetime.fromisoformat(time_text), int(seq_text)
    except ValueError:
        raise InvalidArgument(
            [FieldViolation("page_token", "not a page token returned by this method")]
        ) from None
