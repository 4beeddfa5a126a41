"""Possible duplicates: an open report of the same category nearby, offered before a second is filed."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.directory.places import Place, place_of
from gridguard.directory.tables import Unit
from gridguard.reports.enums import Category
from gridguard.reports.filing import Filing
from gridguard.reports.policy import Policy
from gridguard.reports.report_lifecycle import OPEN_STATUSES
from gridguard.reports.tables import Report

EARTH_RADIUS_METERS = 6_371_000.0


def distance_meters(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(math.sqrt(a))


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
    nearby = _nearby(filing, place, policy.duplicate_radius_meters)
    if nearby is None:
        return None
    query = select(Report).where(
        Report.category == filing.category,
        col(Report.status).in_(OPEN_STATUSES),
        Report.created_at >= since,
        Report.township_id == place.township.id,
        nearby,
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


def _nearby(filing: Filing, place: Place, radius_meters: float) -> ColumnElement[bool] | None:
    """What may be near, as SQL, so that a township with many open reports loads only the few that may match: a
    box around the location (the exact distance is checked after), or, without a location to compare, the same
    village. None when nothing can match."""
    same_village = col(Report.village_id) == place.village.id if place.village is not None else None
    if filing.latitude is None or filing.longitude is None:
        return same_village
    lat_span = math.degrees(radius_meters / EARTH_RADIUS_METERS)
    lon_span = lat_span / max(math.cos(math.radians(filing.latitude)), 0.01)
    box = and_(
        col(Report.latitude).between(filing.latitude - lat_span, filing.latitude + lat_span),
        col(Report.longitude).between(filing.longitude - lon_span, filing.longitude + lon_span),
    )
    if same_village is None:
        return box
    return or_(box, and_(col(Report.latitude).is_(None), same_village))


async def _offer(session: AsyncSession, report: Report) -> DuplicateOffer:
    unit = await session.get(Unit, report.unit_id)
    assert unit is not None and report.id is not None
    place = await place_of(session, unit)
    return DuplicateOffer(
        report.id, report.code, report.category, place.label, report.created_at, report.status,
        report.description,
    )  # fmt: skip
