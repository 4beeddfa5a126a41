"""The command line: migrate, import-units, add-grid, invite, holidays; clear messages for wrong input."""

import asyncio
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.cli import main
from bot.paths import HOLIDAY_FILES, QUANZHOU_DIVISIONS_CSV
from gridguard.db.database import Database
from gridguard.reminders.reminder_rules import work_calendar
from gridguard.reminders.work_calendar import WorkCalendar
from tests.conftest import TEST_DATABASE_URL
from tests.fakes.records import database_state


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("BOT_TOKEN", "TELEGRAM_API_BASE", "ADMIN_IDS", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path}/cli/gridguard.db"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def small_division_file(tmp_path: Path, extra: str = "") -> Path:
    lines = QUANZHOU_DIVISIONS_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "divisions.csv"
    path.write_text("".join([lines[0], *[line for line in lines if ",350524100," in line]]) + extra, encoding="utf-8")
    return path


@pytest.mark.usefixtures("database")
def test_migrate_creates_the_database_folder_and_is_repeatable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0
    assert (tmp_path / "cli" / "gridguard.db").exists()
    assert "up to date" in capsys.readouterr().out


@pytest.mark.usefixtures("database")
def test_import_add_grid_and_invite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = small_division_file(tmp_path)
    assert main(["import-units", str(path)]) == 0
    assert "added: 1 county, 1 township, 28 village" in capsys.readouterr().out
    assert main(["import-units", str(path)]) == 0
    second = capsys.readouterr().out
    assert "added: nothing" in second and "unchanged: 30" in second

    assert main(["add-grid", "--village", "350524100201", "--name", "第一网格"]) == 0
    assert "350524100201-01" in capsys.readouterr().out
    assert main(["invite", "--unit", "350524100201-01", "--role", "grid_worker", "--uses", "3"]) == 0
    out = capsys.readouterr()
    assert "3 use(s)" in out.out
    assert "https://t.me/<bot username>?start=" in out.out
    assert "BOT_TOKEN" in out.err


@pytest.mark.usefixtures("database")
def test_a_malformed_file_names_the_line_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = small_division_file(tmp_path, extra="350524,安溪县,350524100,凤城镇,12345,坏行,x\n")
    assert main(["import-units", str(path)]) == 2
    assert "Line 30 is wrong: village_code '12345' is not 12 digits. Nothing was imported." in capsys.readouterr().err
    assert main(["add-grid", "--village", "350524100201", "--name", "网格"]) == 2
    assert "No unit has the code 350524100201. Import the official division list first" in capsys.readouterr().err


@pytest.mark.usefixtures("database")
def test_invite_refuses_a_role_that_does_not_fit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-units", str(small_division_file(tmp_path))]) == 0
    assert main(["invite", "--unit", "350524100", "--role", "village_officer"]) == 2
    assert "can't hold this role" in capsys.readouterr().err


@pytest.mark.usefixtures("database")
def test_running_without_a_token_explains_botfather_and_the_sandbox(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 2
    [message] = [line for line in capsys.readouterr().err.splitlines() if " INFO gridguard: " not in line]
    assert "@BotFather" in message and "sandbox" in message


@pytest.mark.usefixtures("database")
def test_a_wrong_setting_stops_the_start_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TIMEZONE", "Nowhere/Land")
    assert main(["migrate"]) == 2
    assert capsys.readouterr().err.strip() == "Setting TIMEZONE: unknown time zone 'Nowhere/Land' (try Asia/Shanghai)"


@pytest.mark.usefixtures("database")
def test_invite_for_a_unit_not_imported_says_to_import_the_division_list_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["invite", "--unit", "350524100", "--role", "station_head"]) == 2
    [line] = [line for line in capsys.readouterr().err.splitlines() if " INFO gridguard: " not in line]
    assert line.startswith("No unit has the code 350524100.") and "python -m bot import-units" in line


@pytest.mark.usefixtures("database")
def test_holidays_loads_a_holiday_cn_file_and_refuses_a_bad_or_empty_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], database: str
) -> None:
    assert main(["holidays", str(HOLIDAY_FILES / "2026.json")]) == 0
    assert "loaded 2026: 33 days off, 6 make-up working days" in capsys.readouterr().out
    assert main(["holidays", str(HOLIDAY_FILES / "2027.json")]) == 2
    assert "no days for 2027" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    for text in ("{not json", '{"year": 2027, "days": [{"name": "元旦", "date": "2027-13-01", "isOffDay": true}]}'):
        broken.write_text(text, encoding="utf-8")
        assert main(["holidays", str(broken)]) == 2
        assert "Nothing was loaded" in capsys.readouterr().err
    made_up = tmp_path / "2027.json"
    days = [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "春节", "date": "2027-02-20", "isOffDay": False},
    ]
    made_up.write_text(json.dumps({"year": 2027, "papers": [], "days": days}), encoding="utf-8")
    assert main(["holidays", str(made_up)]) == 0
    calendar = asyncio.run(loaded_calendar(database))
    assert calendar.is_public_holiday(date(2027, 1, 1)) and calendar.is_workday(date(2027, 2, 20))
    assert not calendar.is_workday(date(2026, 10, 1)) and calendar.unknown_years == set()


