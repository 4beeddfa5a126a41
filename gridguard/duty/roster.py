"""The duty roster in the database: a township's layers as values (gridguard/duty/rotation), and the writes to it.

Times are stored in UTC; a rotation's handoff time and start date are local to the deployment's zone. A member
a rotation names who no longer holds a duty role in the township is skipped (the rotation goes on with the
others) and shown to the head as departed.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.directory.permissions import DUTY_ROLES, ROSTER_KEEPER
from gridguard.directory.tables import Member, RoleAssignment, Unit
from gridguard.duty.enums import CoverReason, DutyLayer, ShiftPattern
from gridguard.duty.rotation import Cover, Layer, RotationPlan, Shift, held_by_one, overlapping
from gridguard.duty.tables import DutyCover, Rotation
from gridguard.kernel.errors import DomainError
from gridguard.reports.audience import Audience, Recipient
from gridguard.reports.tables import Report

LAYERS = tuple(DutyLayer)
CONCERN_HORIZON = timedelta(days=7)
"""How far ahead /roster and the daily warning look for gaps and members on both layers."""


@dataclass(frozen=True)
class DutyMember:
    """A member who may stand duty in the township, as a value."""

    id: int
    telegram_id: int
    name: str
    phone: str | None
    language: str
    reachable: bool
    keeper: bool = False
    """Heads the station: hears of swaps and gaps, and may undo a swap."""


@dataclass(frozen=True)
class RotationSpec:
    """A rotation as the head set it up: what the /roster wizard and `save_rotation` exchange."""

    layer: DutyLayer
    pattern: ShiftPattern
    handoff_minutes: int
    start_date: date
    member_ids: tuple[int, ...]


@dataclass(frozen=True)
class Roster:
    """A township's duty as values: its layers, its duty members, and whom its rotations name but who left."""

    township_id: int
    township_name: str
    zone: ZoneInfo
    layers: Mapping[DutyLayer, Layer]
    specs: Mapping[DutyLayer, RotationSpec]
    versions: Mapping[DutyLayer, int]
    members: Mapping[int, DutyMember]
    departed: tuple[str, ...] = field(default=())

    @property
    def rostered(self) -> bool:
        """Whether the township keeps a roster at all (without one, step 1 reaches every on-duty member)."""
        return bool(self.specs)

    def member_at(self, layer: DutyLayer, instant: datetime) -> DutyMember | None:
        member_id = self.layers[layer].member_at(instant)
        return self.members.get(member_id) if member_id is not None else None

    def timeline(self, layer: DutyLayer, since: datetime, until: datetime) -> list[Shift]:
        """Who holds [since, until) on the layer, shift by shift (a cover is a piece of its own)."""
        return self.layers[layer].timeline(since, until)

    def shifts_of(self, member_id: int, since: datetime, until: datetime) -> list[tuple[DutyLayer, Shift]]:
        """The member's own shifts in [since, until), on either layer, in time order."""
        mine = [(layer, s) for layer in LAYERS for s in self.timeline(layer, since, until) if s.member_id == member_id]
        return sorted(mine, key=lambda pair: pair[1].starts_at)

    def with_rotation(self, spec: RotationSpec) -> "Roster":
        """The roster as it would be with `spec` saved (covers still winning)."""
        plan = RotationPlan(spec.pattern, spec.handoff_minutes, spec.start_date, spec.member_ids, self.zone)
        layers = dict(self.layers) | {spec.layer: Layer(plan, self.layers[spec.layer].covers)}
        specs = dict(self.specs) | {spec.layer: spec}
        return replace(self, layers=MappingProxyType(layers), specs=MappingProxyType(specs))

    def concerns(self, since: datetime, until: datetime) -> "Concerns":
        """What a head must hear of in [since, until): shifts with nobody on a layer that has a rotation, and
        periods when one member holds both layers (a critical report would then reach one person, not two)."""
        timelines = {layer: self.timeline(layer, since, until) for layer in LAYERS}
        gaps = tuple(
            (layer, s) for layer in LAYERS if layer in self.specs for s in timelines[layer] if s.member_id is None
        )
        doubled = tuple(held_by_one(timelines[DutyLayer.PRIMARY], timelines[DutyLayer.BACKUP]))
        return Concerns(gaps, doubled)


