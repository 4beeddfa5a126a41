"""A small real township to test against: units from the Quanzhou division list, members by invite."""

from datetime import datetime

from sqlmodel import select

from bot.paths import QUANZHOU_DIVISIONS_CSV
from gridguard.db.database import Database
from gridguard.directory.directory import find_unit, import_divisions, read_division_file
from gridguard.directory.enums import Role
from gridguard.directory.invites import SYSTEM_ACTOR, InviteSpec, create_invite, enroll
from gridguard.directory.members import find_member
from gridguard.directory.tables import InviteRedemption, RoleAssignment
from gridguard.reports.tables import ReportDraft

# 安溪县 (350524): 凤城镇 and 蓬莱镇 — two neighbouring townships for cross-township checks.
COUNTY = "350524"
TOWNSHIP_A = "350524100000"
TOWNSHIP_B = "350524101000"
VILLAGE_A1 = "350524100201"  # 美法村委会, 凤城镇
VILLAGE_A2 = "350524100202"  # 吾都村委会, 凤城镇
VILLAGE_B1 = "350524101201"  # 鹤厅村委会, 蓬莱镇


async def import_townships(db: Database, now: datetime, *township_codes: str) -> None:
    """Import the given townships (short or 12-digit codes) from the real division list."""
    wanted = {code[:9] for code in township_codes}
    rows = [r for r in read_division_file(QUANZHOU_DIVISIONS_CSV) if r.township_code in wanted]
    async with db.transaction() as session:
        await import_divisions(session, rows, now)


async def invite_token(db: Database, now: datetime, unit_code: str, role: Role, uses: int = 1, days: int = 7) -> str:
    async with db.transaction() as session:
        unit = await find_unit(session, unit_code)
        invite = await create_invite(session, SYSTEM_ACTOR, InviteSpec(unit, role, uses, days), now)
    return invite.token


async def add_member(
    db: Database, now: datetime, telegram_id: int, name: str, role: Role, unit_code: str, language: str = "zh"
) -> None:
    """A registered member holding `role` on the unit, made through the real invite path."""
    async with db.transaction() as session:
        await enroll(session, telegram_id, name, role, await find_unit(session, unit_code), now, language)


async def unit_id(db: Database, code: str) -> int:
    async with db.reading() as session:
        unit = await find_unit(session, code)
    assert unit.id is not None
    return unit.id


async def remove_member(db: Database, telegram_id: int) -> None:
    """The member's row and everything hanging on it, gone (as an administrator's clean-up would leave it)."""
    async with db.transaction() as session:
        member = await find_member(session, telegram_id)
        assert member is not None
        for table in (ReportDraft, RoleAssignment, InviteRedemption):
            for row in (await session.exec(select(table).where(table.member_id == member.id))).all():
                await session.delete(row)
        await session.flush()
        await session.delete(member)


async def remove_role(db: Database, telegram_id: int, role: Role) -> None:
    async with db.transaction() as session:
        member = await find_member(session, telegram_id)
        assert member is not None
        query = select(RoleAssignment).where(RoleAssignment.member_id == member.id, RoleAssignment.role == role)
        for row in (await session.exec(query)).all():
            await session.delete(row)
