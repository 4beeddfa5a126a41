"""The unit tree (county → township → village → grid): look-ups, the division import, grids."""

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.directory.enums import UnitLevel
from gridguard.directory.tables import Unit
from gridguard.kernel.errors import DomainError, UnitNotFound
from gridguard.kernel.numbers import ascii_digits

OFFICIAL_CODE_LENGTH = 12
DIVISION_COLUMNS = (
    "county_code",
    "county_name",
    "township_code",
    "township_name",
    "village_code",
    "village_name",
)
_SHORT_CODE_LENGTHS = {UnitLevel.COUNTY: 6, UnitLevel.TOWNSHIP: 9, UnitLevel.VILLAGE: 12}
GRID_NAME_MAX = 40


def normalize_code(code: str) -> str:
    """Accept the short official forms (6-digit county, 9-digit township) and pad to 12 digits."""
    code = code.strip()
    if ascii_digits(code) and len(code) in (6, 9):
        return code.ljust(OFFICIAL_CODE_LENGTH, "0")
    return code


async def find_unit(session: AsyncSession, code: str) -> Unit:
    unit = (await session.exec(select(Unit).where(Unit.code == normalize_code(code)))).first()
    if unit is None:
        raise UnitNotFound(code)
    return unit


async def unit_path(session: AsyncSession, unit: Unit) -> list[Unit]:
    """The unit and its ancestors, top (county) first."""
    path = [unit]
    while path[0].parent_id is not None:
        parent = await session.get(Unit, path[0].parent_id)
        if parent is None:
            break
        path.insert(0, parent)
    return path


async def child_units(session: AsyncSession, parent_id: int, level: UnitLevel) -> Sequence[Unit]:
    query = select(Unit).where(Unit.parent_id == parent_id, Unit.level == level).order_by(col(Unit.code))
    return (await session.exec(query)).all()


async def has_grids(session: AsyncSession, village_id: int) -> bool:
    return bool(await child_units(session, village_id, UnitLevel.GRID))


# --- the official division list -------------------------------------------------------------


@dataclass(frozen=True)
class DivisionRow:
    line: int
    county_code: str
    county_name: str
    township_code: str
    township_name: str
    village_code: str
    village_name: str