@dataclass(frozen=True)
class Concerns:
    gaps: tuple[tuple[DutyLayer, Shift], ...]
    doubled: tuple[Shift, ...]
    """Periods when one member holds both layers (`member_id`: who)."""

    def __bool__(self) -> bool:
        return bool(self.gaps or self.doubled)


async def duty_members(session: AsyncSession, township_id: int) -> dict[int, DutyMember]:
    """Everyone who may stand duty in the township (its station's members), by member id."""
    return (await _duty_members_of(session, [township_id])).get(township_id, {})


async def _duty_members_of(session: AsyncSession, township_ids: Sequence[int]) -> dict[int, dict[int, DutyMember]]:
    query = (
        select(Member, RoleAssignment.role, RoleAssignment.unit_id)
        .join(RoleAssignment, col(RoleAssignment.member_id) == Member.id)
        .where(col(RoleAssignment.unit_id).in_(township_ids), col(RoleAssignment.role).in_(DUTY_ROLES))
        .order_by(col(Member.id))
    )
    rows = (await session.exec(query)).all()
    keepers = {(m.id, township) for m, role, township in rows if role == ROSTER_KEEPER}
    found: dict[int, dict[int, DutyMember]] = {}
    for m, _, township in rows:
        if m.id is not None:
            keeper = (m.id, township) in keepers
            member = DutyMember(m.id, m.telegram_id, m.name, m.phone, m.language, m.unreachable_since is None, keeper)
            found.setdefault(township, {})[m.id] = member
    return found


def _spec(rotation: Rotation) -> RotationSpec:
    members = tuple(rotation.member_ids)
    return RotationSpec(rotation.layer, rotation.pattern, rotation.handoff_minutes, rotation.start_date, members)


async def rotations(session: AsyncSession, township_id: int) -> dict[DutyLayer, Rotation]:
    rows = (await session.exec(select(Rotation).where(Rotation.township_id == township_id))).all()
    return {r.layer: r for r in rows}


async def active_covers(session: AsyncSession, township_ids: Sequence[int], since: datetime) -> list[DutyCover]:
    """Covers not cancelled that end after `since`, by start."""
    query = (
        select(DutyCover)
        .where(
            col(DutyCover.township_id).in_(township_ids),
            col(DutyCover.cancelled_at).is_(None),
            col(DutyCover.ends_at) > since,
        )
        .order_by(col(DutyCover.starts_at))
    )
    return list((await session.exec(query)).all())


async def load_roster(
    session: AsyncSession,
    township_id: int,
    zone: ZoneInfo,
    since: datetime,
    held: Mapping[DutyLayer, Rotation] | None = None,
) -> Roster:
    """The township's roster as it stands, with the covers that end after `since` (`held`: its rotations, if the
    caller has read them already)."""
    held_by = {township_id: held} if held is not None else None
    return (await load_rosters(session, [township_id], zone, since, held_by))[township_id]


