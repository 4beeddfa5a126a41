"""Members and their roles, read as immutable snapshots (profiles) the edge can hold safely."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.directory.directory import unit_paths
from gridguard.directory.enums import Role, UnitLevel
from gridguard.directory.tables import Member, RoleAssignment, Unit

LANGUAGES = ("zh", "en")
NAME_MAX = 32


@dataclass(frozen=True)
class RoleOnUnit:
    role: Role
    unit_id: int
    unit_code: str
    unit_name: str
    unit_level: UnitLevel
    path_ids: tuple[int, ...]
    """Ids of the unit and its ancestors, top first: a role covers every unit below it."""
    path_names: tuple[str, ...]

    def covers(self, target_path_ids: tuple[int, ...]) -> bool:
        return self.unit_id in target_path_ids


@dataclass(frozen=True)
class MemberProfile:
    id: int | None
    telegram_id: int
    name: str
    phone: str | None
    language: str
    roles: tuple[RoleOnUnit, ...]
    is_admin: bool
    unreachable: bool = False

    @property
    def registered(self) -> bool:
        return self.id is not None

    def has_role(self, *roles: Role) -> bool:
        return any(r.role in roles for r in self.roles)


def pick_language(telegram_language_code: str | None, default: str) -> str:
    """Chinese for zh-*, English for en-*, otherwise the deployment's default."""
    prefix = (telegram_language_code or "").split("-")[0].lower()
    return prefix if prefix in LANGUAGES else default


def role_on_path(role: Role, path: list[Unit]) -> RoleOnUnit:
    """The role on the last unit of `path` (top first)."""
    unit = path[-1]
    assert unit.id is not None
    return RoleOnUnit(
        role=role,
        unit_id=unit.id,
        unit_code=unit.code,
        unit_name=unit.name,
        unit_level=unit.level,
        path_ids=tuple(u.id for u in path if u.id is not None),
        path_names=tuple(u.name for u in path),
    )


async def find_member(session: AsyncSession, telegram_id: int) -> Member | None:
    return (await session.exec(select(Member).where(Member.telegram_id == telegram_id))).first()


async def load_profile(session: AsyncSession, telegram_id: int, admin_ids: frozenset[int]) -> MemberProfile | None:
    """The member's snapshot; an ADMIN_IDS user who never registered still gets admin rights."""
    member = await find_member(session, telegram_id)
    is_admin_by_setting = telegram_id in admin_ids
    if member is None:
        if not is_admin_by_setting:
            return None
        return MemberProfile(None, telegram_id, "", None, "", (), True)
    assert member.id is not None
    query = (
        select(RoleAssignment, Unit)
        .join(Unit, col(Unit.id) == RoleAssignment.unit_id)
        .where(RoleAssignment.member_id == member.id)
        .order_by(col(RoleAssignment.id))
    )
    held = (await session.exec(query)).all()
    paths = await unit_paths(session, [unit for _, unit in held])
    roles = tuple(role_on_path(ra.role, paths[unit.id or 0]) for ra, unit in held)
    return MemberProfile(
        id=member.id,
        telegram_id=telegram_id,
        name=member.name,
        phone=member.phone,
        language=member.language,
        roles=roles,
        is_admin=is_admin_by_setting or any(r.role == Role.ADMIN for r in roles),
        unreachable=member.unreachable_since is not None,
    )


async def set_language(session: AsyncSession, member_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    member = await session.get(Member, member_id)
    if member is not None:
        member.language = language
        session.add(member)


def clean_name(text: str) -> str | None:
    """The name a member goes by, or None when it can't be one (empty, too long, a command)."""
    name = " ".join(text.split())
    if not name or len(name) > NAME_MAX or name.startswith("/"):
        return None
    return name


async def add_member(
    session: AsyncSession,
    telegram_id: int,
    name: str,
    phone: str | None,
    language: str,
    now: datetime,
) -> Member:
    member = Member(telegram_id=telegram_id, name=name, phone=phone, language=language, created_at=now)
    session.add(member)
    await session.flush()
    return member
