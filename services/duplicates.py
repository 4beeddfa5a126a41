"""Possible duplicates: an open report of the same category nearby, offered before a second is filed."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import (
    Category,
    Report,
    Unit,
)
from services.filing import Filing
from services.places import Place, place_of
from services.policy import Policy
from services.report_lifecycle import OPEN_STATUSES


def distance_meters(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    radius = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class DuplicateOffer:
    """An open report that may be the same hazard: what the reporter needs to recognise it."""

    report_id: int
    code: str
    category: Category
    place: str
    filed_at: datetime
    status: str
    description: str | None


async def possible_duplicate(
    session: AsyncSession, filing: Filing, place: Place, policy: Policy, now: datetime
) -> DuplicateOffer | None:
    """An open report of the same category nearby (or in the same village without a location) from the window."""
    since = now - timedelta(seconds=policy.duplicate_window_seconds)
    query = select(Report).where(
        Report.category == filing.category,
        col(Report.status).in_(OPEN_STATUSES),
        Report.created_at >= since,
        Report.township_id == place.township.id,
    )
    for candidate in (await session.exec(query.order_by(col(Report.created_at).desc()))).all():
        if filing.latitude is not None and filing.longitude is not None and candidate.latitude is not None:
            assert candidate.longitude is not None
            distance = distance_meters(filing.latitude, filing.longitude, candidate.latitude, candidate.longitude)
            if distance <= policy.duplicate_radius_meters:
                return await _offer(session, candidate)
        elif place.village is not None and candidate.village_id == place.village.id:
            return await _offer(session, candidate)
    return None


async def _offer(session: AsyncSession, report: Report) -> DuplicateOffer:
    unit = await session.get(Unit, report.unit_id)
    assert unit is not None and report.id is not None
    place = await place_of(session, unit)
    return DuplicateOffer(
        report.id, report.code, report.category, place.label, report.created_at, report.status,
        report.description,
    )  # fmt: skip