async def load_rosters(
    session: AsyncSession,
    township_ids: Sequence[int],
    zone: ZoneInfo,
    since: datetime,
    held: Mapping[int, Mapping[DutyLayer, Rotation]] | None = None,
) -> dict[int, Roster]:
    """Several townships' rosters in a few statements, whatever their number (the duty sweep reads them all)."""
    if held is None:
        rows = (await session.exec(select(Rotation).where(col(Rotation.township_id).in_(township_ids)))).all()
        grouped: dict[int, dict[DutyLayer, Rotation]] = {}
        for rotation in rows:
            grouped.setdefault(rotation.township_id, {})[rotation.layer] = rotation
        held = grouped
    units = (await session.exec(select(Unit).where(col(Unit.id).in_(township_ids)))).all()
    names_of_townships = {u.id: u.name for u in units}
    members = await _duty_members_of(session, township_ids)
    covers: dict[int, list[DutyCover]] = {}
    for cover in await active_covers(session, township_ids, since):
        covers.setdefault(cover.township_id, []).append(cover)
    departed = {
        t: [m for r in held.get(t, {}).values() for m in r.member_ids if m not in members.get(t, {})]
        for t in township_ids
    }
    names = await member_names(session, sorted({m for ids in departed.values() for m in ids}))
    return {
        t: _assemble(
            t,
            names_of_townships[t],
            zone,
            held.get(t, {}),
            members.get(t, {}),
            covers.get(t, []),
            tuple(dict.fromkeys(names[m] for m in departed[t] if m in names)),
        )
        for t in township_ids
    }


def _assemble(
    township_id: int,
    township_name: str,
    zone: ZoneInfo,
    held: Mapping[DutyLayer, Rotation],
    members: dict[int, DutyMember],
    covers: Sequence[DutyCover],
    departed: tuple[str, ...],
) -> Roster:
    layers: dict[DutyLayer, Layer] = {}
    for layer in LAYERS:
        rotation = held.get(layer)
        plan = None
        if rotation is not None:
            staying = tuple(m for m in rotation.member_ids if m in members)
            plan = RotationPlan(rotation.pattern, rotation.handoff_minutes, rotation.start_date, staying, zone)
        mine = tuple(Cover(c.starts_at, c.ends_at, c.member_id) for c in covers if c.layer == layer)
        layers[layer] = Layer(plan, mine)
    return Roster(
        township_id,
        township_name,
        zone,
        MappingProxyType(layers),
        MappingProxyType({layer: _spec(r) for layer, r in held.items()}),
        MappingProxyType({layer: r.version for layer, r in held.items()}),
        MappingProxyType(members),
        departed,
    )


async def member_names(session: AsyncSession, member_ids: Sequence[int]) -> dict[int, str]:
    if not member_ids:
        return {}
    rows = (await session.exec(select(Member).where(col(Member.id).in_(member_ids)))).all()
    return {m.id: m.name for m in rows if m.id is not None}


def check_spec(spec: RotationSpec, members: Mapping[int, DutyMember]) -> None:
    """A rotation the head may save: members who may stand duty here, each once, a handoff time within a day."""
    if not spec.member_ids:
        raise DomainError("roster.no_members")
    if len(set(spec.member_ids)) != len(spec.member_ids):
        raise DomainError("roster.member_twice")
    if any(m not in members for m in spec.member_ids):
        raise DomainError("roster.not_on_station")
    if not 0 <= spec.handoff_minutes < 24 * 60:
        raise DomainError("roster.bad_handoff")


async def save_rotation(
    session: AsyncSession, township_id: int, spec: RotationSpec, seen_version: int | None, by: int, now: datetime
) -> Rotation:
    """Create or replace the township's rotation on `spec.layer`. `seen_version` is the version the head edited
    (None: there was none); if someone saved in between, the save is refused rather than lost silently."""
    check_spec(spec, await duty_members(session, township_id))
    rotation = (await rotations(session, township_id)).get(spec.layer)
    current = rotation.version if rotation is not None else None
    if current != seen_version:
        raise DomainError("roster.changed_meanwhile")
    if rotation is None:
        rotation = Rotation(
            township_id=township_id,
            layer=spec.layer,
            pattern=spec.pattern,
            handoff_minutes=0,
            start_date=spec.start_date,
            member_ids=[],
            version=-1,
            updated_at=now,
        )
    rotation.pattern, rotation.handoff_minutes = spec.pattern, spec.handoff_minutes
    rotation.start_date, rotation.member_ids = spec.start_date, list(spec.member_ids)
    rotation.version += 1
    rotation.updated_by_id, rotation.updated_at = by, now
    session.add(rotation)
    await session.flush()
    return rotation


