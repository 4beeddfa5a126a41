"""`python -m bot sandbox`: the real bot against the fake Bot API, in a terminal chat.

No token needed. A scratch SQLite file, a demo township from the Quanzhou division list, a few members
of each role; you act as one of them, read the bot's replies and press buttons by number.
"""

import asyncio
import logging
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import build_bot, build_delivery, build_dispatcher, build_sweeper
from bot.paths import ESCALATION_POLICY, QUANZHOU_DIVISIONS_CSV
from bot.settings import Settings
from gridguard.db.database import Database
from gridguard.db.migrate import upgrade_to_head_async
from gridguard.directory.directory import add_grid, child_units, find_unit, import_divisions, read_division_file
from gridguard.directory.enums import ROLE_NAMES, Role, UnitLevel
from gridguard.directory.invites import SYSTEM_ACTOR, InviteSpec, create_invite, enroll
from gridguard.directory.members import load_profile
from gridguard.kernel.clock import SystemClock
from gridguard.reports.policy import load_policy
from i18n import Localizer
from scheduler.sweeps import build_scheduler
from tests.fakes.telegram_server import FakeTelegram, SentMessage
from tests.fakes.users import FakeUser, Harness

DEFAULT_TOWNSHIP = "350524100"  # 安溪县 凤城镇
DEMO_LOCATION = (25.0553, 118.1867)
GROUP_ID = -100_1001
GROUP_TITLE = "应急站值班群"
SETTLE_SECONDS = 0.3
"""After each action, a moment for the outbox's messages (cards, status updates) to print before the prompt."""
HELP = """Type a message to send it as the current member (林网格 can /report a hazard; 陈安全 gets the card).
Escalation runs in real time with the policy in config/escalation.toml. Sandbox commands:
  #N          press button N of the newest message with buttons
  #M:N        press button N of message M (any message shown, older ones too)
  :g TEXT     say TEXT in the station's group chat (李站长: ":g /linkgroup", then cards arrive there too)
  :as N       act as member N          :who     list the members and their roles
  :loc        share a location         :photo   send a photo        :voice  send a voice note
  :file PATH  send a file (a roster CSV to /roster's import)           :sticker send a sticker
  :clock +1h  move the bot's clock on (+30m, +2h, +1d): reminders, handovers and escalation come due
  :help       this text                :quit    leave (Ctrl-C works too)"""
FILE_LIMIT = 1_000_000
"""The largest file `:file` sends (the bot refuses roster files far smaller)."""
CLOCK_STEP = re.compile(r"\+([0-9]{1,3})([mhd])")
CLOCK_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
LONGEST_STEP = timedelta(days=31)


class SandboxClock:
    """The system's time, moved on by `:clock` (never back): the bot, its sweeps and delivery all read it."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Persona:
    telegram_id: int
    name: str
    role: Role | None
    level: UnitLevel | None


PERSONAS = [
    Persona(101, "林网格", Role.GRID_WORKER, UnitLevel.GRID),
    Persona(102, "黄志愿", Role.VOLUNTEER, UnitLevel.VILLAGE),
    Persona(103, "陈安全", Role.VILLAGE_OFFICER, UnitLevel.VILLAGE),
    Persona(104, "王值班", Role.STATION_DUTY, UnitLevel.TOWNSHIP),
    Persona(105, "李站长", Role.STATION_HEAD, UnitLevel.TOWNSHIP),
    Persona(106, "张县局", Role.COUNTY_OFFICER, UnitLevel.COUNTY),
    Persona(108, "赵值班", Role.STATION_DUTY, UnitLevel.TOWNSHIP),
    Persona(109, "孙值班", Role.STATION_DUTY, UnitLevel.TOWNSHIP),
    Persona(110, "吴志愿", Role.VOLUNTEER, UnitLevel.VILLAGE),
    Persona(111, "蔡救援", Role.RESCUE_TEAM, UnitLevel.TOWNSHIP),
    Persona(112, "周网格", Role.GRID_WORKER, UnitLevel.GRID),
    Persona(107, "新用户 (not registered)", None, None),
]
"""Enough of each role to set up a roster (three on duty), call out volunteers and a rescue team, and escalate."""


async def seed(db: Database, township_code: str) -> str:
    """Import the township, add a grid, enrol one member per role; return an invite for the newcomer."""
    now = SystemClock().now()
    rows = [r for r in read_division_file(QUANZHOU_DIVISIONS_CSV) if r.township_code == township_code[:9]]
    if not rows:
        raise SystemExit(f"township {township_code} is not in {QUANZHOU_DIVISIONS_CSV}")
    async with db.transaction() as session:
        await import_divisions(session, rows, now)
        township = await find_unit(session, township_code)
        assert township.id is not None
        village = next(v for v in await child_units(session, township.id, UnitLevel.VILLAGE))
        grid = await add_grid(session, village, "第一网格", now)
        county = await find_unit(session, rows[0].county_code)
        places = {
            UnitLevel.GRID: grid,
            UnitLevel.VILLAGE: village,
            UnitLevel.TOWNSHIP: township,
            UnitLevel.COUNTY: county,
        }
        for persona in PERSONAS:
            if persona.role is not None and persona.level is not None:
                await enroll(session, persona.telegram_id, persona.name, persona.role, places[persona.level], now)
        invite = await create_invite(session, SYSTEM_ACTOR, InviteSpec(grid, Role.GRID_WORKER, 5, 7), now)
    return invite.token


def content_line(message: SentMessage) -> str:
    """What a message carries, so a card's photo, its map pin or a voice note can be seen in a terminal."""
    if "location" in message.media:
        where = message.media["location"]
        return f"[pin] {where['latitude']:.5f}, {where['longitude']:.5f}"
    kinds = [kind for kind in ("photo", "video", "voice", "document") if kind in message.media]
    if kinds:
        return f"[{kinds[0]}] {message.shown}".rstrip()
    return message.shown or f"[{message.method}]"


