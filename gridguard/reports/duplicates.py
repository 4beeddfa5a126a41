"""Possible duplicates: an open report of the same category nearby, offered before a second is filed."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.direct import Direct
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


REPORTS = Report.__table__  # type: ignore[attr-defined]
_CANDIDATES = select(
    REPORTS.c.id, REPORTS.c.code, REPORTS.c.category, REPORTS.c.unit_id, REPORTS.c.village_id, REPORTS.c.created_at,
    REPORTS.c.status, REPORTS.c.description, REPORTS.c.latitude, REPORTS.c.longitude,
).where(
    REPORTS.c.category == bindparam("category"),
    or_(*(REPORTS.c.status == status for status in OPEN_STATUSES)),
    REPORTS.c.created_at >= bindparam("since"),
    REPORTS.c.township_id == bindparam("township_id"),
)  # fmt: skip
_SAME_VILLAGE = REPORTS.c.village_id == bindparam("village_id")
_IN_THE_BOX = and_(
    REPORTS.c.latitude.between(bindparam("south"), bindparam("north")),
    REPORTS.c.longitude.between(bindparam("west"), bindparam("east")),
)
_NEARBY = {
    shape: Direct(query.order_by(REPORTS.c.created_at.desc()))
    for shape, query in (
        ((False, True), _CANDIDATES.where(_SAME_VILLAGE)),
        ((True, False), _CANDIDATES.where(_IN_THE_BOX)),
        ((True, True), _CANDIDATES.where(or_(_IN_THE_BOX, and_(REPORTS.c.latitude.is_(None), _SAME_VILLAGE)))),
    )
}
"""What may be near, by (the filing has a location, the place has a village), so that a township with many open
reports loads only the few that may match: a box around the location (the exact distance is checked after), or,
without a location to compare, the same village. Compiled once and run on the driver: the lookup runs for every
report filed."""


async def possible_duplicate(
    session: AsyncSession, filing: Filing, place: Place, policy: Policy, now: datetime
) -> DuplicateOffer | None:
    """An open report of the same category nearby (or in the same village without a location) from the window."""
    located = filing.latitude is not None and filing.longitude is not None
    village_id = place.village.id if place.village is not None else None
    if not located and village_id is None:
        return None
    params: dict[str, object] = {
        "category": filing.category,
        "since": now - timedelta(seconds=policy.duplicate_window_seconds),
        "township_id": place.township.id,
        "village_id": village_id,
    }
    if filing.latitude is not None and filing.longitude is not None:
        params |= box_around(filing.latitude, filing.longitude, policy.duplicate_radius_meters)
    for candidate in await _NEARBY[(located, village_id is not None)].rows(session, params):
        if filing.latitude is not None and filing.longitude is not None and candidate.latitude is not None:
            distance = distance_meters(filing.latitude, filing.longitude, candidate.latitude, candidate.longitude)
            if distance <= policy.duplicate_radius_meters:
                return await _offer(session, candidate)
        elif village_id is not None and candidate.village_id == village_id:
            return await _offer(session, candidate)
    return None


def box_around(latitude: float, longitude: float, radius_meters: float) -> dict[str, float]:
    lat_span = math.degrees(radius_meters / EARTH_RADIUS_METERS)
    lon_span = lat_span / max(math.cos(math.radians(latitude)), 0.01)
    return {
        "south": latitude - lat_span,
        "north": latitude + lat_span,
        "west": longitude - lon_span,
        "east": longitude + lon_span,
    }


async def _offer(session: AsyncSession, report: Any) -> DuplicateOffer:
    unit = await session.get(Unit, report.unit_id)
    assert unit is not None
    place = await place_of(session, unit)
    return DuplicateOffer(
        report.id, report.code, Category(report.category), place.label, report.created_at, report.status,
        report.description,
    )  # fmt: skip
