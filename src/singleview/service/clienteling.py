"""Clienteling: what a store associate's tablet does, behind ProfileService.

Find the customer (service/search.py), read the profile card in one call, update preferences
and consents (service/preferences.py), and log the visit. A visit is a CHANNEL_STORE interaction
recorded through the TimelineService like any channel's contact: its identifiers resolve the
way every contact's do, it joins the customer's conversations, and other channels see it in
GetContext (as an active contact while `ongoing`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from singleview.config import Settings
from singleview.domain.clienteling import (
    CustomerCard,
    ProfileCard,
    RecordedVisit,
    RecordVisitInput,
    StoreVisit,
)
from singleview.domain.errors import FieldViolation, InvalidArgument, ViolationCollector
from singleview.domain.identifiers import IdentifierKind
from singleview.domain.timeline import (
    Channel,
    Direction,
    Handler,
    InteractionDraft,
    InteractionFilter,
    InteractionState,
    RecordInteractionInput,
)
from singleview.service.masking import mask_card
from singleview.service.preferences import PreferencesService
from singleview.service.profiles import ProfileService
from singleview.service.search import SearchService
from singleview.service.timeline import TimelineService
from singleview.service.timeline_validation import check_record
from singleview.service.validation import check_identifiers, check_text
from singleview.store import card as card_store
from singleview.store import preferences as preference_store
from singleview.store import timeline as timeline_store
from singleview.store.database import Database

VISIT_ACTIVITY = {"activity": "store_visit"}
"""Attributes of every interaction a visit becomes, so reports can tell visits from POS events."""

_VISIT_FIELDS = {
    "source_event_id": "visit_id",
    "interaction.store_id": "visit.store_id",
    "interaction.agent_id": "visit.associate_id",
    "interaction.summary": "visit.purpose",
    "interaction.transcript": "visit.notes",
    "interaction.occur_time": "visit.visit_time",
}
"""Timeline field paths as RecordVisit names them, so a violation points at the visit's field."""


def visit_draft(visit: StoreVisit) -> InteractionDraft:
    """The interaction a visit becomes: inbound (the customer came in), handled by a person,
    closed unless the customer is still in the store."""
    return InteractionDraft(
        channel=Channel.STORE,
        direction=Direction.INBOUND,
        occur_time=visit.visit_time,
        summary=visit.purpose,
        agent_id=visit.associate_id,
        store_id=visit.store_id,
        state=InteractionState.OPEN if visit.ongoing else InteractionState.CLOSED,
        handler=Handler.HUMAN,
        transcript=visit.notes,
        outcome=visit.outcome.value if visit.outcome else "",
        attributes=VISIT_ACTIVITY,
    )


class Clienteling:
    """The store associate's use cases: search and preferences are services of their own; the
    card and visits build on the profile and timeline services."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        profiles: ProfileService,
        timeline: TimelineService,
    ) -> None:
        self.database = database
        self.settings = settings
        self.profiles = profiles
        self.timeline = timeline
        self.search = SearchService(database, settings)
        self.preferences = PreferencesService(database, settings)

    async def card(self, name: str, *, mask: bool) -> CustomerCard:
        """The customer with everything the card shows, masked for associates when `mask`."""
        customer = await self.profiles.get_customer(name)
        sizes = self.settings.clienteling
        async with self.database.connection() as conn:
            ids = await timeline_store.timeline_customers(conn, customer.id)
            preferences = await preference_store.preferences_of(conn, ids)
            purchases = await card_store.recent_purchases(conn, ids, sizes.card_recent_purchases)
            in_store = InteractionFilter(channels=(Channel.STORE,))
            visits = await timeline_store.list_interactions(
                conn, ids, in_store, None, sizes.card_store_visits
            )
            latest = await timeline_store.list_interactions(
                conn, ids, InteractionFilter(), None, sizes.card_latest_contacts
            )
        card = ProfileCard(
            preferences=preferences,
            loyalty_ids=tuple(
                i for i in customer.identifiers if i.kind is IdentifierKind.LOYALTY_ID
            ),
            recent_purchases=tuple(purchases),
            store_visits=tuple(visits),
            latest_contacts=tuple(latest),
        )
        return mask_card(CustomerCard(customer, card), mask)

    async def record_visit(self, request: RecordVisitInput) -> RecordedVisit:
        """Idempotent on (source, visit_id), as RecordInteraction is on its event id."""
        contact = RecordInteractionInput(
            source=request.source,
            source_event_id=request.visit_id,
            customer=request.customer,
            identifiers=request.identifiers,
            interaction=visit_draft(request.visit),
        )
        try:
            self._check_store(request, contact)
            recorded = await self.timeline.record_interaction(contact)
        except InvalidArgument as exc:
            raise InvalidArgument(
                [
                    FieldViolation(_VISIT_FIELDS.get(v.field, v.field), v.description)
                    for v in exc.violations
                ]
            ) from None
        return RecordedVisit(recorded.interaction, recorded.customer_id, recorded.decision)

    def _check_store(self, request: RecordVisitInput, contact: RecordInteractionInput) -> None:
        """A visit needs its store; when it is missing, the timeline's checks run here too, so
        every violation of the request is reported at once."""
        errors = ViolationCollector()
        limits = self.settings.limits
        check_text(
            errors, "visit.store_id", request.visit.store_id, limits.max_name_length, required=True
        )
        if errors.violations:
            identifiers = check_identifiers(
                errors, contact.identifiers, limits, self.settings.normalization
            )
            check_record(
                errors, contact, identifiers, limits, self.timeline.timeline, datetime.now(UTC)
            )
