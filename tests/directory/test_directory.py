"""The unit tree: importing the official division list, grids, look-ups."""

from pathlib import Path

import pytest
from sqlmodel import select

from bot.paths import QUANZHOU_DIVISIONS_CSV
from gridguard.db.database import Database
from gridguard.directory.directory import (
    MalformedDivisionFile,
    add_grid,
    count_units,
    find_unit,
    import_divisions,
    parse_division_rows,
    read_division_file,
    unit_path,
)
from gridguard.directory.enums import UnitLevel
from gridguard.directory.tables import Unit
from gridguard.kernel.errors import DomainError, UnitNotFound
from tests.fakes.clock import FakeClock
from tests.fakes.world import VILLAGE_A1, import_townships

HEADER = "county_code,county_name,township_code,township_name,village_code,village_name,extra\n"
GOOD = "350524,安溪县,350524100,凤城镇,350524100201,美法村委会,x\n"


async def test_the_whole_quanzhou_list_imports_and_reimports_idempotently(db: Database, clock: FakeClock) -> None:
    rows = read_division_file(QUANZHOU_DIVISIONS_CSV)
    async with db.transaction() as session:
        first = await import_divisions(session, rows, clock.now())
    assert first.added == {
        UnitLevel.COUNTY: 11,
        UnitLevel.TOWNSHIP: 174,
        UnitLevel.VILLAGE: 2572,
        UnitLevel.GRID: 0,
    }
    async with db.transaction() as session:
        second = await import_divisions(session, rows, clock.now())
        counts = await count_units(session)
    assert second.total_added == 0
    assert second.renamed == []
    assert counts[UnitLevel.VILLAGE] == 2572


async def test_reimport_renames_adds_and_never_deletes(db: Database, clock: FakeClock) -> None:
    await import_townships(db, clock.now(), "350524100")
    changed = HEADER + "350524,安溪县,350524100,凤城镇,350524100201,美法村（新名）,x\n"
    changed += "350524,安溪县,350524100,凤城镇,350524100999,新设社区,x\n"
    async with db.transaction() as session:
        report = await import_divisions(session, parse_division_rows(changed.splitlines(True)), clock.now())
        renamed = await find_unit(session, VILLAGE_A1)
        untouched = await find_unit(session, "350524100202")
    assert report.added[UnitLevel.VILLAGE] == 1
    assert report.renamed == [(VILLAGE_A1, "美法村委会", "美法村（新名）")]
    assert renamed.name == "美法村（新名）"
    assert untouched.name == "吾都村委会"


@pytest.mark.parametrize(
    ("row", "line", "reason"),
    [
        (
            "350524,安溪县,350524100,凤城镇,35052410020,短码村,x\n",
            3,
            "village_code '35052410020' is not 12 digits",
        ),
        (
            "350524,安溪县,350525100,凤城镇,350525100201,错村,x\n",
            3,
            "township_code 350525100 does not lie under 350524",
        ),
        ("350524,安溪县,350524100,凤城镇,350524100203,,x\n", 3, "village_name is empty"),
        ("3505x4,安溪县,350524100,凤城镇,350524100203,村,x\n", 3, "county_code '3505x4' is not 6 digits"),
    ],
)
async def test_a_malformed_row_is_reported_by_line_and_nothing_is_imported(
    db: Database, clock: FakeClock, row: str, line: int, reason: str
) -> None:
    with pytest.raises(MalformedDivisionFile) as caught:
        parse_division_rows((HEADER + GOOD + row).splitlines(True))
    assert (caught.value.line, caught.value.reason) == (line, reason)
    async with db.transaction() as session:
        assert (await session.exec(select(Unit))).all() == []


def test_missing_columns_are_named() -> None:
    with pytest.raises(MalformedDivisionFile) as caught:
        parse_division_rows(["county_code,county_name\n", "350524,安溪县\n"])
    assert caught.value.line == 1
    assert "township_code" in caught.value.reason


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + GOOD).encode("gbk"))
    with pytest.raises(MalformedDivisionFile, match="import.malformed") as caught:
        read_division_file(path)
    assert "UTF-8" in caught.value.reason


async def test_short_official_codes_find_the_same_unit(db: Database, clock: FakeClock) -> None:
    await import_townships(db, clock.now(), "350524100")
    async with db.transaction() as session:
        township = await find_unit(session, "350524100")
        assert township.code == "350524100000"
        assert (await find_unit(session, "350524")).level == UnitLevel.COUNTY
        path = await unit_path(session, await find_unit(session, VILLAGE_A1))
        with pytest.raises(UnitNotFound):
            await find_unit(session, "999999")
    assert [u.name for u in path] == ["安溪县", "凤城镇", "美法村委会"]


async def test_grids_are_numbered_under_their_village_and_names_are_unique(db: Database, clock: FakeClock) -> None:
    await import_townships(db, clock.now(), "350524100")
    async with db.transaction() as session:
        village = await find_unit(session, VILLAGE_A1)
        first = await add_grid(session, village, "  第一   网格 ", clock.now())
        second = await add_grid(session, village, "第二网格", clock.now())
        with pytest.raises(DomainError, match="grid.exists"):
            await add_grid(session, village, "第一 网格", clock.now())
        with pytest.raises(DomainError, match="grid.bad_name"):
            await add_grid(session, village, "", clock.now())
        with pytest.raises(DomainError, match="grid.not_a_village"):
            await add_grid(session, await find_unit(session, "350524100"), "网格", clock.now())
    assert (first.code, first.name) == (f"{VILLAGE_A1}-01", "第一 网格")
    assert second.code == f"{VILLAGE_A1}-02"
    assert first.level == UnitLevel.GRID


async def test_a_reader_does_not_wait_for_a_writer(db: Database, clock: FakeClock) -> None:
    await import_townships(db, clock.now(), "350524100")
    async with db.transaction() as writing:
        await add_grid(writing, await find_unit(writing, VILLAGE_A1), "写入中", clock.now())
        async with db.reading() as reading:
            village = await find_unit(reading, VILLAGE_A1)
    assert village.name == "美法村委会"
