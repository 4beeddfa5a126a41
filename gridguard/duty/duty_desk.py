"""The duty roster's use cases, one method each, in the shape of gridguard/reports/report_desk: each change opens one
transaction and takes one `now`, its messages go through the outbox and are handed to delivery at the commit, and
a refusal is a DomainError raised inside the transaction, so it changes nothing."""

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.delivery.desk import TownshipDesk
from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Notice, enqueue_edit, enqueue_many, is_queued
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import Action, counties_of, may_move_swap, townships_of
from gridguard.directory.tables import StationGroup, Unit
from gridguard.duty import duty_files
from gridguard.duty.duty_texts import (
    handover_note_text,
    offer_closed,
    offer_key,
    shifts_moved,
    swap_declined,
    swap_news,
    swap_offer_content,
)
from gridguard.duty.enums import SWAP_OUTCOMES, CoverReason, DutyLayer, SwapStatus
from gridguard.duty.overlays import Overlay, overlays_of
from gridguard.duty.roster import (
    CONCERN_HORIZON,
    Concerns,
    CoverSpec,
    DutyMember,
    Roster,
    RotationSpec,
    add_cover,
    check_spec,
    duty_members,
    load_roster,
    load_rosters,
    save_rotation,
)
from gridguard.duty.rotation import Shift
from gridguard.duty.swap_lifecycle import SWAP_TRANSITIONS, SwapVerb
from gridguard.duty.tables import DutyCover, ShiftSwap
from gridguard.kernel.errors import DomainError, NoLongerThere, NotAllowed
from gridguard.reports.report_lifecycle import OPEN_STATUSES
from gridguard.reports.tables import Report
from i18n import Localizer

UPCOMING_DAYS = 7
PREVIEW_DAYS = 14
CALENDAR_DAYS = 60
SWAPPABLE_DAYS = 14

HANDOVER_WINDOW = timedelta(hours=12)
"""How long after a handoff its note may still be written: past it, the incoming member has long taken over."""


@dataclass(frozen=True)
class DutyView:
    """A township's roster as read at `now`."""

    roster: Roster
    now: datetime
    overlays: tuple[Overlay, ...] = ()
    """Temporary layers over the roster open now (a plan response's 24-hour duty)."""


@dataclass(frozen=True)
class RosterPreview:
    """A rotation before it is saved: the roster it would make, the layer's next two weeks from now (a shift it
    leaves empty shows as nobody's), and what the head must hear of."""

    roster: Roster
    shifts: list[Shift]
    concerns: Concerns


@dataclass(frozen=True)
class SwapOutcome:
    swap: ShiftSwap
    offerer: DutyMember
    taker: DutyMember


def moved_notices(
    before: Roster, after: Roster, layer: DutyLayer, version: int, now: datetime, saved_by: int
) -> list[Notice]:
    """A notice to each member (but the one who saved) whose shifts on `layer` in the next two weeks differ."""
    until = now + timedelta(days=PREVIEW_DAYS)
    old, new = before.timeline(layer, now, until), after.timeline(layer, now, until)
    notices = []
    for member in after.members.values():
        theirs = [s for s in new if s.member_id == member.id]
        if member.id == saved_by or _spans(theirs) == _spans(s for s in old if s.member_id == member.id):
            continue
        content = shifts_moved(Localizer(member.language), after, layer, theirs)
        key = f"duty-moved:{after.township_id}:{layer}:{version}:{member.id}"
        notices.append(Notice(key, member.telegram_id, content, member_id=member.id))
    return notices


def _spans(shifts: Iterable[Shift]) -> list[tuple[datetime, datetime]]:
    return [(s.starts_at, s.ends_at) for s in shifts]


def minute_of(instant: datetime) -> int:
    """An instant as whole minutes since the epoch: how a button names a shift's start or a handoff."""
    return int(instant.timestamp()) // 60


def instant_of(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)


