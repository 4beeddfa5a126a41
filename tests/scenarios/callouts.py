"""A township with volunteers and a rescue team, and the /alert wizard tapped through, for call-out tests."""

from dataclasses import dataclass

from gridguard.directory.enums import Role
from gridguard.telegram.callouts.callbacks import CalloutAction
from tests.fakes.telegram_server import SentMessage
from tests.fakes.users import FakeUser
from tests.fakes.world import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, add_member
from tests.scenarios.township import Township

MEIFA, WUDU = "美法村委会", "吾都村委会"
"""The names of VILLAGE_A1 and VILLAGE_A2."""
FIRE = "🔥 火灾扑救"


@dataclass
class CalloutTown:
    town: Township
    huang: FakeUser
    """A volunteer of 美法村 (VILLAGE_A1)."""
    wu: FakeUser
    """A volunteer of 吾都村 (VILLAGE_A2)."""
    guo: FakeUser
    """A volunteer of both villages."""
    cai: FakeUser
    """The township's rescue team."""
    zheng: FakeUser
    """A volunteer of another township."""

    @property
    def responders(self) -> list[FakeUser]:
        return [self.huang, self.wu, self.guo, self.cai]

    def everyone(self) -> list[FakeUser]:
        return [*self.town.everyone(), *self.responders, self.zheng]


async def with_volunteers(town: Township) -> CalloutTown:
    people = {
        "huang": ("黄志愿", ((Role.VOLUNTEER, VILLAGE_A1),)),
        "wu": ("吴志愿", ((Role.VOLUNTEER, VILLAGE_A2),)),
        "guo": ("郭志愿", ((Role.VOLUNTEER, VILLAGE_A1), (Role.VOLUNTEER, VILLAGE_A2))),
        "cai": ("蔡救援", ((Role.RESCUE_TEAM, TOWNSHIP_A),)),
        "zheng": ("郑志愿", ((Role.VOLUNTEER, VILLAGE_B1),)),
    }
    users = {}
    for key, (name, roles) in people.items():
        user = town.harness.user(name)
        user.chat.started = True
        for role, unit in roles:
            await add_member(town.db, town.clock.now(), user.id, name, role, unit)
        users[key] = user
    return CalloutTown(town, **users)


async def preview_callout(
    sender: FakeUser,
    kind: str = FIRE,
    villages: tuple[str, ...] = (),
    message: str = "村口仓库起火，请带灭火器到村委会集合",
    needed: str = "2",
) -> SentMessage:
    """/alert tapped through to its preview (the whole township unless villages are named; no meeting point)."""
    await sender.send("/alert")
    await sender.click(kind)
    if villages:
        for village in villages:
            await sender.click(next(b["text"] for b in sender.last_with_buttons().buttons if village in b["text"]))
        await sender.click("✔️ 选好了")
    else:
        await sender.click(next(b["text"] for b in sender.last_with_buttons().buttons if "全镇" in b["text"]))
    await sender.send(message)
    await sender.send("不设集合点")
    await sender.click(needed)
    return sender.last


async def send_callout(town: Township, sender: FakeUser, **preview: str | tuple[str, ...]) -> SentMessage:
    """/alert through to sending, delivered; the sender's tally card."""
    shown = await preview_callout(sender, **preview)  # type: ignore[arg-type]
    await sender.click(next(b["text"] for b in shown.buttons if b["text"].startswith("🚨")))
    await town.deliver()
    return tally_of(sender)


def alerts_of(user: FakeUser) -> list[SentMessage]:
    """The call-outs the user received (messages carrying the three answers)."""
    return [m for m in user.inbox if m.shown.startswith("🚨 应急召集")]


def tally_of(user: FakeUser) -> SentMessage:
    [tally] = [m for m in user.inbox if m.shown.startswith("📣 召集")]
    return tally


def data_of(message: SentMessage, label: str) -> str:
    return next(b["callback_data"] for b in message.buttons if b["text"] == label)


def callout_id_of(message: SentMessage) -> int:
    return CalloutAction.unpack(message.buttons[0]["callback_data"]).callout_id
