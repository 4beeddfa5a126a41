"""The delivery worker: sends due outbox rows by priority and age within Telegram's limits.

At most `per_second` messages a second overall, about one a second per private chat with short bursts,
20 a minute per group (gridguard/delivery/send_gate.py: kept in this process, or in Redis for every instance of the
bot).
A 429 waits its retry_after for that chat, and repeated 429s halve the overall rate for a while; network errors,
timeouts and 5xx retry with exponential backoff and jitter; a refusal for good (blocked, never started, chat not
found) fails the row at once, marks the member unreachable and tells their station once; after `max_attempts` a
row is dead and reported the same way. Nothing is dropped silently. Rows marked `paid` (critical call-outs) may go
by paid broadcast at up to 1,000 a second, falling back to the free rate when Telegram refuses for lack of Stars.
The sending itself is behind the `Sender` protocol, so this module knows nothing of aiogram.
"""

import asyncio
import contextlib
import logging
import math
import random
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.capabilities import registered
from gridguard.db.database import Database
from gridguard.delivery.enums import DeliveryStatus
from gridguard.delivery.outbox import (
    Claimed,
    Content,
    Handover,
    Outcome,
    claim_due,
    hand_over_new_rows,
    next_due_at,
    record_outcomes,
    release,
    release_claims,
)
from gridguard.delivery.send_gate import GateUnavailable, LocalGate, SendGate, SystemTimer, Timer
from gridguard.delivery.undeliverable import report_dead, report_unreachable
from gridguard.kernel.clock import Clock
from gridguard.kernel.log_context import RowTrace, current_row, row_fields

log = logging.getLogger("gridguard.delivery")
GATE_RETRY = timedelta(seconds=1)
"""While the shared limits are unreachable, rows claimed are given back to be tried again after this."""
HANDED_SHARE_OF_LEASE = 0.25
"""Rows handed over at once take at most a quarter of the lease to send at the current rate (half of it should
repeated 429s halve the rate): none outlives its lease in the queue."""


class SendKind(StrEnum):
    SENT = "sent"
    NOT_MODIFIED = "not_modified"
    RETRY_AFTER = "retry_after"
    TRANSIENT = "transient"
    UNREACHABLE = "unreachable"
    GONE = "gone"
    """The message to edit no longer exists (the user deleted it): nothing left to do."""
    REJECTED = "rejected"
    """Telegram refused the content itself (a bug on our side): retrying cannot help."""
    NO_STARS = "no_stars"
    """A paid broadcast refused for lack of Stars on the bot's balance: send it at the free rate instead."""


SEND_LOG_LEVELS = {
    SendKind.SENT: logging.DEBUG,
    SendKind.NOT_MODIFIED: logging.DEBUG,
    SendKind.UNREACHABLE: logging.WARNING,
    SendKind.GONE: logging.WARNING,
    SendKind.REJECTED: logging.ERROR,
}
"""How loud the line about each send is (a send's line carries its row id and dedupe key)."""


@dataclass(frozen=True)
class SendResult:
    kind: SendKind
    message_id: int | None = None
    retry_after: float = 0.0
    error: str | None = None


class Sender(Protocol):
    async def deliver(self, item: Claimed, paid: bool = False) -> SendResult:
        """Send one row; `paid`: by paid broadcast (allow_paid_broadcast)."""


