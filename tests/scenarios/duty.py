"""A township with a duty roster: two more on-duty members beside the town's own, and rotations set directly."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from gridguard.directory.enums import Role
from gridguard.duty.enums import DutyLayer, ShiftPattern
from gridguard.duty.roster import RotationSpec, rotations, save_rotation
from tests.fakes.users import FakeUser
from tests.fakes.world import TOWNSHIP_A, add_member, unit_id
from tests.scenarios.township import Township

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 2)
"""The fake clock's first day (it starts at 09:30 local on this Monday)."""
HANDOFF = 8 * 60 + 30


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class DutyTown:
    town: Township
    zhao: FakeUser
    sun: FakeUser

    async def rotation(
        self,
        layer: DutyLayer,
        *users: FakeUser,
        pattern: ShiftPattern = ShiftPattern.DAILY,
        handoff: int = HANDOFF,
        start: date = MONDAY,
    ) -> None:
        town = self.town
        ids = tuple([await town.member_id(u) for u in users])
        head = await town.member_id(town.head)
        township = await unit_id(town.db, TOWNSHIP_A)
        async with town.db.transaction() as session:
            seen = (await rotations(session, township)).get(layer)
            version = seen.version if seen else None
            await save_rotation(
                session, township, RotationSpec(layer, pattern, handoff, start, ids), version, head, town.clock.now()
            )

    async def at(self, when: datetime) -> None:
        """Move the clock to `when`, run the sweeps, deliver."""
        delta = when - self.town.clock.now()
        assert delta.total_seconds() >= 0, "the clock only moves forward"
        await self.town.after(seconds=delta.total_seconds())


async def with_duty_members(town: Township) -> DutyTown:
    """The town, plus 赵值班 and 孙值班 on duty at its station (王值班 and 李站长 are there already)."""
    zhao, sun = town.harness.user("赵值班"), town.harness.user("孙值班")
    for user in (zhao, sun):
        user.chat.started = True
        await add_member(town.db, town.clock.now(), user.id, user.first_name, Role.STATION_DUTY, TOWNSHIP_A)
    return DutyTown(town, zhao, sun)


THURSDAY_SHIFT = "11-05 周四 08:30–11-06 08:30 主班"
"""王值班's shift in the rotation 王 → 赵 → 孙 that starts on Monday, as /swap lists it."""


async def offer_shift(town: Township, user: FakeUser, to: str, shift: str = THURSDAY_SHIFT) -> None:
    """`user` offers `shift` through /swap to `to` (a colleague's name, or "📣 所有值班同事"); offers delivered."""
    await user.send("/swap")
    await user.click(shift)
    await user.click(to)
    await town.deliver()
