"""Simulated Telegram users who talk to the real Dispatcher through the fake Bot API server.

A user sends text, commands, locations, contacts, photos, voice notes and stickers, presses inline
buttons by their text, and reads what the bot sent them. Each action is fed to the Dispatcher and
awaited, so when it returns, every reply the handler sent has reached the fake server.
"""

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from tests.fakes.telegram_server import FakeTelegram, SentMessage

_query_ids = itertools.count(1)
_upload_ids = itertools.count(1)


FIRST_USER_ID = 1001
"""The Telegram id of the first user a harness creates; the next get the next ids."""


class FakeUser:
    def __init__(
        self,
        harness: "Harness",
        user_id: int,
        first_name: str,
        language_code: str | None = "zh",
    ) -> None:
        self.harness = harness
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.chat = harness.server.add_private_chat(user_id, first_name)
        self._message_ids = itertools.count(1)
        self.last_alert: dict[str, Any] | None = None

    # --- what the user sees ---------------------------------------------------------------------

    @property
    def inbox(self) -> list[SentMessage]:
        return self.harness.server.sent_to(self.id)

    @property
    def last(self) -> SentMessage:
        return self.inbox[-1]

    def last_with_buttons(self) -> SentMessage:
        return next(m for m in reversed(self.inbox) if m.buttons)

    # --- what the user does ---------------------------------------------------------------------

    def _user_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def message(self, **content: Any) -> dict[str, Any]:
        """The message Telegram would deliver when this user sends `content`."""
        self.chat.started = True
        self.chat.blocked = False
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": self.id, "type": "private", "first_name": self.first_name},
            "from": self._user_json(),
            **content,
        }

    async def _send_message(self, **content: Any) -> list[SentMessage]:
        message = self.message(**content)
        self.harness.server.incoming[self.id].add(message["message_id"])
        return await self.harness.feed(self.id, {"message": message})

    async def send(self, text: str) -> list[SentMessage]:
        """Send text; a leading /command gets its bot_command entity as Telegram would add it."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0].encode("utf-16-le")) // 2
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self._send_message(**content)

    async def send_in_group(self, group_id: int, text: str) -> list[SentMessage]:
        """Send text in a group chat (a leading /command gets its entity); returns what the bot sent there."""
        server = self.harness.server
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0].encode("utf-16-le")) // 2
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": group_id, "type": server.chats[group_id].type, "title": server.chats[group_id].title},
            "from": self._user_json(),
            **content,
        }
        server.incoming[group_id].add(message["message_id"])
        return await self.harness.feed(group_id, {"message": message})

    async def send_location(self, latitude: float, longitude: float) -> list[SentMessage]:
        return await self._send_message(location={"latitude": latitude, "longitude": longitude})

    async def share_contact(self, phone: str, *, own: bool = True) -> list[SentMessage]:
        contact = {
            "phone_number": phone,
            "first_name": self.first_name,
            "user_id": self.id if own else self.id + 1,
        }
        return await self._send_message(contact=contact)

    async def send_photo(self, caption: str | None = None) -> list[SentMessage]:
        n = next(_upload_ids)
        sizes = [
            {
                "file_id": f"user-photo-{n}-s",
                "file_unique_id": f"up{n}s",
                "width": 320,
                "height": 240,
            },
            {
                "file_id": f"user-photo-{n}",
                "file_unique_id": f"up{n}",
                "width": 1280,
                "height": 960,
            },
        ]
        extra = {"caption": caption} if caption else {}
        return await self._send_message(photo=sizes, **extra)

    async def send_voice(self, duration: int = 5) -> list[SentMessage]:
        n = next(_upload_ids)
        voice = {"file_id": f"user-voice-{n}", "file_unique_id": f"uv{n}", "duration": duration}
        return await self._send_message(voice=voice)

    async def send_sticker(self) -> list[SentMessage]:
        sticker = {
            "file_id": "sticker-1", "file_unique_id": "st1", "type": "regular",
            "width": 512, "height": 512, "is_animated": False, "is_video": False,
        }  # fmt: skip
        return await self._send_message(sticker=sticker)

    async def send_document(self, file_name: str = "notes.pdf", content: bytes | None = None) -> list[SentMessage]:
        """A document; with `content`, one the bot can download (getFile and the file server)."""
        document: dict[str, Any]
        if content is None:
            document = {"file_id": "doc-1", "file_unique_id": "d1", "file_name": file_name}
        else:
            file_id = self.harness.server.add_file(content)
            document = {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": file_name,
                "file_size": len(content),
            }
        return await self._send_message(document=document)

    def callback_query(self, message: SentMessage, data: str) -> dict[str, Any]:
        """The callback query Telegram would send when this user presses a button with `data` on `message`."""
        query_id = f"q{next(_query_ids)}"
        server = self.harness.server
        server.open_callback(query_id)
        return {
            "id": query_id,
            "from": self._user_json(),
            "chat_instance": f"ci{message.chat_id}",
            "data": data,
            "message": server._message_json(message, server.chats[message.chat_id]),
        }

    async def press_data(self, message: SentMessage, data: str) -> list[SentMessage]:
        """Press a button whose callback data is `data` (possibly forged) on `message`."""
        query = self.callback_query(message, data)
        replies = await self.harness.feed(self.id, {"callback_query": query})
        self.last_alert = self.harness.server.callback_answers.get(query["id"])
        assert self.last_alert is not None, f"the bot never answered the press of {data!r} (the button spins)"
        return replies

    async def click(self, button_text: str, message: SentMessage | None = None) -> list[SentMessage]:
        """Press the inline button labelled `button_text` on `message` (default: the newest with buttons)."""
        message = message or self.last_with_buttons()
        button = next((b for b in message.buttons if b["text"] == button_text), None)
        if button is None:
            labels = [b["text"] for b in message.buttons]
            raise AssertionError(f"no button {button_text!r} on message; buttons: {labels}")
        return await self.press_data(message, button["callback_data"])


class Harness:
    """One fake server, one Bot pointed at it, one Dispatcher: a whole bot under test."""

    def __init__(self, server: FakeTelegram, bot: Bot, dp: Dispatcher) -> None:
        self.server = server
        self.bot = bot
        self.dp = dp
        self._user_ids = itertools.count(FIRST_USER_ID)
        self.pace: Callable[[], None] | None = None
        """Called before each action: a person takes a moment between taps (tests move a virtual clock)."""

    def user(self, first_name: str = "User", language_code: str | None = "zh", user_id: int | None = None) -> FakeUser:
        return FakeUser(self, user_id or next(self._user_ids), first_name, language_code)

    async def feed(self, chat_id: int, content: dict[str, Any]) -> list[SentMessage]:
        """Feed one update to the Dispatcher and return what the bot sent to `chat_id` meanwhile."""
        if self.pace is not None:
            self.pace()
        before = {m.message_id for m in self.server.messages[chat_id]}
        edited_before = {m.message_id: m.edits for m in self.server.messages[chat_id]}
        update = Update.model_validate(
            {"update_id": self.server.next_update_id(), **content}, context={"bot": self.bot}
        )
        await self.dp.feed_update(self.bot, update)
        return [
            m
            for m in self.server.messages[chat_id]
            if m.message_id not in before or m.edits != edited_before.get(m.message_id, 0)
        ]


class PollingHarness(Harness):
    """Updates travel through getUpdates, as from the real Telegram, to a bot started on its own.

    `feed` waits (bounded) for the bot's first message to the chat, then returns what arrived.
    """

    def __init__(self, server: FakeTelegram, reply_timeout: float = 10.0) -> None:
        self.server = server
        self.reply_timeout = reply_timeout
        self._user_ids = itertools.count(2001)

    async def feed(self, chat_id: int, content: dict[str, Any]) -> list[SentMessage]:
        before = {m.message_id for m in self.server.messages[chat_id]}
        arrived = asyncio.Event()

        def on_message(message: SentMessage) -> None:
            if message.chat_id == chat_id:
                arrived.set()

        self.server.message_listeners.append(on_message)
        try:
            self.server.push_update({"update_id": self.server.next_update_id(), **content})
            await asyncio.wait_for(arrived.wait(), self.reply_timeout)
        finally:
            self.server.message_listeners.remove(on_message)
        return [m for m in self.server.messages[chat_id] if m.message_id not in before]