@dataclass(frozen=True)
class DeliveryLimits:
    """Our own limits sit a little under Telegram's: a burst smaller than the server's leaves room for
    messages that arrive later than their token was taken (network latency), so 429s stay away."""

    per_second: float = 30.0
    burst_seconds: float = 0.3
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 3
    max_attempts: int = 10
    lease: timedelta = timedelta(seconds=60)
    batch: int = 200
    """The most rows one claim takes; a claim is about one second's worth at the current rate, up to this."""
    record_within: float = 0.2
    """At most how long a send waits to be recorded while others keep coming (they are recorded together)."""
    max_unrecorded: int = 2000
    """How many sent rows may wait to be recorded while the next rounds send."""
    stop_grace: float = 3.0
    """On a graceful stop, how long the sends already in flight may take to finish."""
    concurrency: int = 32
    base_backoff: float = 1.0
    max_backoff: float = 600.0
    idle_poll: float = 1.0
    penalty_after_429s: int = 2
    penalty_window: float = 10.0
    penalty_seconds: float = 30.0
    paid_broadcast: bool = False
    """Whether rows marked `paid` (critical call-outs) go by paid broadcast (the PAID_BROADCAST setting)."""
    paid_per_second: float = 1000.0
    paid_concurrency: int = 200
    """Paid sends in flight at once: 1,000 a second at a round trip of up to 0.2 s."""
    paid_pause: float = 600.0
    """After a refusal for lack of Stars: how long paid rows go at the free rate before trying paid again."""


@dataclass(frozen=True)
class _Round:
    """Sends done, or rows given back for later, waiting to be recorded."""

    claimed: Sequence[Claimed]
    outcomes: Sequence[Outcome]
    to_release: Sequence[tuple[int, datetime]]


