"""Escalation's plan (who is reached at filing, and when the next step is due) and the outbox's edits of
messages already queued or sent."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.paths import ESCALATION_POLICY
from gridguard.db.database import Database
from gridguard.delivery.enums import DeliveryStatus
from gridguard.delivery.outbox import Content, Outcome, claim_due, enqueue, enqueue_edit, record_outcomes
from gridguard.delivery.tables import Notification
from gridguard.reports.audience import Audience, Recipient
from gridguard.reports.enums import Category, ReportStatus, Severity
from gridguard.reports.escalation import Context, plan_start
from gridguard.reports.policy import load_policy
from gridguard.reports.tables import Report

NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
OFFICER, DUTY, HEAD, COUNTY = (Recipient(chat, chat, "zh") for chat in (10, 11, 12, 13))


def ctx() -> Context:
    return Context(load_policy(ESCALATION_POLICY), NOW, ZoneInfo("Asia/Shanghai"), "zh")


def new_report(severity: Severity) -> Report:
    return Report(
        code="24100-2611-0001", township_id=1, unit_id=2, village_id=2, reporter_id=1, category=Category.FIRE,
        severity=severity, status=ReportStatus.NEW, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def reach(**by_step: list[Recipient]) -> Audience:
    return Audience({step: tuple(by_step.get(f"step{step}", [])) for step in range(4)}, {})


def test_a_major_report_reaches_the_village_officer_and_the_station_is_due_in_five_minutes() -> None:
    report = new_report(Severity.MAJOR)
    reached = plan_start(report, ctx(), reach(step0=[OFFICER], step1=[DUTY], step2=[HEAD]))
    assert reached == [OFFICER] and report.escalation_step == 0
    assert report.next_escalation_at == NOW + timedelta(minutes=5)
    assert report.next_renotify_at == NOW + timedelta(minutes=10)


def test_a_critical_report_reaches_three_steps_at_once_and_the_county_in_ten_minutes() -> None:
    report = new_report(Severity.CRITICAL)
    reached = plan_start(report, ctx(), reach(step0=[OFFICER], step1=[DUTY], step2=[HEAD], step3=[COUNTY]))
    assert reached == [OFFICER, DUTY, HEAD] and report.escalation_step == 2
    assert report.next_escalation_at == NOW + timedelta(minutes=10)


def test_a_village_without_an_officer_passes_straight_to_the_station() -> None:
    report = new_report(Severity.MAJOR)
    reached = plan_start(report, ctx(), reach(step1=[DUTY], step2=[HEAD]))
    assert reached == [DUTY] and report.escalation_step == 1
    assert report.next_escalation_at == NOW + timedelta(minutes=15), "the head's deadline still counts from filing"


def test_nobody_anywhere_leaves_the_report_at_its_last_step_with_no_deadline() -> None:
    report = new_report(Severity.LOW)
    assert plan_start(report, ctx(), reach()) == []
    assert report.escalation_step == 2 and report.next_escalation_at is None


async def _row(db: Database, key: str) -> Notification:
    async with db.reading() as session:
        return (await session.exec(select(Notification).where(Notification.dedupe_key == key))).one()


async def _queue_card(db: Database) -> None:
    async with db.transaction() as session:
        await enqueue(session, dedupe_key="card:1:1", chat_id=10, content=Content(text="新", photo="P1"), now=NOW)


async def _edit(db: Database, text: str) -> bool:
    async with db.transaction() as session:
        return await enqueue_edit(session, of_key="card:1:1", content=Content(text=text), now=NOW)


async def _mark(db: Database, status: DeliveryStatus, message_id: int | None = None) -> None:
    async with db.transaction() as session:
        row = (await session.exec(select(Notification).where(Notification.dedupe_key == "card:1:1"))).one()
        row.status, row.sent_message_id = status, message_id
        session.add(row)


async def test_an_edit_of_a_card_not_yet_sent_replaces_its_content_and_a_photo_stays_a_photo(db: Database) -> None:
    await _queue_card(db)
    assert await _edit(db, "已确认")
    card = await _row(db, "card:1:1")
    assert card.payload == {"text": "已确认", "photo": "P1"} and card.revision == 1
    async with db.reading() as session:
        assert len((await session.exec(select(Notification))).all()) == 1, "no second message"


async def test_edits_of_a_sent_card_share_one_edit_row_carrying_the_newest_content(db: Database) -> None:
    await _queue_card(db)
    await _mark(db, DeliveryStatus.SENT, message_id=77)
    assert await _edit(db, "已确认")
    original = await _row(db, "card:1:1")
    first = await _row(db, f"edit:{original.id}")
    assert first.edit_of_id == original.id and first.payload == {"text": "已确认"}
    assert await _edit(db, "已处理")
    newest = await _row(db, f"edit:{original.id}")
    assert newest.id == first.id and newest.payload == {"text": "已处理"} and newest.revision == first.revision + 1
    assert newest.status == DeliveryStatus.PENDING


@pytest.mark.parametrize("status", [DeliveryStatus.FAILED, DeliveryStatus.DEAD])
async def test_a_card_that_never_arrived_has_nothing_to_edit(db: Database, status: DeliveryStatus) -> None:
    await _queue_card(db)
    await _mark(db, status)
    assert not await _edit(db, "已确认")
    async with db.reading() as session:
        assert len((await session.exec(select(Notification))).all()) == 1


GAP = timedelta(seconds=2)


async def _gap_edit(db: Database, text: str, at: datetime) -> None:
    async with db.transaction() as session:
        await enqueue_edit(session, of_key="card:1:1", content=Content(text=text), now=at, min_gap=GAP)


async def _send_edit(
    db: Database, edit_key: str, claimed_at: datetime, recorded_at: datetime, edited_meanwhile: str
) -> None:
    """Claim the edit row at `claimed_at`, let `edited_meanwhile` arrive while it is in flight, record it sent."""
    async with db.transaction() as session:
        [claimed] = await claim_due(session, "w", claimed_at, timedelta(seconds=60), 10)
    await _gap_edit(db, edited_meanwhile, claimed_at + timedelta(seconds=0.2))
    async with db.transaction() as session:
        outcome = Outcome(claimed.id, claimed.revision, DeliveryStatus.SENT, 1, message_id=77)
        await record_outcomes(session, "w", [outcome], recorded_at)
    assert (await _row(db, edit_key)).status == DeliveryStatus.PENDING, "the newer content goes back to pending"


async def test_a_tally_edit_waits_its_gap_after_a_send_that_was_in_flight_when_newer_content_came(db: Database) -> None:
    """An edit sent while newer content arrived goes back to pending: the next edit is still kept 2 s after the send
    that was in flight, not after the one before it."""
    await _queue_card(db)
    await _mark(db, DeliveryStatus.SENT, message_id=77)
    await _gap_edit(db, "一", NOW)
    key = f"edit:{(await _row(db, 'card:1:1')).id}"
    async with db.transaction() as session:
        [first] = await claim_due(session, "w", NOW, timedelta(seconds=60), 10)
        await record_outcomes(
            session, "w", [Outcome(first.id, first.revision, DeliveryStatus.SENT, 1, message_id=77)], NOW
        )
    later = NOW + timedelta(seconds=3)
    await _gap_edit(db, "二", later)
    await _send_edit(db, key, later, later + timedelta(seconds=0.3), "三")
    await _gap_edit(db, "四", later + timedelta(seconds=0.5))
    row = await _row(db, key)
    assert row.payload == {"text": "四"} and row.next_attempt_at >= later + GAP


async def test_a_late_record_leaves_newer_content_that_another_worker_holds_alone(db: Database) -> None:
    """A worker recording its send after its lease ran out, when newer content came meanwhile and another worker
    claimed it, changes nothing: the newer content is that worker's to send."""
    await _queue_card(db)
    await _mark(db, DeliveryStatus.SENT, message_id=77)
    assert await _edit(db, "已确认")
    key, lease = f"edit:{(await _row(db, 'card:1:1')).id}", timedelta(seconds=60)
    async with db.transaction() as session:
        [late] = await claim_due(session, "w", NOW, lease, 10)
    assert await _edit(db, "已处理")
    after_the_lease = NOW + lease + timedelta(seconds=1)
    async with db.transaction() as session:
        [newer] = await claim_due(session, "v", after_the_lease, lease, 10)
    async with db.transaction() as session:
        outcome = Outcome(late.id, late.revision, DeliveryStatus.SENT, 1, message_id=77)
        await record_outcomes(session, "w", [outcome], after_the_lease)
    row = await _row(db, key)
    assert (row.status, row.claimed_by, row.revision) == (DeliveryStatus.SENDING, "v", newer.revision)
    assert row.payload == {"text": "已处理"} and row.sent_at is None
