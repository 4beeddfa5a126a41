"""The outbox: queue notifications in the caller's transaction; claim, and record what delivery did.

Claiming: a worker takes due rows (pending and due, or `sending` with an expired lease) in one UPDATE, so
two workers never hold the same row — on SQLite the claim runs in a BEGIN IMMEDIATE transaction, on
PostgreSQL it selects FOR UPDATE SKIP LOCKED. A row whose worker died mid-send is claimed again once its
lease expires: it may go out twice, never zero times.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, literal, or_, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import on_postgres
from gridguard.db.direct import Direct
from gridguard.delivery.enums import DeliveryStatus, Priority
from gridguard.delivery.tables import Notification

ERROR_TEXT_LIMIT = 500


TABLE = Notification.__table__  # type: ignore[attr-defined]
_INSERT_STATEMENTS = {
    False: sqlite_insert(TABLE)
    .on_conflict_do_nothing(index_elements=["dedupe_key"])
    .returning(TABLE.c.id, TABLE.c.dedupe_key),
    True: postgres_insert(TABLE)
    .on_conflict_do_nothing(index_elements=["dedupe_key"])
    .returning(TABLE.c.id, TABLE.c.dedupe_key),
}
"""Built once: the outbox is a hot path, and building a statement costs more than running it."""
_INSERT_ONE = {on_pg: Direct(statement) for on_pg, statement in _INSERT_STATEMENTS.items()}
FEW_ROWS = 8
"""Up to this many rows (a report's cards, a reply) go one statement each on the driver (gridguard/db/direct.py);
more (a call-out, a township's reminders) go in SQLAlchemy's batched INSERT … VALUES."""


def _given(name: str, column: str) -> Any:
    """A value the recording gives, bound as `column` stores it."""
    return bindparam(name, type_=TABLE.c[column].type)


def _if_still_sent(value: Any, otherwise: Any) -> Any:
    """`value` while the row still holds the revision that went out; `otherwise` once newer content replaced it."""
    return case((TABLE.c.revision == _given("b_revision", "revision"), value), else_=otherwise)


_RECORD_OUTCOME = (
    update(TABLE)
    .where(
        TABLE.c.id == bindparam("b_id"),
        TABLE.c.status == DeliveryStatus.SENDING,
        or_(TABLE.c.revision == _given("b_revision", "revision"), TABLE.c.claimed_by == bindparam("b_worker")),
    )
    .values(
        status=_if_still_sent(_given("b_status", "status"), literal(DeliveryStatus.PENDING, TABLE.c.status.type)),
        attempts=_if_still_sent(_given("b_attempts", "attempts"), 0),
        last_attempt_at=_if_still_sent(_given("b_now", "last_attempt_at"), TABLE.c.last_attempt_at),
        last_error=_if_still_sent(_given("b_error", "last_error"), TABLE.c.last_error),
        claimed_by=None,
        claimed_until=None,
        next_attempt_at=_if_still_sent(
            func.coalesce(_given("b_next", "next_attempt_at"), TABLE.c.next_attempt_at), TABLE.c.next_attempt_at
        ),
        sent_at=_if_still_sent(_given("b_sent_at", "sent_at"), TABLE.c.sent_at),
        sent_message_id=_if_still_sent(
            func.coalesce(_given("b_message_id", "sent_message_id"), TABLE.c.sent_message_id), TABLE.c.sent_message_id
        ),
    )
)
"""Recording one send, in one statement: what went out is written while the row still holds that revision;
a row whose content changed while it was in flight (newer content for an edit) goes back to pending, untried, if
this worker still holds it."""


@dataclass(frozen=True)
class Button:
    """A button described without a channel: its label, what it does (a verb) and to what (an id). The edge
    packs it into the channel's form (Telegram: typed, versioned CallbackData)."""

    label: str
    verb: str
    subject: int


ButtonRows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Content:
    """What to send: text, or a photo, document or voice note with a caption, or a location; buttons, described
    neutrally."""

    text: str | None = None
    photo: str | None = None
    document: str | None = None
    voice: str | None = None
    location: tuple[float, float] | None = None
    buttons: ButtonRows | None = None
    reply_to: str | None = None
    """The dedupe key of a message this one answers (a reminder under its card): sent as a reply to it."""
    paid: bool | None = None
    """May go by paid broadcast (a critical call-out), where the deployment allows it: up to 1,000 a second."""
    render: tuple[str, int, str] | None = None
    """Worked out when it goes, not when it is queued: (a renderer a capability registers in RENDERERS, its
    subject's id, the deployment's zone). A live tally edited at most every 2 s is rendered once a send, however
    many answers arrive meanwhile."""

    def as_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {k: v for k, v in vars(self).items() if v is not None}
        if self.location is not None:
            payload["location"] = list(self.location)
        if self.buttons is not None:
            payload["buttons"] = [[vars(button) for button in row] for row in self.buttons]
        return payload


@dataclass(frozen=True)
class Notice:
    """One notification to queue: who gets what, how urgently, under which dedupe key."""

    dedupe_key: str
    chat_id: int
    content: Content
    priority: Priority = Priority.NORMAL
    member_id: int | None = None
    unit_id: int | None = None
    topic: str | None = None
    edit_of_id: int | None = None
    not_before: datetime | None = None
    """Not to be sent before this (an edit kept apart from the last one)."""

    @property
    def goes_by_handover(self) -> bool:
        """A first send; a reply or an edit waits for a claim, which finds the message it refers to."""
        return self.content.reply_to is None and self.edit_of_id is None

    def row(self, now: datetime, handover: "Handover | None" = None) -> dict[str, Any]:
        """The outbox row; with a `handover`, already claimed by the worker it will be handed to."""
        claimed = handover is not None and self.goes_by_handover
        return {
            "dedupe_key": self.dedupe_key,
            "chat_id": self.chat_id,
            "member_id": self.member_id,
            "unit_id": self.unit_id,
            "topic": self.topic,
            "priority": int(self.priority),
            "payload": self.content.as_payload(),
            "edit_of_id": self.edit_of_id,
            "revision": 0,
            "status": DeliveryStatus.SENDING if claimed else DeliveryStatus.PENDING,
            "claimed_by": handover.worker if claimed and handover else None,
            "claimed_until": handover.until if claimed and handover else None,
            "attempts": 0,
            "next_attempt_at": max(now, self.not_before) if self.not_before else now,
            "created_at": now,
        }

    def claimed(self, notification_id: int, row: dict[str, Any]) -> "Claimed":
        """This notice, inserted as `row`, as a row its worker holds (see `Handover`)."""
        return Claimed(
            notification_id,
            self.chat_id,
            self.member_id,
            self.unit_id,
            row["priority"],
            row["payload"],
            0,
            0,
            topic=self.topic,
            dedupe_key=self.dedupe_key,
            queued_at=row["next_attempt_at"],
        )


HANDOVER = "gridguard-outbox-handover"
"""The key of a session's `info` that holds its `Handover`."""


@dataclass
class Handover:
    """New rows a use case hands to its delivery worker right after its commit, so they go out without waiting for
    a claim (on SQLite a claim queues behind every writer). They are inserted already claimed by that worker for a
    lease: still recorded and crash-safe, since a row whose worker died is claimed again when the lease runs out.
    Only as many as the worker sends well within the lease are handed over (`room`): the rest of a large fan-out
    (a call-out to 2,000) waits for claims, or a row would outlive its lease in the worker's queue and be claimed
    and sent a second time. A reply waits for a claim, which looks up the message it answers."""

    worker: str
    until: datetime
    room: int
    """How many more rows may be handed over."""
    paid_room: int
    """How many more rows that may go by paid broadcast (the worker sends those faster) may be handed over."""
    claimed: list["Claimed"] = field(default_factory=list)
    others_due: datetime | None = None
    """When the earliest row queued for a claim falls due (None: none was): the worker looks for work then, not
    before (a tally's edit kept 2 s apart doesn't make it read the outbox at every answer)."""


def hand_over_new_rows(session: AsyncSession, worker: str, until: datetime, room: int, paid_room: int) -> Handover:
    """From now on in this transaction, up to `room` new notifications (`paid_room` of those that may go by paid
    broadcast) are claimed for `worker` and gathered for it."""
    handover = Handover(worker, until, room, paid_room)
    session.info[HANDOVER] = handover
    return handover


async def enqueue(
    session: AsyncSession,
    *,
    dedupe_key: str,
    chat_id: int,
    content: Content,
    now: datetime,
    priority: Priority = Priority.NORMAL,
    member_id: int | None = None,
    unit_id: int | None = None,
) -> bool:
    """Queue a notification in the caller's transaction; False if this dedupe key was queued before."""
    notice = Notice(dedupe_key, chat_id, content, priority, member_id, unit_id)
    return await enqueue_many(session, [notice], now) == 1


async def enqueue_many(session: AsyncSession, notices: Sequence[Notice], now: datetime) -> int:
    """Queue notifications (a report's cards, a call-out, a township's reminders): a few one statement each, more in
    one batched statement; how many were new."""
    if not notices:
        return 0
    on_pg = on_postgres(session)
    handover: Handover | None = session.info.get(HANDOVER)
    rows = [n.row(now, handover if _handed(n, handover) else None) for n in notices]
    if len(rows) <= FEW_ROWS:
        inserted = [new for row in rows for new in await _INSERT_ONE[on_pg].rows(session, row)]
    else:
        inserted = list((await session.exec(_INSERT_STATEMENTS[on_pg], params=rows)).all())
    if handover is not None:
        new_ids = {key: notification_id for notification_id, key in inserted}
        for notice, row in zip(notices, rows, strict=True):
            if notice.dedupe_key not in new_ids:
                continue
            if row["status"] == DeliveryStatus.SENDING:
                handover.claimed.append(notice.claimed(new_ids[notice.dedupe_key], row))
            else:
                _note_rows_for_a_claim(session, row["next_attempt_at"])
    return len(inserted)


def _handed(notice: Notice, handover: Handover | None) -> bool:
    """Whether `notice` goes to the handover (a first send, while there is room), using up its room."""
    if handover is None or not notice.goes_by_handover:
        return False
    if notice.content.paid:
        handover.paid_room -= 1
        return handover.paid_room >= 0
    handover.room -= 1
    return handover.room >= 0


async def is_queued(session: AsyncSession, dedupe_key: str) -> bool:
    """Whether a notification under this dedupe key was ever queued."""
    query = select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    return (await session.exec(query)).first() is not None


def _note_rows_for_a_claim(session: AsyncSession, due: datetime) -> None:
    handover: Handover | None = session.info.get(HANDOVER)
    if handover is not None:
        handover.others_due = due if handover.others_due is None else min(handover.others_due, due)


async def enqueue_edit(
    session: AsyncSession,
    *,
    of_key: str,
    content: Content,
    now: datetime,
    priority: Priority = Priority.NORMAL,
    min_gap: timedelta = timedelta(0),
) -> bool:
    """Change a notification already queued or sent (a card once acknowledged, a live tally).

    Still pending: its content is replaced, so the first send is already current. Sent: one edit row per
    message carries the newest content, sent no sooner than `min_gap` after the message's last send (a tally
    edited at most every 2 s however many answers arrive). Failed or dead: there is nothing to edit (False).
    """
    original = (await session.exec(select(Notification).where(Notification.dedupe_key == of_key))).first()
    if original is None or original.status in (DeliveryStatus.FAILED, DeliveryStatus.DEAD):
        return False
    if original.status == DeliveryStatus.PENDING and original.edit_of_id is None:
        original.payload = {**content.as_payload(), **_kind_of(original.payload)}
        original.revision += 1
        session.add(original)
        _note_rows_for_a_claim(session, original.next_attempt_at)
        return True
    edit_key = f"edit:{original.id}"
    existing = (await session.exec(select(Notification).where(Notification.dedupe_key == edit_key))).first()
    if existing is None:
        edit = Notice(
            edit_key,
            original.chat_id,
            content,
            priority,
            original.member_id,
            original.unit_id,
            edit_of_id=original.id,
            not_before=_kept_apart(original, now, min_gap),
        )
        await enqueue_many(session, [edit], now)
        return True
    existing.payload = content.as_payload()
    existing.revision += 1
    existing.attempts = 0
    existing.next_attempt_at = _kept_apart(existing, now, min_gap)
    if existing.status != DeliveryStatus.SENDING:
        existing.status = DeliveryStatus.PENDING
    session.add(existing)
    _note_rows_for_a_claim(session, existing.next_attempt_at)
    return True


def _kept_apart(row: Notification, now: datetime, min_gap: timedelta) -> datetime:
    """When the next send of `row`'s message may go: `min_gap` after its last send (or after the one in flight)."""
    if not min_gap:
        return now
    if row.status == DeliveryStatus.SENDING:
        return now + min_gap
    due = max(now, row.next_attempt_at) if row.status == DeliveryStatus.PENDING else now
    return max(due, row.sent_at + min_gap) if row.sent_at is not None else due


def _kind_of(payload: dict[str, Any]) -> dict[str, Any]:
    """A pending photo stays a photo when its caption is edited before it is sent."""
    return {k: payload[k] for k in ("photo", "document", "voice", "location") if k in payload}


@dataclass(frozen=True)
class Claimed:
    """A row a worker holds: what to send, and for an edit the message it changes."""

    id: int
    chat_id: int
    member_id: int | None
    unit_id: int | None
    priority: int
    payload: dict[str, Any]
    revision: int
    attempts: int
    edit_of_id: int | None = None
    edit_of_status: DeliveryStatus | None = None
    edit_message_id: int | None = None
    edit_of_payload: dict[str, Any] | None = field(default=None)
    reply_to_message_id: int | None = None
    """For a reply (`reply_to` in the payload): the message it answers, if that one has been sent."""
    reply_to_status: DeliveryStatus | None = None
    """For a reply: where the message it answers stands (None if there is no such row)."""
    topic: str | None = None
    dedupe_key: str = ""
    queued_at: datetime | None = None
    """When the row was due to go (its delivery latency counts from here)."""

    @property
    def is_edit(self) -> bool:
        return self.edit_of_id is not None


def _due(now: datetime) -> Any:
    return or_(
        and_(col(Notification.status) == DeliveryStatus.PENDING, col(Notification.next_attempt_at) <= now),
        and_(col(Notification.status) == DeliveryStatus.SENDING, col(Notification.claimed_until) < now),
    )


async def claim_due(session: AsyncSession, worker: str, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    """Take up to `limit` due rows, most urgent and oldest first, for `lease`."""
    ids = (
        select(Notification.id)
        .where(_due(now))
        .order_by(col(Notification.priority), col(Notification.next_attempt_at), col(Notification.id))
        .limit(limit)
    )
    if on_postgres(session):
        ids = ids.with_for_update(skip_locked=True)
    statement = (
        update(Notification)
        .where(col(Notification.id).in_(ids.scalar_subquery()))
        .values(status=DeliveryStatus.SENDING, claimed_by=worker, claimed_until=now + lease)
        .returning(Notification)
    )
    rows = (await session.exec(statement)).scalars().all()
    targets = await _edit_targets(session, [r.edit_of_id for r in rows if r.edit_of_id is not None])
    replied = await _reply_targets(session, [r.payload["reply_to"] for r in rows if "reply_to" in r.payload])
    claimed = []
    for row in rows:
        target = targets.get(row.edit_of_id) if row.edit_of_id is not None else None
        answered = replied.get(row.payload.get("reply_to", ""))
        claimed.append(
            Claimed(
                id=row.id,
                chat_id=row.chat_id,
                member_id=row.member_id,
                unit_id=row.unit_id,
                priority=row.priority,
                payload=row.payload,
                revision=row.revision,
                attempts=row.attempts,
                edit_of_id=row.edit_of_id,
                edit_of_status=target.status if target else None,
                edit_message_id=target.sent_message_id if target else None,
                edit_of_payload=target.payload if target else None,
                reply_to_message_id=answered[1] if answered else None,
                reply_to_status=answered[0] if answered else None,
                topic=row.topic,
                dedupe_key=row.dedupe_key,
                queued_at=row.next_attempt_at,
            )
        )
    return sorted(claimed, key=lambda c: (c.priority, c.id))


async def _edit_targets(session: AsyncSession, ids: Sequence[int]) -> dict[int, Notification]:
    if not ids:
        return {}
    rows = (await session.exec(select(Notification).where(col(Notification.id).in_(ids)))).all()
    return {r.id: r for r in rows if r.id is not None}


async def _reply_targets(session: AsyncSession, keys: Sequence[str]) -> dict[str, tuple[DeliveryStatus, int | None]]:
    """The messages replies answer, by dedupe key: where each stands and, once sent, its message id."""
    if not keys:
        return {}
    query = select(Notification.dedupe_key, Notification.status, Notification.sent_message_id).where(
        col(Notification.dedupe_key).in_(keys)
    )
    return {key: (DeliveryStatus(status), message_id) for key, status, message_id in (await session.exec(query)).all()}


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed row."""

    id: int
    revision: int
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = None
    error: str | None = None
    message_id: int | None = None
    unreachable: bool = False
    paid_refused: bool = False
    """A paid broadcast refused for lack of Stars: the row goes again at the free rate, and its sender is told."""


async def record_outcomes(session: AsyncSession, worker: str, outcomes: Sequence[Outcome], now: datetime) -> None:
    """Write what delivery did: one statement, executed for all outcomes at once (`_RECORD_OUTCOME`)."""
    if not outcomes:
        return
    params = [
        {
            "b_id": o.id,
            "b_revision": o.revision,
            "b_worker": worker,
            "b_status": o.status,
            "b_attempts": o.attempts,
            "b_now": now,
            "b_error": o.error[:ERROR_TEXT_LIMIT] if o.error else None,
            "b_next": (o.next_attempt_at or now) if o.status == DeliveryStatus.PENDING else None,
            "b_sent_at": now if o.status == DeliveryStatus.SENT else None,
            "b_message_id": o.message_id,
        }
        for o in outcomes
    ]
    await session.exec(_RECORD_OUTCOME, params=params)


async def release(session: AsyncSession, ids_and_times: Sequence[tuple[int, datetime]]) -> None:
    """Give rows back untried (their chat is rate-limited for now): no attempt is counted."""
    for notification_id, when in ids_and_times:
        await session.exec(
            update(Notification)
            .where(col(Notification.id) == notification_id, col(Notification.status) == DeliveryStatus.SENDING)
            .values(status=DeliveryStatus.PENDING, next_attempt_at=when, claimed_by=None, claimed_until=None)
        )


async def release_claims(session: AsyncSession, worker: str) -> int:
    """Every row `worker` still holds goes back to pending, due as it was (a graceful stop); how many."""
    result = await session.exec(
        update(Notification)
        .where(col(Notification.status) == DeliveryStatus.SENDING, col(Notification.claimed_by) == worker)
        .values(status=DeliveryStatus.PENDING, claimed_by=None, claimed_until=None)
    )
    return int(result.rowcount or 0)


async def next_due_at(session: AsyncSession, include_leases: bool = True) -> datetime | None:
    """When the earliest pending row becomes due, or (with `include_leases`) a lease runs out."""
    query = select(func.min(Notification.next_attempt_at)).where(col(Notification.status) == DeliveryStatus.PENDING)
    candidates: list[datetime | None] = [(await session.exec(query)).one()]
    if include_leases:
        leased = select(func.min(Notification.claimed_until)).where(col(Notification.status) == DeliveryStatus.SENDING)
        candidates.append((await session.exec(leased)).one())
    present = [t for t in candidates if t is not None]
    return min(present) if present else None


async def messages_about(session: AsyncSession, topic: str) -> list[Notification]:
    """Every first-send row about `topic` (e.g. all escalation cards of one report), oldest first."""
    query = (
        select(Notification)
        .where(Notification.topic == topic, col(Notification.edit_of_id).is_(None))
        .order_by(col(Notification.id))
    )
    return list((await session.exec(query)).all())