class MalformedDivisionFile(DomainError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__("import.malformed", line=line, reason=reason)
        self.line = line
        self.reason = reason


@dataclass
class ImportReport:
    added: dict[UnitLevel, int] = field(default_factory=lambda: dict.fromkeys(UnitLevel, 0))
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def total_added(self) -> int:
        return sum(self.added.values())


def _check_code(line: int, value: str, level: UnitLevel, parent: str | None) -> None:
    length = _SHORT_CODE_LENGTHS[level]
    column = f"{level.value}_code"
    if not (ascii_digits(value) and len(value) == length):
        raise MalformedDivisionFile(line, f"{column} {value!r} is not {length} digits")
    if parent is not None and not value.startswith(parent):
        raise MalformedDivisionFile(line, f"{column} {value} does not lie under {parent}")


def parse_division_rows(lines: Iterable[str]) -> list[DivisionRow]:
    """Read the CSV; the first bad row stops everything with its line number."""
    reader = csv.DictReader(lines)
    missing = [c for c in DIVISION_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise MalformedDivisionFile(1, f"missing columns: {', '.join(missing)}")
    rows = []
    for record in reader:
        line = reader.line_num
        values = {c: (record.get(c) or "").strip() for c in DIVISION_COLUMNS}
        for column in ("county_name", "township_name", "village_name"):
            if not values[column]:
                raise MalformedDivisionFile(line, f"{column} is empty")
            if len(values[column]) > 100:
                raise MalformedDivisionFile(line, f"{column} is longer than 100 characters")
        _check_code(line, values["county_code"], UnitLevel.COUNTY, None)
        _check_code(line, values["township_code"], UnitLevel.TOWNSHIP, values["county_code"])
        _check_code(line, values["village_code"], UnitLevel.VILLAGE, values["township_code"])
        rows.append(DivisionRow(line=line, **values))
    return rows


def read_division_file(path: Path) -> list[DivisionRow]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return parse_division_rows(handle)
    except UnicodeDecodeError as error:
        raise MalformedDivisionFile(0, f"not UTF-8 text ({error.reason})") from error


async def import_divisions(session: AsyncSession, rows: Sequence[DivisionRow], now: datetime) -> ImportReport:
    """Add new units and rename changed ones; never delete. The caller's transaction is all-or-none."""
    existing = {u.code: u for u in (await session.exec(select(Unit))).all()}
    report = ImportReport()
    levels = (
        (UnitLevel.COUNTY, lambda r: (normalize_code(r.county_code), r.county_name, None)),
        (
            UnitLevel.TOWNSHIP,
            lambda r: (normalize_code(r.township_code), r.township_name, normalize_code(r.county_code)),
        ),
        (UnitLevel.VILLAGE, lambda r: (r.village_code, r.village_name, normalize_code(r.township_code))),
    )
    for level, fields in levels:
        wanted = {code: (name, parent) for code, name, parent in map(fields, rows)}
        for code, (name, parent_code) in wanted.items():
            unit = existing.get(code)
            if unit is None:
                parent_id = existing[parent_code].id if parent_code else None
                existing[code] = Unit(code=code, name=name, level=level, parent_id=parent_id, created_at=now)
                session.add(existing[code])
                report.added[level] += 1
            elif unit.name != name:
                report.renamed.append((code, unit.name, name))
                unit.name = name
                session.add(unit)
            else:
                report.unchanged += 1
        await session.flush()
    return report


# --- grids ------------------------------------------------------------------------------------

_GRID_SUFFIX = re.compile(r"-(\d+)$")


async def add_grid(session: AsyncSession, village: Unit, name: str, now: datetime) -> Unit:
    """A grid under a village, coded `<village code>-NN`."""
    name = " ".join(name.split())
    if village.level != UnitLevel.VILLAGE:
        raise DomainError("grid.not_a_village", code=village.code)
    if not name or len(name) > GRID_NAME_MAX or name.startswith("/"):
        raise DomainError("grid.bad_name", limit=GRID_NAME_MAX)
    assert village.id is not None
    grids = await child_units(session, village.id, UnitLevel.GRID)
    if any(g.name == name for g in grids):
        raise DomainError("grid.exists", name=name, village=village.name)
    numbers = [int(m.group(1)) for g in grids if (m := _GRID_SUFFIX.search(g.code))]
    grid = Unit(
        code=f"{village.code}-{max(numbers, default=0) + 1:02d}",
        name=name,
        level=UnitLevel.GRID,
        parent_id=village.id,
        created_at=now,
    )
    session.add(grid)
    await session.flush()
    return grid


async def count_units(session: AsyncSession) -> dict[UnitLevel, int]:
    rows = (await session.exec(select(Unit.level, func.count()).group_by(Unit.level))).all()
    return {UnitLevel(level): count for level, count in rows}


async def descendants(session: AsyncSession, root_ids: Iterable[int], levels: Iterable[UnitLevel]) -> list[Unit]:
    """Units at `levels` at or below the roots, ordered by code."""
    wanted = set(levels)
    found: dict[int, Unit] = {}
    frontier = list(set(root_ids))
    if frontier:
        roots = (await session.exec(select(Unit).where(col(Unit.id).in_(frontier)))).all()
        found.update({u.id: u for u in roots if u.level in wanted and u.id is not None})
    while frontier:
        children = (await session.exec(select(Unit).where(col(Unit.parent_id).in_(frontier)))).all()
        found.update({u.id: u for u in children if u.level in wanted and u.id is not None})
        frontier = [u.id for u in children if u.id is not None and u.level != UnitLevel.GRID]
    return sorted(found.values(), key=lambda u: u.code)


async def path_ids(session: AsyncSession, unit: Unit) -> tuple[int, ...]:
    return tuple(u.id for u in await unit_path(session, unit) if u.id is not None)


async def get_unit(session: AsyncSession, unit_id: int) -> Unit:
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise UnitNotFound(str(unit_id))
    return unit


async def unit_labels(session: AsyncSession, units: Sequence[Unit]) -> dict[int, str]:
    """Button labels: a grid carries its village's name, since grid names repeat across villages."""
    parent_ids = {u.parent_id for u in units if u.level == UnitLevel.GRID and u.parent_id is not None}
    parents = (await session.exec(select(Unit).where(col(Unit.id).in_(parent_ids)))).all() if parent_ids else []
    names = {p.id: p.name for p in parents}
    return {
        u.id: f"{names[u.parent_id]} › {u.name}" if u.level == UnitLevel.GRID and u.parent_id in names else u.name
        for u in units
        if u.id is not None
    }


async def unit_paths(session: AsyncSession, units: Sequence[Unit]) -> dict[int, list[Unit]]:
    """The paths (top first) of several units at once: one query per level climbed, not per unit."""
    known = {u.id: u for u in units if u.id is not None}
    missing = {u.parent_id for u in known.values() if u.parent_id is not None and u.parent_id not in known}
    while missing:
        parents = (await session.exec(select(Unit).where(col(Unit.id).in_(missing)))).all()
        known.update({p.id: p for p in parents if p.id is not None})
        missing = {p.parent_id for p in parents if p.parent_id is not None and p.parent_id not in known}
    paths: dict[int, list[Unit]] = {}
    for unit in units:
        path: list[Unit] = []
        current = unit
        while True:
            path.insert(0, current)
            if current.parent_id is None or current.parent_id not in known:
                break
            current = known[current.parent_id]
        if unit.id is not None:
            paths[unit.id] = path
    return paths