async def loaded_calendar(url: str) -> WorkCalendar:
    db = Database(url)
    try:
        async with db.reading() as session:
            return await work_calendar(session)
    finally:
        await db.dispose()


def test_a_backup_of_the_running_database_restores_every_row(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import-units", str(small_division_file(tmp_path))]) == 0
    backup = tmp_path / "backups" / "gridguard-2026-12-04.db"
    assert main(["backup", str(backup)]) == 0, "the README's line works before backups/ exists"
    assert "integrity ok" in capsys.readouterr().out
    original = asyncio.run(state_of(database))
    restored = tmp_path / "restored" / "gridguard.db"
    restored.parent.mkdir()
    backup.rename(restored)
    assert asyncio.run(state_of(f"sqlite+aiosqlite:///{restored}")) == original
    assert sum(len(rows) for rows in original.values()) > 30, "the units are in it"


@pytest.mark.usefixtures("database")
def test_a_backup_never_overwrites_and_postgresql_is_pointed_to_pg_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    existing = tmp_path / "kept.db"
    existing.write_bytes(b"an older backup")
    assert main(["backup", str(existing)]) == 2
    assert "never overwrites" in capsys.readouterr().err and existing.read_bytes() == b"an older backup"
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    assert main(["backup", str(tmp_path / "pg.db")]) == 2
    assert "pg_dump" in capsys.readouterr().err


async def state_of(url: str) -> dict[str, list[tuple[object, ...]]]:
    db = Database(url)
    try:
        return await database_state(db)
    finally:
        await db.dispose()


def test_copy_database_copies_every_row_into_an_empty_database_and_refuses_a_filled_one(
    database: str, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import-units", str(small_division_file(tmp_path))]) == 0
    assert main(["add-grid", "--village", "350524100201", "--name", "一网格"]) == 0
    assert main(["invite", "--unit", "350524100201-01", "--role", "grid_worker"]) == 0
    capsys.readouterr()

    assert main(["copy-database", "--to", db.url]) == 0
    out = capsys.readouterr().out
    assert "the counts match" in out and "unit: " in out
    source = asyncio.run(state_of(database))
    assert asyncio.run(state_of(db.url)) == source
    assert sum(len(rows) for rows in source.values()) > 30

    assert main(["copy-database", "--to", db.url]) == 1
    assert "the target is not empty" in capsys.readouterr().err
    assert asyncio.run(state_of(db.url)) == source, "a refused copy changes nothing"

    monkeypatch.setenv("DATABASE_URL", db.url)
    assert main(["add-grid", "--village", "350524100201", "--name", "二网格"]) == 0, (
        "new rows take ids after the copy's"
    )


@pytest.mark.usefixtures("database")
def test_copy_database_refuses_a_target_that_is_not_a_database_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["copy-database", "--to", "mysql://somewhere/db"]) == 2
    assert "Setting --to:" in capsys.readouterr().err


@pytest.mark.usefixtures("database")
def test_copy_database_to_a_server_that_does_not_answer_fails_at_once_naming_to(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["copy-database", "--to", "postgresql+asyncpg://nobody@127.0.0.1:9/x"]) == 1
    error = capsys.readouterr().err
    assert "Setting --to (postgresql+asyncpg://nobody@127.0.0.1:9/x)" in error and "DATABASE_URL" not in error
    assert "after 1 attempt" in error or "refused" in error.lower()


@pytest.mark.skipif(
    not (TEST_DATABASE_URL and shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="PostgreSQL and its pg_dump/pg_restore (CI's second run): set TEST_DATABASE_URL",
)
async def test_a_postgresql_backup_by_the_readmes_pg_dump_line_restores_every_row(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db.url)
    assert await asyncio.to_thread(main, ["import-units", str(small_division_file(tmp_path))]) == 0
    source = make_url(db.url)
    pg_url = source.set(drivername="postgresql").render_as_string(hide_password=False)
    restored = source.set(database="gridguard_restore")
    dump = tmp_path / "gridguard.dump"
    await asyncio.to_thread(subprocess.run, ["pg_dump", "--format=custom", f"--file={dump}", pg_url], check=True)
    admin = create_async_engine(db.url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(sql("DROP DATABASE IF EXISTS gridguard_restore WITH (FORCE)"))
        await connection.execute(sql("CREATE DATABASE gridguard_restore"))
    try:
        target = restored.set(drivername="postgresql").render_as_string(hide_password=False)
        restore = ["pg_restore", "--no-owner", f"--dbname={target}", str(dump)]
        await asyncio.to_thread(subprocess.run, restore, check=True)
        original = await state_of(db.url)
        assert await state_of(restored.render_as_string(hide_password=False)) == original
        assert sum(len(rows) for rows in original.values()) > 30
    finally:
        async with admin.connect() as connection:
            await connection.execute(sql("DROP DATABASE IF EXISTS gridguard_restore WITH (FORCE)"))
        await admin.dispose()


def bad_inputs(tmp_path: Path) -> dict[str, list[str]]:
    """Every command of the README's table, given what a newcomer might give it by mistake."""
    folder = tmp_path / "a-folder"
    folder.mkdir()
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    wrong_codes = small_division_file(tmp_path, extra="35052x,安溪县,350524100,凤城镇,350524100999,坏村\n")
    day = {"name": "元旦", "date": "2027-01-01", "isOffDay": True}
    holiday_files = {
        "huge-year": '{"year": ' + "9" * 5000 + ', "days": []}',
        "deep": "[" * 100_000 + "]" * 100_000,
        "year-true": json.dumps({"year": True, "days": [day]}),
        "year-far": json.dumps({"year": 99999, "days": [day]}),
        "twice": json.dumps({"year": 2027, "days": [day, day]}),
        "list": "[1, 2]",
    }
    cases = {
        "import-units missing": ["import-units", "nosuchfile.csv"],
        "import-units folder": ["import-units", str(folder)],
        "import-units binary": ["import-units", str(binary)],
        "import-units codes": ["import-units", str(wrong_codes)],
        "import-units no file": ["import-units"],
        "add-grid no name": ["add-grid", "--village", "350524100201"],
        "add-grid bad code": ["add-grid", "--village", "nope", "--name", "网格"],
        "invite bad role": ["invite", "--unit", "350524100", "--role", "mayor"],
        "invite bad uses": ["invite", "--unit", "350524100", "--role", "station_head", "--uses", "many"],
        "holidays missing": ["holidays", "nosuch.json"],
        "holidays folder": ["holidays", str(folder)],
        "holidays binary": ["holidays", str(binary)],
        "export nothing": ["export"],
        "export year one": ["export", "alerts", "--since", "0001-01-01"],
        "export not a date": ["export", "alerts", "--since", "yesterday"],
        "export quarter 0": ["export", "compliance", "--county", "350524", "--quarter", "0000Q1"],
        "export quarter 9999": ["export", "compliance", "--county", "350524", "--quarter", "9999Q4"],
        "export unwritable": ["export", "alerts", "--since", "2026-11-01", "--out", str(tmp_path / "no" / "x.csv")],
        "export to a folder": ["export", "alerts", "--since", "2026-11-01", "--out", str(folder)],
        "backup nothing": ["backup"],
        "backup folder": ["backup", str(folder)],
        "backup under a file": ["backup", str(binary / "copy.db")],
        "copy-database nothing": ["copy-database"],
        "webhook frob": ["webhook", "frob"],
        "no such command": ["frobnicate"],
    }
    for name, text in holiday_files.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        cases[f"holidays {name}"] = ["holidays", str(path)]
    return cases


BAD_INPUTS = [
    *(f"import-units {c}" for c in ("missing", "folder", "binary", "codes", "no file")),
    *(f"add-grid {c}" for c in ("no name", "bad code")),
    *(f"invite {c}" for c in ("bad role", "bad uses")),
    *(f"holidays {c}" for c in ("missing", "folder", "binary", "huge-year", "deep", "year-true", "year-far", "twice")),
    "holidays list",
    *(f"export {c}" for c in ("nothing", "year one", "not a date", "quarter 0", "quarter 9999", "unwritable")),
    "export to a folder",
    *(f"backup {c}" for c in ("nothing", "folder", "under a file")),
    "copy-database nothing",
    "webhook frob",
    "no such command",
]


@pytest.mark.usefixtures("database")
@pytest.mark.parametrize("case", BAD_INPUTS)
def test_every_command_answers_a_wrong_argument_with_one_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    argv = bad_inputs(tmp_path)[case]
    if case.startswith("backup"):
        assert main(["migrate"]) == 0
        capsys.readouterr()
    try:
        code: int | str | None = main(argv)
    except SystemExit as stopped:
        code = stopped.code
    said = [line for line in capsys.readouterr().err.splitlines() if " INFO gridguard: " not in line]
    assert code == 2, said
    assert len(said) == 1, said
    assert "Traceback" not in said[0] and "&lt;" not in said[0] and "<b>" not in said[0]


OFFLINE_COMMANDS = ("migrate", "directory", "holidays", "export", "backup", "copy_database")
"""The commands that never talk to Telegram (bot/commands/<name>.py)."""


def test_commands_that_never_talk_to_telegram_import_no_aiogram(database: str, tmp_path: Path) -> None:
    """aiogram takes seconds to import: `--help`, `migrate` and the other offline commands start without it."""
    modules = ", ".join(f"bot.commands.{name}" for name in OFFLINE_COMMANDS)
    script = (
        "import sys\n"
        "from bot.cli import main\n"
        "help_imported = sorted(m for m in sys.modules if m.startswith('aiogram'))\n"
        "assert main(['migrate']) == 0\n"
        f"import {modules}\n"
        "print(help_imported, sorted(m for m in sys.modules if m.startswith('aiogram')))\n"
    )
    project = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(project)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("[] []")
