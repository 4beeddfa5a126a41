"""A township with the flood plan adopted, and /plan tapped through to a level's preview and its start."""

from gridguard.telegram.plans.callbacks import ResponseAction, TaskAction
from tests.fakes.telegram_server import SentMessage
from tests.fakes.users import FakeUser
from tests.scenarios.township import Township

FLOOD_TEMPLATE = "📄 采用模板：防汛防台风"
FLOOD_PLAN = "📘 防汛防台风应急预案"
GROUP = -100_888
DONE, CANT = "✅ 完成", "🙅 无法完成"


async def adopt_flood_plan(head: FakeUser) -> None:
    await head.send("/plan")
    await head.click(FLOOD_TEMPLATE)


async def preview_level(user: FakeUser, level: str, drill: bool = False) -> SentMessage:
    """/plan → the flood plan → a level's start (or drill) button: the preview."""
    await user.send("/plan")
    await user.click(FLOOD_PLAN)
    await user.click(f"🎯 演练{level}" if drill else f"▶️ 启动{level}")
    return user.last_with_buttons()


async def start_level(town: Township, user: FakeUser, level: str, drill: bool = False) -> SentMessage:
    """The preview's first button pressed (start, start the drill, or propose), delivered; the screen after."""
    preview = await preview_level(user, level, drill)
    await user.click(preview.buttons[0]["text"], preview)
    await town.deliver()
    return preview


async def link_group(town: Township) -> None:
    town.harness.server.add_group(GROUP, "凤城镇应急站值班群")
    await town.head.send_in_group(GROUP, "/linkgroup")


def tasks_of(user: FakeUser) -> list[SentMessage]:
    """The task messages the user holds (those carrying 完成 / 无法完成)."""
    return [m for m in user.inbox if any(b["text"] == DONE for b in m.buttons)]


def task_titles(user: FakeUser) -> list[str]:
    return [m.shown.split("任务：")[1].split("\n")[0] for m in tasks_of(user)]


def task_id_of(message: SentMessage) -> int:
    return TaskAction.unpack(message.buttons[0]["callback_data"]).task_id


def cards_in(town: Township, chat_id: int) -> list[SentMessage]:
    """Progress cards the bot keeps in a chat."""
    return [m for m in town.harness.server.sent_to(chat_id) if "响应</b>" in (m.html or "") and "任务：完成" in m.shown]


def response_id_of(card: SentMessage) -> int:
    return ResponseAction.unpack(card.buttons[0]["callback_data"]).subject


def data_of(message: SentMessage, label: str) -> str:
    return next(b["callback_data"] for b in message.buttons if b["text"] == label)
