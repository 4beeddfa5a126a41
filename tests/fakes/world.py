"""A small real township to test against: units from the Quanzhou division list, members by invite."""

from datetime import datetime
from pathlib import Path

from models import Database, Role
from services.directory import find_unit, import_divisions, read_division_file
from services.invites import InviteSpec, create_invite, redeem_invite
from services.members import MemberProfile

DIVISIONS_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "quanzhou" / "quanzhou_divisions.csv"
# 安溪县 (350524): 凤城镇 and 蓬莱镇 — two neighbouring townships for cross-township checks.
TOWNSHIP_A = "350524100000"
TOWNSHIP_B = "350524101000"
SYSTEM = MemberProfile(None, 0, "tests", None, "en", (), is_admin=True)


async def import_townships(db: Database, now: datetime, *township_codes: str) -> None:
    """Import the given townships (short or 12-digit codes) from the real division list."""
    wanted = {code[:9] for code in township_codes}
    rows = [r for r in read_division_file(DIVISIONS_CSV) if r.township_code in wanted]
    async with db.transaction() as session:
        await import_divisions(session, rows, now)


async def invite_token(db: Database, now: datetime, unit_code: str, role: Role, uses: int = 1, days: int = 7) -> str:
    async with db.transaction() as session:
        unit = await find_unit(session, unit_code)
        invite = await create_invite(session, SYSTEM, InviteSpec(unit, role, uses, days), now)
    return invite.token


async def add_member(
    db: Database, now: datetime, telegram_id: int, name: str, role: Role, unit_code: str, language: str = "zh"
) -> None:
    """A registered member holding `role` on the unit, made through the real invite path."""
    token = await invite_token(db, now, unit_code, role)
    async with db.transaction() as session:
        await redeem_invite(session, token, telegram_id, now, name=name, language=language)