@dataclass(frozen=True)
class CoverSpec:
    layer: DutyLayer
    member_id: int
    starts_at: datetime
    ends_at: datetime
    reason: CoverReason


def check_cover_period(spec: CoverSpec, now: datetime) -> None:
    if spec.ends_at <= spec.starts_at:
        raise DomainError("roster.zero_length")
    if spec.ends_at <= now:
        raise DomainError("roster.already_past")


async def add_cover(
    session: AsyncSession, township_id: int, spec: CoverSpec, by: int | None, now: datetime
) -> DutyCover:
    """A member covers a period of a layer. Covers never overlap: a second one over the same time is refused."""
    check_cover_period(spec, now)
    existing = [c for c in await active_covers(session, [township_id], now) if c.layer == spec.layer]
    new = Cover(spec.starts_at, spec.ends_at, spec.member_id)
    clash = overlapping([*(Cover(c.starts_at, c.ends_at, c.member_id) for c in existing), new])
    if clash is not None:
        raise DomainError("roster.cover_overlaps")
    cover = DutyCover(
        township_id=township_id,
        layer=spec.layer,
        member_id=spec.member_id,
        starts_at=spec.starts_at,
        ends_at=spec.ends_at,
        reason=spec.reason,
        created_by_id=by,
        created_at=now,
    )
    session.add(cover)
    await session.flush()
    return cover


async def on_duty_now(session: AsyncSession, township_id: int, zone: ZoneInfo, now: datetime) -> Roster | None:
    """The township's roster if it keeps one (None: it has no rotation, and step 1 reaches every on-duty member)."""
    held = await rotations(session, township_id)
    if not held:
        return None
    return await load_roster(session, township_id, zone, now - timedelta(days=1), held)


def _recipient(member: DutyMember) -> Recipient:
    return Recipient(member.telegram_id, member.id, member.language)


async def with_duty(
    session: AsyncSession, reach: Audience, township_id: int, zone: ZoneInfo, now: datetime
) -> Audience:
    """Step 1 as the township's roster has it at `now`: its primary on duty (and the station's group), with the
    backup on duty to follow. A township without a roster, or with nobody reachable on duty now (a gap), keeps
    step 1 as it is: every on-duty member."""
    roster = await on_duty_now(session, township_id, zone, now)
    if roster is None:
        return reach
    primary, backup = roster.member_at(DutyLayer.PRIMARY, now), roster.member_at(DutyLayer.BACKUP, now)
    if primary is None or not primary.reachable:
        return reach
    group = tuple(r for r in reach.by_step[1] if r.member_id is None)
    by_step = MappingProxyType({**reach.by_step, 1: (_recipient(primary), *group)})
    stand_in = (_recipient(backup),) if backup is not None and backup.reachable and backup.id != primary.id else ()
    return replace(reach, by_step=by_step, primary_id=primary.id, backup=stand_in)


async def holders_of_duty_step(session: AsyncSession, report: Report, reach: Audience) -> tuple[Recipient, ...]:
    """Who holds a report's step 1: the primary (and backup) on duty when it got there, whoever is on duty now
    (a card is never lost to a shift change); without a roster, every on-duty member, as `reach` has them."""
    ids = [i for i in (report.duty_primary_id, report.duty_backup_id) if i is not None]
    if not ids:
        return reach.by_step[1]
    query = select(Member).where(col(Member.id).in_(ids), col(Member.unreachable_since).is_(None))
    members = sorted((await session.exec(query)).all(), key=lambda m: ids.index(m.id or 0))
    group = tuple(r for r in reach.by_step[1] if r.member_id is None)
    return (*(Recipient(m.telegram_id, m.id, m.language) for m in members), *group)
