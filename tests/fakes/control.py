"""A control channel for a fake Bot API server running in another process (benchmarks).

The bot under measurement is the only thing in its process, so its CPU time (rusage) is its own. The driver
talks to the server over plain HTTP:

  POST /_control/chats     {"ids": [...]}                    private chats whose users pressed Start
  POST /_control/message   {"chat_id", "text", "buttons"}    a message the bot "sent" (to press buttons on)
  POST /_control/updates   [update, ...]                     updates for getUpdates (ids assigned here)
  GET  /_control/log?since=N                                 what the bot sent since entry N:
                                                             [monotonic time, chat id, text, has buttons]

Times are CLOCK_MONOTONIC (`time.monotonic`), the same clock in every process on the machine.
"""

import time
from typing import Any

from aiohttp import web

from tests.fakes.telegram_server import FakeTelegram, SentMessage


class ControlPanel:
    def __init__(self, server: FakeTelegram) -> None:
        self.server = server
        self.log: list[tuple[float, int, str, bool]] = []
        server.message_listeners.append(self._note)

    def _note(self, message: SentMessage) -> None:
        self.log.append((time.monotonic(), message.chat_id, message.shown[:60], bool(message.buttons)))

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/_control/chats", self._chats)
        app.router.add_post("/_control/message", self._message)
        app.router.add_post("/_control/updates", self._updates)
        app.router.add_get("/_control/log", self._log)

    async def _chats(self, request: web.Request) -> web.Response:
        for user_id in (await request.json())["ids"]:
            self.server.add_private_chat(int(user_id), f"user{user_id}").started = True
        return web.json_response({"ok": True})

    async def _message(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        chat = self.server.chats[int(body["chat_id"])]
        markup = {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in body.get("buttons", [])]]}
        sent = SentMessage(chat.id, self.server.next_message_id(), "sendMessage", text=body["text"],
                           html=body["text"], reply_markup=markup)  # fmt: skip
        self.server.messages[chat.id].append(sent)
        return web.json_response(self.server._message_json(sent, chat))

    async def _updates(self, request: web.Request) -> web.Response:
        for update in await request.json():
            query = update.get("callback_query")
            if query is not None:
                self.server.open_callback(query["id"])
            self.server.push_update({"update_id": self.server.next_update_id(), **update})
        return web.json_response({"ok": True})

    async def _log(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response(self.log[since:])
