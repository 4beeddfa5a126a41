"""Reports being filled in, kept in the database step by step; silence expires them with a notice."""

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.direct import Direct
from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, Notice, enqueue_many
from gridguard.directory.directory import unit_labels
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import Action, units_for
from gridguard.directory.tables import Member, Unit
from gridguard.kernel.errors import DomainError
from gridguard.reports.enums import Category, Severity
from gridguard.reports.filing import Filing
from gridguard.reports.policy import Policy
from gridguard.reports.tables import ReportDraft
from i18n import Localizer

MAX_MEDIA = 5
DESCRIPTION_LIMIT = 3000


@dataclass(frozen=True)
class ReportableUnit:
    unit_id: int
    label: str


async def reportable_units(session: AsyncSession, member: MemberProfile) -> list[ReportableUnit]:
    """Where the member may report: the units of their reporting roles (a village with grids offers its grids)."""
    ids = units_for(member, Action.REPORT)
    units = list((await session.exec(select(Unit).where(col(Unit.id).in_(ids)).order_by(col(Unit.code)))).all())
    labels = await unit_labels(session, units)
    return [ReportableUnit(u.id, labels[u.id]) for u in units if u.id is not None]


@dataclass
class Draft:
    """A report being filled in, step by step (stored as JSON in `report_draft.data`)."""

    category: Category | None = None
    severity: Severity | None = None
    unit_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    description: str | None = None
    voice: str | None = None
    media: list[tuple[str, str]] = field(default_factory=list)
    """(kind, file id) pairs: photos and short videos."""
    offered_report_id: int | None = None
    """The report the duplicate hint offered: the only one "add mine to it" may touch."""

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def as_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if v is not None and k != "media"}
        return data | {"media": [list(pair) for pair in self.media]} if self.media else data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Draft":
        """Read a stored draft; keys this version doesn't know (a UI flag older versions kept here) are dropped."""
        known = {f.name for f in fields(cls)}
        draft = cls(**{k: v for k, v in data.items() if k in known and k != "media"})
        draft.category = Category(draft.category) if draft.category else None
        draft.severity = Severity(draft.severity) if draft.severity else None
        draft.media = [(kind, file_id) for kind, file_id in data.get("media", [])]
        return draft


async def get_draft(session: AsyncSession, member_id: int) -> Draft | None:
    row = (await session.exec(select(ReportDraft).where(ReportDraft.member_id == member_id))).first()
    return Draft.from_json(row.data) if row else None


async def save_draft(session: AsyncSession, member_id: int, chat_id: int, draft: Draft, now: datetime) -> None:
    row = (await session.exec(select(ReportDraft).where(ReportDraft.member_id == member_id))).first()
    if row is None:
        row = ReportDraft(member_id=member_id, chat_id=chat_id, data=draft.as_json(), updated_at=now)
    else:
        row.data, row.updated_at, row.chat_id = draft.as_json(), now, chat_id
    session.add(row)


async def discard_draft(session: AsyncSession, member_id: int) -> None:
    await session.exec(delete(ReportDraft).where(col(ReportDraft.member_id) == member_id))


DRAFTS = ReportDraft.__table__  # type: ignore[attr-defined]
_TAKE_DRAFT = Direct(delete(DRAFTS).where(DRAFTS.c.member_id == bindparam("member_id")).returning(DRAFTS.c.data))
"""Compiled once and run on the driver: filing takes the draft on the hot path."""


async def take_draft(session: AsyncSession, member_id: int) -> Draft | None:
    """The member's draft, removed in the same statement (it comes back if the transaction rolls back)."""
    data = await _TAKE_DRAFT.scalar(session, {"member_id": member_id})
    return Draft.from_json(data) if data is not None else None


def set_location(draft: Draft, latitude: float, longitude: float, policy: Policy) -> bool:
    """Store the location; False when it lies outside the deployment area (kept, but worth a warning)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DomainError("report.bad_location")
    draft.latitude, draft.longitude = latitude, longitude
    return policy.area.contains(latitude, longitude)


def add_media(draft: Draft, kind: str, file_id: str) -> int:
    """Add a photo or video; the count so far, or DomainError past the limit."""
    if len(draft.media) >= MAX_MEDIA:
        raise DomainError("report.too_many_media", limit=MAX_MEDIA)
    draft.media.append((kind, file_id))
    return len(draft.media)


def add_description(draft: Draft, text: str) -> None:
    text = text.strip()
    if not text:
        return
    combined = f"{draft.description or ''}\n{text}".strip()
    if len(combined) > DESCRIPTION_LIMIT:
        raise DomainError("report.description_too_long", limit=DESCRIPTION_LIMIT)
    draft.description = combined


def to_filing(draft: Draft) -> Filing:
    """The finished report, or DomainError naming what is still missing."""
    if draft.category is None:
        raise DomainError("report.missing_category")
    if draft.severity is None:
        raise DomainError("report.missing_severity")
    if draft.unit_id is None:
        raise DomainError("report.missing_unit_id")
    if not (draft.description or draft.voice or draft.media):
        raise DomainError("report.need_evidence")
    return Filing(
        category=draft.category,
        severity=draft.severity,
        unit_id=draft.unit_id,
        description=draft.description,
        voice_file_id=draft.voice,
        latitude=draft.latitude,
        longitude=draft.longitude,
        media=tuple(draft.media),
    )


async def expire_drafts(session: AsyncSession, policy: Policy, now: datetime) -> int:
    """Discard drafts silent for longer than the policy allows, telling each member once."""
    cutoff = now - timedelta(seconds=policy.abandon_draft_seconds)
    stale = (await session.exec(select(ReportDraft).where(col(ReportDraft.updated_at) < cutoff))).all()
    notices = []
    for draft in stale:
        member = await session.get(Member, draft.member_id)
        language = member.language if member else "zh"
        text = Localizer(language)("report.draft_expired", minutes=policy.abandon_draft_seconds // 60)
        key = f"draft-expired:{draft.member_id}:{draft.updated_at.isoformat()}"
        notices.append(Notice(key, draft.chat_id, Content(text=text), Priority.NORMAL, draft.member_id))
        await session.delete(draft)
    await enqueue_many(session, notices, now)
    return len(stale)
