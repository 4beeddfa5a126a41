"""Where a report is: its unit's path up to the county, as values, and the one way a place is written out."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.directory.directory import unit_path
from gridguard.directory.enums import UnitLevel
from gridguard.directory.tables import Unit
from gridguard.kernel.errors import DomainError

PLACE_SEPARATOR = " › "


def place_label(names: Sequence[str]) -> str:
    """A unit with the units above it: 晋江市 › 安海镇 › 前埔村. The one way a place is written out."""
    return PLACE_SEPARATOR.join(names)


@dataclass(frozen=True)
class UnitRef:
    """A unit as a value: safe to cache and share, never written back."""

    id: int
    code: str
    name: str
    level: UnitLevel


@dataclass(frozen=True)
class ReportUnits:
    village_id: int | None
    township_id: int
    county_id: int | None


@dataclass(frozen=True)
class Place:
    unit: UnitRef
    village: UnitRef | None
    township: UnitRef
    county: UnitRef | None
    names: tuple[str, ...]
    """The path's names below the county, top first."""
    ids: tuple[int, ...]
    """The path's unit ids, top first (what permissions are checked against)."""

    @property
    def label(self) -> str:
        return place_label(self.names)

    @property
    def units(self) -> ReportUnits:
        village, county = self.village, self.county
        return ReportUnits(village.id if village else None, self.township.id, county.id if county else None)


def place_on_path(path: Sequence[Unit]) -> Place:
    """The place of the last unit of `path` (top first); a unit outside any township can't hold reports."""
    refs = [UnitRef(u.id or 0, u.code, u.name, u.level) for u in path]
    by_level = {u.level: u for u in refs}
    township = by_level.get(UnitLevel.TOWNSHIP)
    if township is None:
        raise DomainError("report.no_township", unit=refs[-1].name)
    names = tuple(u.name for u in refs if u.level != UnitLevel.COUNTY)
    ids = tuple(u.id for u in refs)
    return Place(refs[-1], by_level.get(UnitLevel.VILLAGE), township, by_level.get(UnitLevel.COUNTY), names, ids)


async def place_of(session: AsyncSession, unit: Unit) -> Place:
    return place_on_path(await unit_path(session, unit))
