"""WatchCustomer: live customer events, heard through PostgreSQL LISTEN/NOTIFY.

One listener connection per process receives every event any process commits and hands it to
the watchers of that customer in this process. Each watcher has a bounded queue: a watcher that
reads too slowly loses its oldest events, and neither the listener nor any writer ever waits for
it (NOTIFY is sent at commit whatever the listeners do). A watcher follows merges: when its
customer is merged away (CUSTOMER_MERGED names it among the losers), it hears the event and from
then on follows the survivor too. Events missed while the listener reconnects are not replayed;
ListInteractions is the record, the stream is a live view.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import replace

from singleview.domain.errors import DomainError, NotFound, Unavailable
from singleview.domain.timeline import CustomerEvent, CustomerEventKind, ResourceExhausted
from singleview.service.names import parse_customer_name
from singleview.service.timeline_settings import TimelineSettings
from singleview.store import customers as customer_store
from singleview.store import timeline as timeline_store
from singleview.store.database import Database
from singleview.store.events import listen

log = logging.getLogger(__name__)

_LISTEN_TIMEOUT_SECONDS = 10.0


class Subscription:
    """One watcher: the customers it follows and its bounded queue (None ends the stream)."""

    def __init__(self, size: int) -> None:
        self.follows: set[str] = set()
        self.queue: asyncio.Queue[CustomerEvent | None] = asyncio.Queue(maxsize=size)
        self.dropped = 0

    def offer(self, event: CustomerEvent | None) -> None:
        """Enqueue without waiting; when full, the oldest event makes room."""
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(event)


class EventHub:
    """The process's listener and its watchers; `start()` at server start, `close()` at stop."""

    def __init__(
        self,
        database: Database,
        settings: TimelineSettings | None = None,
        conninfo: str | None = None,
    ) -> None:
        self.database = database
        self.settings = settings or TimelineSettings()
        pool_conninfo = database.pool.conninfo
        self._conninfo = conninfo or (pool_conninfo if isinstance(pool_conninfo, str) else "")
        self._by_customer: dict[str, set[Subscription]] = {}
        self._subscriptions: set[Subscription] = set()
        self._listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    async def start(self) -> None:
        """Start listening (idempotent); watchers also start it on first use."""
        if self._task is None and not self._closed:
            self._task = asyncio.create_task(self._run(), name="singleview-events")

    async def close(self) -> None:
        """Stop listening and end every watch stream (their clients see the stream finish)."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for subscription in list(self._subscriptions):
            subscription.offer(None)

    async def _run(self) -> None:
        while not self._closed:
            try:
                async with listen(self._conninfo) as events:
                    self._listening.set()
                    async for event in events:
                        self._dispatch(event)
            except DomainError as exc:
                log.warning("customer event listener lost the database (%s)", exc.reason)
            finally:
                self._listening.clear()
            await asyncio.sleep(self.settings.listener_retry_seconds)

    def _dispatch(self, event: CustomerEvent) -> None:
        targets = set(self._by_customer.get(event.customer_id, ()))
        if event.kind is CustomerEventKind.CUSTOMER_MERGED:
            for loser in event.related_customer_ids:
                for subscription in list(self._by_customer.get(loser, ())):
                    self._follow(subscription, event.customer_id)
                    targets.add(subscription)
        for subscription in targets:
            subscription.offer(event)

    def _follow(self, subscription: Subscription, customer_id: str) -> None:
        subscription.follows.add(customer_id)
        self._by_customer.setdefault(customer_id, set()).add(subscription)

    def _forget(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)
        for customer_id in subscription.follows:
            watchers = self._by_customer.get(customer_id)
            if watchers is not None:
                watchers.discard(subscription)
                if not watchers:
                    del self._by_customer[customer_id]

    @asynccontextmanager
    async def subscribe(self, customer_ids: Iterable[str]) -> AsyncIterator[Subscription]:
        """A subscription that hears every event committed after this returns."""
        if self._closed:
            raise Unavailable("the server is shutting down", reason="SHUTTING_DOWN")
        if len(self._subscriptions) >= self.settings.max_watchers:
            raise ResourceExhausted("too many watchers on this server; retry later")
        await self.start()
        try:
            await asyncio.wait_for(self._listening.wait(), _LISTEN_TIMEOUT_SECONDS)
        except TimeoutError:
            raise Unavailable("live events are unavailable; retry shortly") from None
        subscription = Subscription(self.settings.watch_queue_size)
        self._subscriptions.add(subscription)
        for customer_id in customer_ids:
            self._follow(subscription, customer_id)
        try:
            yield subscription
        finally:
            self._forget(subscription)

    @asynccontextmanager
    async def watch(self, name: str) -> AsyncIterator[AsyncIterator[CustomerEvent]]:
        """Events of the customer `name` (following merges), from now on.

        Subscribes before it resolves the name, so a merge is either already visible in the
        name's survivor or heard as CUSTOMER_MERGED: never missed in between.
        """
        customer_id = parse_customer_name(name)
        async with self.subscribe([customer_id]) as subscription:
            async with self.database.connection() as conn:
                live = (await customer_store.resolve_names(conn, [customer_id])).get(customer_id)
            if live is None:
                raise NotFound(
                    "no such customer", reason="CUSTOMER_NOT_FOUND", metadata={"customer": name}
                )
            self._follow(subscription, live)
            yield self._events(subscription)

    async def _events(self, subscription: Subscription) -> AsyncIterator[CustomerEvent]:
        """Until the hub closes, or the customer is erased (its last event)."""
        while (event := await subscription.queue.get()) is not None:
            yield await self._with_interaction(event)
            if event.kind is CustomerEventKind.CUSTOMER_ERASED:
                return

    async def _with_interaction(self, event: CustomerEvent) -> CustomerEvent:
        """The event with its interaction as stored now (payloads carry only its id)."""
        if not event.interaction_id:
            return event
        async with self.database.connection() as conn:
            found = await timeline_store.interactions_by_id(conn, [event.interaction_id])
        return replace(event, interaction=found.get(event.interaction_id))