def describe(message: SentMessage, recipient: str) -> str:
    edited = " (edited)" if message.edits else ""
    replying = f", replying to message {message.reply_to}" if message.reply_to else ""
    lines = [f"\n🤖 → {recipient} · message {message.message_id}{edited}{replying}:", content_line(message)]
    for number, button in enumerate(message.buttons + message.reply_buttons, start=1):
        lines.append(f"   [#{number}] {button['text']}")
    return "\n".join(lines)


class TerminalChat:
    def __init__(
        self,
        harness: Harness,
        token: str,
        clock: SandboxClock | None = None,
        sweep: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.harness = harness
        self.clock, self.sweep = clock, sweep
        self.db: Database = harness.dp["db"]
        self.users = {p.telegram_id: harness.user(p.name, "zh", user_id=p.telegram_id) for p in PERSONAS}
        for persona in PERSONAS:
            self.users[persona.telegram_id].chat.started = persona.role is not None
        harness.server.add_group(GROUP_ID, GROUP_TITLE)
        self.names = {p.telegram_id: p.name for p in PERSONAS} | {GROUP_ID: f"[{GROUP_TITLE}]"}
        self.current = PERSONAS[-1].telegram_id
        self.token = token
        self.prompting = False
        harness.server.message_listeners.append(self.show)

    def prompt(self) -> str:
        return f"\n[{self.names[self.current]}] > "

    def show(self, message: SentMessage) -> None:
        print(describe(message, self.names.get(message.chat_id, str(message.chat_id))))
        if self.prompting:
            print(self.prompt(), end="", flush=True)

    async def who(self) -> None:
        """Each member with their roles as the bot knows them now (a newcomer shows up once registered)."""
        i18n = Localizer("zh")
        async with self.db.reading() as session:
            profiles = [await load_profile(session, p.telegram_id, frozenset()) for p in PERSONAS]
        for number, (persona, profile) in enumerate(zip(PERSONAS, profiles, strict=True), start=1):
            marker = "*" if persona.telegram_id == self.current else " "
            if profile is None:
                print(f" {marker} {number}. {persona.name} — not registered")
                continue
            roles = "、".join(i18n(ROLE_NAMES(r.role)) for r in profile.roles) or "no role"
            self.names[persona.telegram_id] = profile.name
            print(f" {marker} {number}. {profile.name} — {roles}")

    def find_button(self, user: FakeUser, reference: str) -> tuple[SentMessage, dict[str, str]] | None:
        """`N` (the newest message with buttons) or `M:N` (message M, anywhere the member can see it)."""
        message_part, _, button_part = reference.rpartition(":")
        visible = [*user.inbox, *self.harness.server.sent_to(GROUP_ID)]
        if message_part:
            message = next((m for m in visible if str(m.message_id) == message_part), None)
        else:
            message = next((m for m in reversed(user.inbox) if m.buttons or m.reply_buttons), None)
        buttons = (message.buttons + message.reply_buttons) if message else []
        if message is None or not button_part.isdigit() or not 1 <= int(button_part) <= len(buttons):
            return None
        return message, buttons[int(button_part) - 1]

    async def press(self, user: FakeUser, reference: str) -> None:
        found = self.find_button(user, reference)
        if found is None:
            print("no such button")
            return
        message, button = found
        if "callback_data" in button:
            await user.press_data(message, button["callback_data"])
            if user.last_alert and user.last_alert.get("text"):
                print(f"   (alert) {user.last_alert['text']}")
        elif button.get("request_contact"):
            await user.share_contact("+8613900000000")
        elif button.get("request_location"):
            await user.send_location(*DEMO_LOCATION)
        else:
            await user.send(button["text"])

    async def handle(self, line: str) -> bool:
        """Act on one input line; False when the user wants to leave."""
        user = self.users[self.current]
        actions: dict[str, Callable[[], Awaitable[object]]] = {
            ":loc": lambda: user.send_location(*DEMO_LOCATION),
            ":photo": user.send_photo,
            ":voice": user.send_voice,
            ":sticker": user.send_sticker,
        }
        if line in (":quit", ":q"):
            return False
        command, _, argument = line.partition(" ")
        if line == ":who":
            await self.who()
        elif command == ":clock":
            await self.move_clock(argument.strip())
        elif command == ":file":
            await self.send_file(user, argument.strip())
        elif line == ":help":
            print(HELP)
        elif line.startswith(":as ") and line[4:].strip().isdigit() and 1 <= int(line[4:]) <= len(PERSONAS):
            self.current = PERSONAS[int(line[4:]) - 1].telegram_id
            print(f"you are now {self.names[self.current]}")
        elif line.startswith("#"):
            await self.press(user, line[1:])
        elif line.startswith(":g "):
            await user.send_in_group(GROUP_ID, line[3:].strip())
        elif line in actions:
            await actions[line]()
        elif line.startswith(":"):
            print(f"unknown sandbox command {command}; :help lists them")
        elif line:
            await user.send(line)
        return True

    async def move_clock(self, step: str) -> None:
        """`:clock +1h`: the bot's time moves on, and the sweeps run at once (what fell due arrives)."""
        match = CLOCK_STEP.fullmatch(step)
        if match is None or self.clock is None:
            print("usage: :clock +30m, +2h or +1d (at most 31 days at a time)")
            return
        moved = int(match.group(1)) * CLOCK_UNITS[match.group(2)]
        if moved > LONGEST_STEP:
            print("usage: :clock +30m, +2h or +1d (at most 31 days at a time)")
            return
        self.clock.offset += moved
        zone = self.harness.dp["settings"].zone
        print(f"the bot's clock now reads {self.clock.now().astimezone(zone):%Y-%m-%d %H:%M}")
        if self.sweep is not None:
            await self.sweep()

    async def send_file(self, user: FakeUser, path_text: str) -> None:
        """`:file roster.csv`: the file as a document the bot can download (bounded in size)."""
        content = await asyncio.to_thread(read_small_file, path_text)
        if content is not None:
            await user.send_document(Path(path_text).name, content)

    async def loop(self) -> None:
        print(HELP)
        print(f"\nMembers of the demo township; you start as the newcomer, whose invite is:\n  /start {self.token}\n")
        await self.who()
        lines = await stdin_lines()
        while True:
            print(self.prompt(), end="", flush=True)
            self.prompting = True
            raw = await lines.readline()
            self.prompting = False
            if not raw:
                return
            if not await self.handle(raw.decode(errors="replace").strip()):
                return
            await asyncio.sleep(SETTLE_SECONDS)


def read_small_file(path_text: str) -> bytes | None:
    """A file's bytes, if there is one at `path_text` no larger than FILE_LIMIT (else None, and why)."""
    path = Path(path_text).expanduser()
    if not path_text or not path.is_file():
        print(f"no such file: {path_text or '(none given)'}")
        return None
    if path.stat().st_size > FILE_LIMIT:
        print(f"{path} is larger than {FILE_LIMIT // 1000} kB")
        return None
    return path.read_bytes()


async def stdin_lines() -> asyncio.StreamReader:
    """Standard input read by the event loop itself (not a thread blocked in input()), so Ctrl-C ends at once."""
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def run_sandbox(settings: Settings, township: str | None) -> None:
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="gridguard-sandbox-") as folder:
        url = f"sqlite+aiosqlite:///{folder}/sandbox.db"
        await upgrade_to_head_async(url)
        db = Database(url)
        server = FakeTelegram()
        await server.start()
        bot = build_bot(server.token, server.base_url, wait_out_flood=asyncio.sleep)
        outbox_bot = build_bot(server.token, server.base_url)
        sandbox_settings = settings.model_copy(update={"database_url": url, "telegram_api_base": server.base_url})
        clock = SandboxClock()
        delivery = build_delivery(sandbox_settings, db, outbox_bot, clock)
        policy = load_policy(ESCALATION_POLICY)
        dp = build_dispatcher(sandbox_settings, db, clock, delivery=delivery, policy=policy)
        sweeper = build_sweeper(sandbox_settings, db, policy, clock, "sandbox", delivery)
        scheduler = build_scheduler(sweeper)
        delivering = asyncio.create_task(delivery.run_forever())
        scheduler.start()
        try:
            token = await seed(db, township or DEFAULT_TOWNSHIP)
            await TerminalChat(Harness(server, bot, dp), token, clock, sweeper.tick).loop()
        finally:
            scheduler.shutdown(wait=False)
            await sweeper.resign()
            await delivery.stop(delivering)
            for client in (bot, outbox_bot):
                await client.session.close()
            await server.stop()
            await db.dispose()
