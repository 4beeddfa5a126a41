"""Reports being filled in, kept in the database step by step; silence expires them with a notice."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from i18n import Localizer
from models import Category, Member, Priority, ReportDraft, Severity, Unit
from services.directory import unit_labels
from services.errors import DomainError
from services.members import MemberProfile
from services.outbox import Content, Notice, enqueue_many
from services.permissions import ACTION_ROLES, Action
from services.policy import Policy
from services.reports import Filing

MAX_MEDIA = 5
DESCRIPTION_LIMIT = 3000


@dataclass(frozen=True)
class ReportableUnit:
    unit_id: int
    label: str


async def reportable_units(session: AsyncSession, member: MemberProfile) -> list[ReportableUnit]:
    """Where the member may report: the units of their reporting roles (a village with grids offers its grids)."""
    ids = [r.unit_id for r in member.roles if r.role in ACTION_ROLES[Action.REPORT]]
    units = list((await session.exec(select(Unit).where(col(Unit.id).in_(ids)).order_by(col(Unit.code)))).all())
    labels = await unit_labels(session, units)
    return [ReportableUnit(u.id, labels[u.id]) for u in units if u.id is not None]


async def get_draft(session: AsyncSession, member_id: int) -> dict[str, Any] | None:
    draft = (await session.exec(select(ReportDraft).where(ReportDraft.member_id == member_id))).first()
    return dict(draft.data) if draft else None


async def save_draft(session: AsyncSession, member_id: int, chat_id: int, data: dict[str, Any], now: datetime) -> None:
    draft = (await session.exec(select(ReportDraft).where(ReportDraft.member_id == member_id))).first()
    if draft is None:
        draft = ReportDraft(member_id=member_id, chat_id=chat_id, data=data, updated_at=now)
    else:
        draft.data, draft.updated_at, draft.chat_id = data, now, chat_id
    session.add(draft)


async def discard_draft(session: AsyncSession, member_id: int) -> None:
    await session.exec(delete(ReportDraft).where(col(ReportDraft.member_id) == member_id))


def set_location(data: dict[str, Any], latitude: float, longitude: float, policy: Policy) -> bool:
    """Store the location; False when it lies outside the deployment area (kept, but worth a warning)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DomainError("report.bad_location")
    data["latitude"], data["longitude"] = latitude, longitude
    return policy.area.contains(latitude, longitude)


def add_media(data: dict[str, Any], kind: str, file_id: str) -> int:
    """Add a photo or video; the count so far, or DomainError past the limit."""
    media = data.setdefault("media", [])
    if len(media) >= MAX_MEDIA:
        raise DomainError("report.too_many_media", limit=MAX_MEDIA)
    media.append([kind, file_id])
    return len(media)


def add_description(data: dict[str, Any], text: str) -> None:
    text = text.strip()
    if not text:
        return
    combined = f"{data.get('description') or ''}\n{text}".strip()
    if len(combined) > DESCRIPTION_LIMIT:
        raise DomainError("report.description_too_long", limit=DESCRIPTION_LIMIT)
    data["description"] = combined


def to_filing(data: dict[str, Any]) -> Filing:
    """The finished report, or DomainError naming what is still missing."""
    for needed in ("category", "severity", "unit_id"):
        if needed not in data:
            raise DomainError(f"report.missing_{needed}")
    if not (data.get("description") or data.get("voice") or data.get("media")):
        raise DomainError("report.need_evidence")
    return Filing(
        category=Category(data["category"]),
        severity=Severity(data["severity"]),
        unit_id=int(data["unit_id"]),
        description=data.get("description"),
        voice_file_id=data.get("voice"),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        media=tuple((kind, file_id) for kind, file_id in data.get("media", [])),
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