class DeliveryObserver:
    """Told of each send's fate (bot/metrics counts them); by itself it does nothing."""

    def sent(self, item: Claimed, at: datetime) -> None:
        """Telegram took `item` at `at`."""

    def flood_wait(self, item: Claimed, retry_after: float) -> None:
        """Telegram answered 429 for `item`."""


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        sender: Sender,
        clock: Clock,
        timer: Timer | None = None,
        limits: DeliveryLimits | None = None,
        name: str = "worker",
        rng: random.Random | None = None,
        gate: SendGate | None = None,
        observer: DeliveryObserver | None = None,
    ) -> None:
        self.db = db
        self.sender = sender
        self.clock = clock
        self.timer = timer or SystemTimer()
        self.limits = limits or DeliveryLimits()
        self.name = name
        self.rng = rng or random.Random()
        self.gate = gate or LocalGate(self.limits, self.timer)
        self.observer = observer or DeliveryObserver()
        self._paid_refused_until = float("-inf")
        self._paid_gate = asyncio.Semaphore(self.limits.paid_concurrency)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._handed: deque[Claimed] = deque()
        self._unrecorded: list[_Round] = []
        self._unrecorded_rows = 0
        self._unrecorded_since = 0.0
        self._gate = asyncio.Semaphore(self.limits.concurrency)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._maybe_due = True
        """Whether the database may hold rows due now (set by wakes, given-back rows and each idle poll)."""
        self._next_due: datetime | None = None
        self._recorder: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Look for work now (called after a transaction that queued notifications commits)."""
        self._maybe_due = True
        self._wake.set()

    def take_new_rows(self, session: AsyncSession, now: datetime) -> Handover:
        """New notifications of this transaction are claimed for this worker, to be handed to it after the commit."""
        share = self.limits.lease.total_seconds() * HANDED_SHARE_OF_LEASE
        paid_rate = self.limits.paid_per_second if self._paid_allowed() else self._current_rate()
        room, paid_room = int(self._current_rate() * share), int(paid_rate * share)
        return hand_over_new_rows(session, self.name, now + self.limits.lease, room, paid_room)

    def hand_over(self, handover: Handover) -> None:
        """After the commit: send the rows claimed for this worker next, and look for those that wait for a claim
        when they fall due."""
        self._handed.extend(handover.claimed)
        due = handover.others_due
        if due is not None and due <= self.clock.now():
            self._maybe_due = True
        elif due is not None:
            self._next_due = due if self._next_due is None else min(self._next_due, due)
        if handover.claimed or due is not None:
            self._wake.set()

    async def run_forever(self) -> None:
        """Deliver until `stop`: then the round under way finishes and no new claim is made. Cancelled (the
        process going down hard), it abandons its sends too: their rows go again when the lease runs out."""
        with self._abandoned_when_cancelled():
            await self._deliver_until_stopped()

    async def _deliver_until_stopped(self) -> None:
        while not self._stopping.is_set():
            try:
                handled = await self.run_once()
            except GateUnavailable:
                handled = 0
            except Exception:
                log.exception("delivery round failed; retrying shortly")
                handled = 0
            if handled == 0 and not self._stopping.is_set():
                await self._nap()

    async def stop(self, running: "asyncio.Task[None]") -> None:
        """A graceful stop: claim nothing more, give back what was claimed but not yet sent, let the sends in
        flight finish (for `stop_grace` seconds at most) and record them; then return every row this worker
        still holds to pending, so a restart sends each row once and at once instead of after the lease."""
        self._stopping.set()
        self._wake.set()
        deadline = asyncio.get_running_loop().time() + self.limits.stop_grace
        _done, late = await asyncio.wait({running}, timeout=self.limits.stop_grace)
        if late:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
        if self._in_flight:
            remaining = max(0.0, deadline - asyncio.get_running_loop().time())
            _sent, unfinished = await asyncio.wait(set(self._in_flight), timeout=remaining)
            for send in unfinished:
                send.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
            if unfinished:
                log.warning("delivery: %d sends still in flight after %.0f s were abandoned", len(unfinished),
                            self.limits.stop_grace)  # fmt: skip
        await self.finish_recording()
        async with self.db.transaction() as session:
            returned = await release_claims(session, self.name)
        log.info("delivery stopped; %d claimed rows returned to pending", returned)

    async def run_until_idle(self, max_rounds: int = 100_000) -> None:
        """Deliver until nothing is pending (tests and benchmarks); rows another worker holds are its own."""
        with self._abandoned_when_cancelled():
            await self._deliver_until_idle(max_rounds)

    async def _deliver_until_idle(self, max_rounds: int) -> None:
        for _ in range(max_rounds):
            self._maybe_due = True
            if await self.run_once() == 0:
                await self.settle()
                async with self.db.reading() as session:
                    due = await next_due_at(session, include_leases=False)
                if due is None:
                    return
                await self.timer.sleep(max(0.0, (due - self.clock.now()).total_seconds()) + 0.001)
        raise RuntimeError("delivery did not become idle")

    async def _nap(self) -> None:
        """Wait for a wake or a hand-over (none is lost: the round cleared the flag as it began), the next row due,
        or `idle_poll`; after the wait the database is asked again (another instance may have queued rows). Idle,
        it records what it sent."""
        self._start_recorder()
        if self._handed or self._maybe_due:
            return
        wait = self.limits.idle_poll
        if self._next_due is not None:
            wait = min(wait, max(0.0, (self._next_due - self.clock.now()).total_seconds()))
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=wait)
        except TimeoutError:
            self._maybe_due = True

    async def run_once(self) -> int:
        """Take the rows handed over, or claim a batch; start sending what the limits allow now, give back the rest;
        the rows handled. At most `concurrency` sends are in flight, across rounds: a round doesn't wait for the
        slowest send of the last one, so rows handed over meanwhile go out at once."""
        self._wake.clear()
        if self._unrecorded_rows > self.limits.max_unrecorded:
            await self.finish_recording()
        now = self.clock.now()
        claimed = self._take_handed()
        if not claimed and self._maybe_due:
            claimed = await self._claim_from_database(now)
        if not claimed:
            return 0
        to_release: list[tuple[int, datetime]] = []
        sendable = []
        for item in claimed:
            if self._edit_waits_for_its_message(item) or self._reply_waits_for_its_message(item):
                to_release.append((item.id, now + timedelta(seconds=1)))
            else:
                sendable.append((item, self._goes_paid(item)))
        admitted_at = self.timer.monotonic()
        try:
            admissions = await self.gate.admit_all([(item.chat_id, paid) for item, paid in sendable])
        except GateUnavailable:
            to_release += [(item.id, now + GATE_RETRY) for item, _paid in sendable]
            self._record_behind(_Round((), (), to_release))
            raise
        for position, ((item, paid), admission) in enumerate(zip(sendable, admissions, strict=True)):
            if self._stopping.is_set():
                to_release += [(unsent.id, now) for unsent, _paid in sendable[position:]]
                break
            if admission.later > 0:
                to_release.append((item.id, now + timedelta(seconds=admission.later)))
                continue
            wait = admitted_at + admission.wait - self.timer.monotonic()
            if wait > 0:
                await self.timer.sleep(wait)
            await (self._paid_gate if paid else self._gate).acquire()
            self._start_sending(item, paid)
        if to_release:
            self._record_behind(_Round((), (), to_release))
        return len(claimed)

    @contextlib.contextmanager
    def _abandoned_when_cancelled(self) -> Iterator[None]:
        """Cancelled (the process going down hard), the worker takes its sends and its recorder down with it."""
        try:
            yield
        except asyncio.CancelledError:
            for task in [*self._in_flight, *([self._recorder] if self._recorder else [])]:
                task.cancel()
            raise

    def _start_sending(self, item: Claimed, paid: bool) -> None:
        send = asyncio.create_task(self._send_and_record(item, paid))
        self._in_flight.add(send)
        send.add_done_callback(self._in_flight.discard)

    async def _send_and_record(self, item: Claimed, paid: bool) -> None:
        current_row.set(RowTrace(item.id, item.dedupe_key))
        self._record_behind(_Round((item,), (await self._send(item, paid),), ()))

    async def settle(self) -> None:
        """Wait until every send started has finished and is recorded."""
        while self._in_flight:
            await asyncio.wait(set(self._in_flight))
        await self.finish_recording()

    def _record_behind(self, sent: "_Round") -> None:
        """Record sends while the next ones go: on SQLite a record queues behind every writer, and sending
        shouldn't wait for it. Sends are recorded together, in one transaction, once a claim's worth waits or the
        oldest has waited `record_within` (or the worker idles); their rows stay claimed by this worker until then.
        A backlog over `max_unrecorded` rows makes the next round wait."""
        now = self.timer.monotonic()
        if not self._unrecorded:
            self._unrecorded_since = now
        self._unrecorded.append(sent)
        self._unrecorded_rows += len(sent.claimed) + len(sent.to_release)
        if self._unrecorded_rows >= self._claim_size() or now - self._unrecorded_since >= self.limits.record_within:
            self._start_recorder()

    def _start_recorder(self) -> None:
        if self._unrecorded and (self._recorder is None or self._recorder.done()):
            self._recorder = asyncio.create_task(self._record_backlog())

    async def _record_backlog(self) -> None:
        """Record the rounds waiting; rows given back or to be retried make the worker look at the database again."""
        while self._unrecorded:
            rounds, self._unrecorded, self._unrecorded_rows = self._unrecorded, [], 0
            outcomes = [o for r in rounds for o in r.outcomes]
            to_release = [t for r in rounds for t in r.to_release]
            await self._record_or_log([c for r in rounds for c in r.claimed], outcomes, to_release)
            if to_release or any(o.status == DeliveryStatus.PENDING for o in outcomes):
                self.wake()

    async def finish_recording(self) -> None:
        """Wait until every send done so far is recorded (if the recorder was cancelled, record what it left)."""
        self._start_recorder()
        while self._recorder is not None and not self._recorder.done():
            await asyncio.wait({self._recorder})
        if self._unrecorded:
            await self._record_backlog()

    async def _claim_from_database(self, now: datetime) -> list[Claimed]:
        """Claim due rows, if a read says there are any: a read never queues behind writers (a claim does, on
        SQLite, and rows handed over meanwhile would wait with it)."""
        self._maybe_due = False
        async with self.db.reading() as session:
            self._next_due = await next_due_at(session)
        if self._next_due is None or self._next_due > now:
            return []
        self._maybe_due = True
        async with self.db.transaction() as session:
            return await claim_due(session, self.name, now, self.limits.lease, self._claim_size())

    def _take_handed(self) -> list[Claimed]:
        """Rows handed over, most urgent first, as many as a claim would take."""
        taken = [self._handed.popleft() for _ in range(min(len(self._handed), self._claim_size()))]
        return sorted(taken, key=lambda c: (c.priority, c.id))

    def _claim_size(self) -> int:
        """About one second's worth at the current rate: a crash (kill -9) can double at most that many rows."""
        return max(1, min(self.limits.batch, math.ceil(self._current_rate())))

    def _current_rate(self) -> float:
        return self.gate.rate()

    @staticmethod
    def _edit_waits_for_its_message(item: Claimed) -> bool:
        """An edit of a message not sent yet (and not failed for good) waits for it."""
        failed = (DeliveryStatus.FAILED, DeliveryStatus.DEAD)
        return item.is_edit and item.edit_message_id is None and item.edit_of_status not in failed

    @staticmethod
    def _reply_waits_for_its_message(item: Claimed) -> bool:
        """A reply to a message still on its way waits for it, so it lands under it."""
        return item.reply_to_status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)

    def _goes_paid(self, item: Claimed) -> bool:
        """A row marked `paid` goes by paid broadcast where the deployment allows it, unless Stars ran out lately."""
        return bool(item.payload.get("paid")) and self._paid_allowed()

    def _paid_allowed(self) -> bool:
        return self.limits.paid_broadcast and self.timer.monotonic() >= self._paid_refused_until

    async def _send(self, item: Claimed, paid: bool = False) -> Outcome:
        try:
            if item.is_edit and item.edit_message_id is None:
                result = SendResult(SendKind.GONE, error="the original message was never delivered")
            else:
                result = await self.sender.deliver(await self._rendered(item), paid)
        except Exception as error:
            log.exception("sender raised for notification %s", item.id)
            result = SendResult(SendKind.TRANSIENT, error=f"{type(error).__name__}: {error}")
        finally:
            (self._paid_gate if paid else self._gate).release()
        log.log(SEND_LOG_LEVELS.get(result.kind, logging.INFO), "send %s %s", result.kind, result.error or "")
        if result.kind == SendKind.RETRY_AFTER:
            self.observer.flood_wait(item, result.retry_after)
            with contextlib.suppress(GateUnavailable):
                await self.gate.flood_wait(item.chat_id, result.retry_after)
        elif result.kind in (SendKind.SENT, SendKind.NOT_MODIFIED):
            self.observer.sent(item, self.clock.now())
        return self._outcome(item, result)

    async def _rendered(self, item: Claimed) -> Claimed:
        """A row whose content is worked out when it goes (`Content.render`): rendered now, from the database (what
        else the row says, a reply or paid broadcast, is kept)."""
        if "render" not in item.payload:
            return item
        kind, subject, zone = item.payload["render"]
        async with self.db.reading() as session:
            content = await renderers()[kind](session, subject, ZoneInfo(zone))
        kept = {key: value for key, value in item.payload.items() if key != "render"}
        return replace(item, payload=kept | content.as_payload())

    def _outcome(self, item: Claimed, result: SendResult) -> Outcome:
        now = self.clock.now()
        attempts = item.attempts + 1
        if result.kind in (SendKind.SENT, SendKind.NOT_MODIFIED):
            return Outcome(item.id, item.revision, DeliveryStatus.SENT, attempts, message_id=result.message_id)
        if result.kind == SendKind.NO_STARS:
            if self.timer.monotonic() >= self._paid_refused_until:
                log.warning("paid broadcast refused (%s): sending at the free rate", result.error)
            self._paid_refused_until = self.timer.monotonic() + self.limits.paid_pause
            return Outcome(
                item.id, item.revision, DeliveryStatus.PENDING, item.attempts, now, result.error, paid_refused=True
            )
        if result.kind == SendKind.RETRY_AFTER:
            later = now + timedelta(seconds=result.retry_after)
            return Outcome(item.id, item.revision, DeliveryStatus.PENDING, item.attempts, later, result.error)
        if result.kind in (SendKind.UNREACHABLE, SendKind.GONE):
            unreachable = result.kind == SendKind.UNREACHABLE
            return Outcome(
                item.id,
                item.revision,
                DeliveryStatus.FAILED,
                attempts,
                error=result.error,
                unreachable=unreachable,
            )
        if result.kind == SendKind.REJECTED or attempts >= self.limits.max_attempts:
            return Outcome(item.id, item.revision, DeliveryStatus.DEAD, attempts, error=result.error)
        later = now + timedelta(seconds=self._backoff(attempts))
        return Outcome(item.id, item.revision, DeliveryStatus.PENDING, attempts, later, result.error)

    def _backoff(self, attempts: int) -> float:
        ceiling = min(self.limits.max_backoff, self.limits.base_backoff * 2 ** (attempts - 1))
        return ceiling * self.rng.uniform(0.5, 1.0)

    async def _record_or_log(
        self, claimed: Sequence[Claimed], outcomes: Sequence[Outcome], to_release: Sequence[tuple[int, datetime]]
    ) -> None:
        try:
            await self._record(claimed, outcomes, to_release)
        except Exception:
            log.exception("recording %d sends failed; they go again when their lease runs out", len(outcomes))

    async def _record(
        self,
        claimed: Sequence[Claimed],
        outcomes: Sequence[Outcome],
        to_release: Sequence[tuple[int, datetime]],
    ) -> None:
        now = self.clock.now()
        by_id = {c.id: c for c in claimed}
        alone = not to_release and not any(_tells_someone(o) for o in outcomes)
        async with self.db.one_statement() if alone else self.db.transaction() as session:
            await record_outcomes(session, self.name, outcomes, now)
            await release(session, to_release)
            for outcome in outcomes:
                item = by_id[outcome.id]
                if outcome.paid_refused and item.topic is not None:
                    for tell in registered("WHEN_PAID_REFUSED"):
                        await tell(session, item.topic, now)
                if outcome.unreachable and item.member_id is not None:
                    await report_unreachable(session, item.member_id, outcome.error or "", now)
                elif outcome.status == DeliveryStatus.DEAD:
                    log.error(
                        "notification %s is dead after %s attempts: %s",
                        item.id,
                        outcome.attempts,
                        outcome.error,
                        extra=row_fields(item.id, item.dedupe_key),
                    )
                    await report_dead(session, item.id, item.member_id, item.unit_id, outcome.error or "", now)


def _tells_someone(outcome: Outcome) -> bool:
    """Whether recording the outcome writes more than the notification's row (a refused paid send, an unreachable
    member, a dead row)."""
    return outcome.paid_refused or outcome.unreachable or outcome.status == DeliveryStatus.DEAD


@asynccontextmanager
async def handing_over(db: Database, delivery: DeliveryWorker | None, now: datetime) -> AsyncIterator[AsyncSession]:
    """One transaction whose new notifications go to `delivery` the moment it commits
    (gridguard/delivery/outbox.Handover); without a worker they wait in the outbox for one."""
    async with db.transaction() as session:
        handover = delivery.take_new_rows(session, now) if delivery is not None else None
        yield session
    if delivery is not None and handover is not None:
        delivery.hand_over(handover)


Renderer = Callable[[AsyncSession, int, ZoneInfo], Awaitable[Content]]


@cache
def renderers() -> dict[str, Renderer]:
    """What capabilities render at send time, by name: each `capability` module's RENDERERS, (name, renderer)."""
    return dict(registered("RENDERERS"))