class DutyDesk(TownshipDesk):
    async def _roster(self, session: AsyncSession, township_id: int, now: datetime) -> Roster:
        return await load_roster(session, township_id, self.zone, now - timedelta(days=1))

    # --- reading --------------------------------------------------------------------------------

    async def view(self, member: MemberProfile, group_chat_id: int | None = None) -> DutyView:
        """The roster of the member's township; in a station's group, of that group's township (public to it)."""
        now = self.clock.now()
        async with self.db.reading() as session:
            township_id = await self._township_seen(session, member, group_chat_id)
            roster = await self._roster(session, township_id, now)
            return DutyView(roster, now, tuple(await overlays_of(session, township_id)))

    async def county_views(self, member: MemberProfile) -> list[DutyView]:
        """A county officer's townships, each with its roster (those that keep none show nobody on duty)."""
        now = self.clock.now()
        async with self.db.reading() as session:
            counties = counties_of(member)
            query = select(Unit.id).where(col(Unit.parent_id).in_(counties)).order_by(col(Unit.code))
            townships = [t for t in (await session.exec(query)).all() if t is not None]
            rosters = await load_rosters(session, townships, self.zone, now - timedelta(days=1))
            return [DutyView(rosters[t], now) for t in townships]

    async def _township_seen(self, session: AsyncSession, member: MemberProfile, group_chat_id: int | None) -> int:
        if group_chat_id is not None:
            query = select(StationGroup).where(StationGroup.chat_id == group_chat_id)
            group = (await session.exec(query)).first()
            if group is None:
                raise DomainError("onduty.group_not_linked")
            if group.township_id in townships_of(member, Action.VIEW_DUTY) or member.is_admin:
                return group.township_id
            raise NotAllowed()
        return self._township(member, Action.VIEW_DUTY)

    async def calendar(self, member: MemberProfile) -> tuple[int, bytes]:
        """The member's own shifts for the coming weeks as an iCalendar file, and how many there are."""
        assert member.id is not None
        view = await self.view(member)
        shifts = view.roster.shifts_of(member.id, view.now, view.now + timedelta(days=CALENDAR_DAYS))
        return len(shifts), duty_files.calendar(view.roster, shifts, Localizer(member.language), view.now)

    def today(self) -> date:
        """The local date now (a rotation's start date is local)."""
        return self.clock.now().astimezone(self.zone).date()

    # --- setting it up (the station head) -------------------------------------------------------

    async def keeper_view(self, member: MemberProfile) -> DutyView:
        """The roster of the township whose station the member heads."""
        now = self.clock.now()
        async with self.db.reading() as session:
            township_id = self._township(member, Action.EDIT_ROSTER)
            return DutyView(await self._roster(session, township_id, now), now)

    def concerns_ahead(self, view: DutyView) -> Concerns:
        """Gaps and members on both layers in the coming week, as /roster and the daily warning show them."""
        return view.roster.concerns(view.now, view.now + CONCERN_HORIZON)

    async def preview(self, member: MemberProfile, spec: RotationSpec) -> RosterPreview:
        """The next two weeks of the layer as `spec` would make them (covers still winning), before it is saved."""
        view = await self.keeper_view(member)
        check_spec(spec, view.roster.members)
        after = view.roster.with_rotation(spec)
        until = view.now + timedelta(days=PREVIEW_DAYS)
        return RosterPreview(after, after.timeline(spec.layer, view.now, until), after.concerns(view.now, until))

    async def save(self, member: MemberProfile, spec: RotationSpec, seen_version: int | None) -> None:
        """Save the rotation; everyone else whose shifts on the layer it moves is told their shifts from now on."""
        assert member.id is not None
        async with self._work() as (session, now):
            township_id = self._township(member, Action.EDIT_ROSTER)
            before = await self._roster(session, township_id, now)
            rotation = await save_rotation(session, township_id, spec, seen_version, member.id, now)
            after = before.with_rotation(spec)
            moved = moved_notices(before, after, spec.layer, rotation.version, now, member.id)
            await enqueue_many(session, moved, now)

    async def export_csv(self, member: MemberProfile) -> bytes:
        view = await self.keeper_view(member)
        return duty_files.export_csv(view.roster, view.now, Localizer(member.language))

    async def import_csv(self, member: MemberProfile, data: bytes) -> int:
        """Apply a spreadsheet's shifts and covers, all or nothing; how many periods it added."""
        assert member.id is not None
        township_id = self._township(member, Action.EDIT_ROSTER)
        now = self.clock.now()
        async with self.db.reading() as session:
            roster = await self._roster(session, township_id, now)
        covers = await asyncio.to_thread(duty_files.parse_csv, data, roster, now, Localizer(member.language))
        async with self._work() as (session, now):
            for spec in covers:
                await add_cover(session, township_id, spec, member.id, now)
            return len(covers)

    # --- swaps ----------------------------------------------------------------------------------

    async def my_upcoming(self, member: MemberProfile) -> tuple[DutyView, list[tuple[DutyLayer, Shift]]]:
        """The member's own shifts that have not begun, in the next two weeks (what they may offer)."""
        assert member.id is not None
        now = self.clock.now()
        async with self.db.reading() as session:
            township_id = self._township(member, Action.STAND_DUTY)
            view = DutyView(await self._roster(session, township_id, now), now)
        shifts = view.roster.shifts_of(member.id, now, now + timedelta(days=SWAPPABLE_DAYS))
        return view, [(layer, s) for layer, s in shifts if s.starts_at > now]

    async def offer_swap(
        self, member: MemberProfile, layer: DutyLayer, starts_at: datetime, to_member_id: int | None
    ) -> ShiftSwap:
        """Offer one of the member's own shifts, to everyone on the roster or to a named colleague."""
        assert member.id is not None
        async with self._work() as (session, now):
            township_id = self._township(member, Action.STAND_DUTY)
            roster = await self._roster(session, township_id, now)
            shift = self._own_shift(roster, member.id, layer, starts_at, now)
            if to_member_id is not None and (to_member_id == member.id or to_member_id not in roster.members):
                raise DomainError("swap.not_a_colleague")
            await self._refuse_second_offer(session, member.id, layer, shift.starts_at)
            swap = ShiftSwap(
                township_id=township_id,
                layer=layer,
                offered_by_id=member.id,
                offered_to_id=to_member_id,
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
                status=SwapStatus.OFFERED,
                created_at=now,
                updated_at=now,
            )
            session.add(swap)
            await session.flush()
            asked = [m for m in roster.members.values() if m.id != member.id and to_member_id in (None, m.id)]
            notices = [
                Notice(
                    offer_key(swap.id or 0, m.id),
                    m.telegram_id,
                    swap_offer_content(Localizer(m.language), swap, roster.members[member.id].name, self.zone),
                    Priority.NORMAL,
                    m.id,
                )
                for m in asked
            ]
            await enqueue_many(session, notices, now)
            return swap

    async def _refuse_second_offer(
        self, session: AsyncSession, member_id: int, layer: DutyLayer, start: datetime
    ) -> None:
        query = select(ShiftSwap.id).where(
            ShiftSwap.offered_by_id == member_id,
            ShiftSwap.layer == layer,
            ShiftSwap.starts_at == start,
            ShiftSwap.status == SwapStatus.OFFERED,
        )
        if (await session.exec(query)).first() is not None:
            raise DomainError("swap.already_offered")

    def _own_shift(self, roster: Roster, member_id: int, layer: DutyLayer, starts_at: datetime, now: datetime) -> Shift:
        if starts_at <= now:
            raise DomainError("swap.already_past")
        held = [
            s for lay, s in roster.shifts_of(member_id, starts_at, starts_at + timedelta(minutes=1)) if lay == layer
        ]
        if not held or held[0].starts_at != starts_at:
            raise DomainError("swap.not_your_shift")
        return held[0]

    async def take_swap(self, member: MemberProfile, swap_id: int) -> SwapOutcome:
        """Take an offered shift with one press. Two presses at once: the first wins (the swap's version), and the
        other is told who took it. The timeline changes through a cover; the offerer and the head are told."""
        assert member.id is not None
        async with self._work() as (session, now):
            swap = await self._swap(session, swap_id)
            roster = await self._roster(session, swap.township_id, now)
            self._check_may_take(swap, roster, member.id, now)
            await self._move(session, member, swap, SwapVerb.TAKE, roster, now, taken_by_id=member.id)
            await self._drop_own_cover(session, swap, now)
            spec = CoverSpec(swap.layer, member.id, swap.starts_at, swap.ends_at, CoverReason.SWAP)
            cover = await add_cover(session, swap.township_id, spec, member.id, now)
            swap.cover_id = cover.id
            session.add(swap)
            offerer, taker = roster.members[swap.offered_by_id], roster.members[member.id]
            await enqueue_many(session, swap_news(swap, SwapStatus.TAKEN, offerer, taker, roster, self.zone), now)
            await self._close_offers(session, swap, roster, now, but=member.id, taker=taker.name)
            return SwapOutcome(swap, offerer, taker)

    async def _close_offers(
        self, session: AsyncSession, swap: ShiftSwap, roster: Roster, now: datetime, but: int, taker: str = ""
    ) -> None:
        """The offer as each colleague who got it sees it now (taken, withdrawn, declined), without its buttons —
        but for `but`, whose own press already answered them."""
        offerer = roster.members.get(swap.offered_by_id)
        for colleague in roster.members.values():
            if colleague.id in (swap.offered_by_id, but) or swap.offered_to_id not in (None, colleague.id):
                continue
            i18n = Localizer(colleague.language)
            outcome = i18n("swap.taken_by", name=taker) if taker else i18n(SWAP_OUTCOMES(swap.status))
            content = offer_closed(i18n, swap, offerer.name if offerer else "?", outcome, self.zone)
            await enqueue_edit(session, of_key=offer_key(swap.id or 0, colleague.id), content=content, now=now)

    async def decline_swap(self, member: MemberProfile, swap_id: int) -> ShiftSwap:
        """The colleague a shift was offered to by name says they can't: the offer closes and the offerer is told,
        so they can ask someone else."""
        assert member.id is not None
        async with self._work() as (session, now):
            swap = await self._swap(session, swap_id)
            roster = await self._roster(session, swap.township_id, now)
            if swap.status == SwapStatus.OFFERED and swap.offered_to_id != member.id:
                raise NotAllowed() if swap.offered_to_id is None else DomainError("swap.offered_to_another")
            await self._move(session, member, swap, SwapVerb.DECLINE, roster, now)
            offerer, decliner = roster.members.get(swap.offered_by_id), roster.members.get(member.id)
            if offerer is not None and decliner is not None:
                content = swap_declined(Localizer(offerer.language), swap, decliner.name, self.zone)
                notice = Notice(f"swap-declined:{swap.id}", offerer.telegram_id, content, member_id=offerer.id)
                await enqueue_many(session, [notice], now)
            return swap

    def _check_may_take(self, swap: ShiftSwap, roster: Roster, member_id: int, now: datetime) -> None:
        """What refuses a take besides the transition: a shift offered to someone else, one begun, or one the
        offerer no longer holds (they left, or the roster changed since the offer)."""
        if swap.status != SwapStatus.OFFERED:
            return
        if swap.offered_to_id not in (None, member_id) and member_id in roster.members:
            raise DomainError("swap.offered_to_another")
        if swap.starts_at <= now:
            raise DomainError("swap.already_past")
        holders = {s.member_id for s in roster.layers[swap.layer].timeline(swap.starts_at, swap.ends_at)}
        if swap.offered_by_id not in roster.members or holders != {swap.offered_by_id}:
            raise DomainError("swap.no_longer_theirs")
        others = [layer for layer in DutyLayer if layer != swap.layer]
        if any(s.member_id == member_id for o in others for s in roster.timeline(o, swap.starts_at, swap.ends_at)):
            raise DomainError("swap.would_hold_both")

    async def _drop_own_cover(self, session: AsyncSession, swap: ShiftSwap, now: datetime) -> None:
        """A shift the offerer held by a cover (one they took earlier) passes on: their cover for it ends."""
        query = select(DutyCover).where(
            DutyCover.township_id == swap.township_id,
            DutyCover.layer == swap.layer,
            DutyCover.member_id == swap.offered_by_id,
            col(DutyCover.cancelled_at).is_(None),
            DutyCover.starts_at == swap.starts_at,
            DutyCover.ends_at == swap.ends_at,
        )
        for cover in (await session.exec(query)).all():
            cover.cancelled_at = now
            session.add(cover)
        await session.flush()

    async def undo_swap(self, member: MemberProfile, swap_id: int) -> tuple[ShiftSwap, str]:
        """The station head undoes a swap: its cover ends, the shift is the offerer's again (by a cover of their own
        if the rotation gives it to someone else), and both are told."""
        async with self._work() as (session, now):
            swap = await self._swap(session, swap_id)
            roster = await self._roster(session, swap.township_id, now)
            await self._move(session, member, swap, SwapVerb.UNDO, roster, now)
            if swap.ends_at <= now:
                raise DomainError("swap.already_past")
            cover = await session.get(DutyCover, swap.cover_id) if swap.cover_id else None
            if cover is not None:
                cover.cancelled_at = now
                session.add(cover)
                await session.flush()
            offerer = roster.members.get(swap.offered_by_id)
            taker = roster.members.get(swap.taken_by_id or 0)
            if offerer is not None:
                await self._give_back(session, swap, offerer.id, now)
            if offerer is not None and taker is not None:
                await enqueue_many(session, swap_news(swap, SwapStatus.UNDONE, offerer, taker, roster, self.zone), now)
            return swap, offerer.name if offerer else "?"

    async def _give_back(self, session: AsyncSession, swap: ShiftSwap, offerer_id: int, now: datetime) -> None:
        roster = await self._roster(session, swap.township_id, now)
        start = max(swap.starts_at, now)
        holders = {s.member_id for s in roster.layers[swap.layer].timeline(start, swap.ends_at)}
        if holders != {offerer_id}:
            spec = CoverSpec(swap.layer, offerer_id, start, swap.ends_at, CoverReason.SWAP)
            await add_cover(session, swap.township_id, spec, None, now)

    async def withdraw_swap(self, member: MemberProfile, swap_id: int) -> ShiftSwap:
        async with self._work() as (session, now):
            swap = await self._swap(session, swap_id)
            roster = await self._roster(session, swap.township_id, now)
            await self._move(session, member, swap, SwapVerb.WITHDRAW, roster, now)
            await self._close_offers(session, swap, roster, now, but=member.id or 0)
            return swap

    async def _swap(self, session: AsyncSession, swap_id: int) -> ShiftSwap:
        swap = await session.get(ShiftSwap, swap_id)
        if swap is None:
            raise DomainError("swap.gone")
        return swap

    async def _move(
        self,
        session: AsyncSession,
        member: MemberProfile,
        swap: ShiftSwap,
        verb: SwapVerb,
        roster: Roster,
        now: datetime,
        **values: int,
    ) -> None:
        """The swap's transition, if the member may press it (permissions, from the transition table) and the swap
        is still where this press saw it: a compare-and-set on its version, so of two presses at once one moves it
        and the other is told what happened instead."""
        transition = SWAP_TRANSITIONS[verb]
        stands_duty = member.id in roster.members
        if not may_move_swap(member, transition.by, swap.offered_by_id, swap.township_id, stands_duty):
            raise NotAllowed()
        seen = swap.version
        if swap.status == transition.allowed_from:
            moved = await session.exec(
                update(ShiftSwap)
                .where(
                    col(ShiftSwap.id) == swap.id,
                    col(ShiftSwap.version) == seen,
                    col(ShiftSwap.status) == transition.allowed_from,
                )
                .values(status=transition.to, version=seen + 1, updated_at=now, **values)
            )
            await session.refresh(swap)
            if moved.rowcount == 1:
                return
        raise await self._why_not(session, swap)

    async def _why_not(self, session: AsyncSession, swap: ShiftSwap) -> DomainError:
        if swap.status == SwapStatus.TAKEN and swap.taken_by_id is not None:
            names = await duty_members(session, swap.township_id)
            taker = names.get(swap.taken_by_id)
            return DomainError("swap.taken_by", name=taker.name if taker else "?")
        return DomainError(SWAP_OUTCOMES(swap.status))

    # --- handover -------------------------------------------------------------------------------

    async def check_handover(self, member: MemberProfile, layer: DutyLayer, at: datetime) -> None:
        """May the member write the handover note for the handoff at `at` (they were the outgoing one, and have
        not written it yet)?"""
        async with self.db.reading() as session:
            roster, _ = await self._incoming(session, member, layer, at, self.clock.now())
            if await is_queued(session, note_key(roster.township_id, layer, at)):
                raise NoLongerThere("handover.already_sent")

    async def _incoming(
        self, session: AsyncSession, member: MemberProfile, layer: DutyLayer, at: datetime, now: datetime
    ) -> tuple[Roster, DutyMember]:
        township_id = self._township(member, Action.STAND_DUTY)
        roster = await load_roster(session, township_id, self.zone, at - timedelta(days=1))
        outgoing = roster.layers[layer].member_at(at - timedelta(microseconds=1))
        incoming = roster.member_at(layer, at)
        if outgoing != member.id or incoming is None or incoming.id == member.id or at > now:
            raise NoLongerThere("handover.not_yours")
        if now - at > HANDOVER_WINDOW:
            raise NoLongerThere("handover.too_late", hours=int(HANDOVER_WINDOW.total_seconds() // 3600))
        return roster, incoming

    async def hand_over(self, member: MemberProfile, layer: DutyLayer, at: datetime, note: str) -> DutyMember:
        """The outgoing member's handover note goes to the incoming one (once per handoff)."""
        async with self._work() as (session, now):
            roster, incoming = await self._incoming(session, member, layer, at, now)
            open_codes = await open_reports_in(session, roster.township_id)
            content = handover_note_text(Localizer(incoming.language), member.name, note, open_codes)
            key = note_key(roster.township_id, layer, at)
            notice = Notice(key, incoming.telegram_id, content, Priority.NORMAL, incoming.id)
            if not await enqueue_many(session, [notice], now):
                raise NoLongerThere("handover.already_sent")
            return incoming


def note_key(township_id: int, layer: DutyLayer, at: datetime) -> str:
    """One handover note per handoff: the outbox's dedupe key for it."""
    return f"duty-note:{township_id}:{layer}:{minute_of(at)}"


async def open_reports_in(session: AsyncSession, township_id: int) -> list[str]:
    """Codes of the township's open reports, oldest first."""
    query = (
        select(Report.code)
        .where(Report.township_id == township_id, col(Report.status).in_(OPEN_STATUSES))
        .order_by(col(Report.created_at))
    )
    return list((await session.exec(query)).all())
