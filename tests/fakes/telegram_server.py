"""An in-process fake Bot API server that enforces what Telegram enforces.

The real bot talks to it through TELEGRAM_API_BASE. Every call is checked against the official
method spec (reference/telegram-bot-api/api.json): unknown methods and parameters, missing
required ones, and nested objects (keyboards, commands) field by field. It enforces text and caption
lengths in UTF-16 units after HTML parsing, callback_data sizes, request_location/request_contact only
in private chats, 403 for users who never started or who blocked the bot, "message is not modified",
and rate limits (per private chat, per group, overall) answered with 429 and retry_after.
"""

import asyncio
import itertools
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.paths import TELEGRAM_API_SPEC
from gridguard.kernel.rate import TokenBucket
from tests.fakes.local_http import serve_locally
from tests.fakes.telegram_html import HtmlError, parse_html, utf16_length
from tests.fakes.webhook import WebhookDelivery

TEXT_LIMIT = 4096
BUTTON_LIMIT = 100
"""Telegram refuses a keyboard of more buttons than this (REPLY_MARKUP_TOO_LONG)."""
CAPTION_LIMIT = 1024
PAID_MESSAGE_STARS = 0.1
CALLBACK_ANSWER_LIMIT = 200
SCALARS = {"String", "Integer", "Float", "Boolean", "True", "InputFile"}
SCALAR_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "String": str,
    "Integer": int,
    "Float": (int, float),
    "Boolean": bool,
    "True": bool,
}


@cache
def load_spec(path: Path = TELEGRAM_API_SPEC) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = json.load(handle)
        return spec


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class Limits:
    """Telegram's sending limits; `enabled=False` lifts them (for throughput benchmarks)."""

    enabled: bool = True
    overall_per_second: float = 30.0
    private_per_second: float = 1.0
    private_burst: int = 10
    group_per_minute: int = 20
    paid_per_second: float = 1000.0
    """With allow_paid_broadcast: the overall limit a paid broadcast lifts the free one to."""


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    method: str
    text: str | None = None
    html: str | None = None
    caption: str | None = None
    reply_markup: dict[str, Any] | None = None
    media: dict[str, Any] = field(default_factory=dict)
    edits: int = 0
    edited_at: list[float] = field(default_factory=list)
    """When each edit landed, on the server's clock."""
    deleted: bool = False
    reply_to: int | None = None
    """The message id this one replies to (reply_parameters), as the chat shows it."""

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons, row by row, flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    @property
    def reply_buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("keyboard", [])
        return [button if isinstance(button, dict) else {"text": button} for row in rows for button in row]

    @property
    def shown(self) -> str:
        return self.text if self.text is not None else (self.caption or "")


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    started: bool = False
    blocked: bool = False

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title:
            data["title"] = self.title
        if self.first_name:
            data["first_name"] = self.first_name
        return data


@dataclass
class InjectedFault:
    method: str | None
    chat_id: int | None
    code: int
    description: str
    retry_after: int | None
    remaining: int
    delay: float = 0.0


class FakeTelegram:
    """The fake server's state and HTTP front."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "gridguard_test_bot",
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "GridGuard",
            "username": bot_username,
        }
        self.limits = limits or Limits()
        self.clock = clock
        self.spec = load_spec()
        self.chats: dict[int, Chat] = {}
        self.messages: dict[int, list[SentMessage]] = defaultdict(list)
        self.incoming: dict[int, set[int]] = defaultdict(set)
        """Ids of the messages users sent in each chat (so the bot may reply to them)."""
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.open_callbacks: set[str] = set()
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.errors: list[tuple[str, int, str]] = []
        self.flood_log: list[str] = []
        self.faults: list[InjectedFault] = []
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._updates: deque[dict[str, Any]] = deque()
        self._update_event = asyncio.Event()
        self._overall = TokenBucket(self.limits.overall_per_second, self.limits.overall_per_second, clock)
        self._paid_overall = TokenBucket(self.limits.paid_per_second, self.limits.paid_per_second, clock)
        self.stars: float | None = None
        """The bot's Stars balance for paid broadcasts (None: enough for any number); 0.1 a message."""
        self.paid_sent = 0
        self._paying = False
        self._per_chat: dict[int, TokenBucket] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.message_listeners: list[Callable[[SentMessage], None]] = []
        self.webhook: WebhookDelivery | None = None
        self.webhook_requires_https = False
        """Telegram's cloud API takes only https webhooks; a local Bot API server (which this fake plays) takes http."""
        self.files: dict[str, bytes] = {}
        """Contents of the files the bot uploaded and of those users sent, by file id (getFile and downloads)."""

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self, extra_routes: Callable[[web.Application], None] | None = None) -> str:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        if extra_routes is not None:
            extra_routes(app)
        self._runner, self.base_url = await serve_locally(app)
        return self.base_url

    async def stop(self) -> None:
        if self.webhook is not None:
            await self.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- the world the tests set up -------------------------------------------------------------

    def add_private_chat(self, user_id: int, first_name: str) -> Chat:
        chat = self.chats.setdefault(user_id, Chat(user_id, "private", first_name=first_name))
        return chat

    def add_group(self, chat_id: int, title: str) -> Chat:
        return self.chats.setdefault(chat_id, Chat(chat_id, "supergroup", title=title, started=True))

    def block(self, user_id: int) -> None:
        self.chats[user_id].blocked = True

    def inject_fault(
        self,
        code: int,
        description: str,
        *,
        method: str | None = None,
        chat_id: int | None = None,
        retry_after: int | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """The next `times` matching calls fail with `code` (after `delay` seconds, for timeouts)."""
        self.faults.append(InjectedFault(method, chat_id, code, description, retry_after, times, delay))

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update: for getUpdates, or posted to the webhook once one is set."""
        if self.webhook is not None:
            self.webhook.push(update)
            return
        self._updates.append(update)
        self._update_event.set()

    def open_callback(self, query_id: str) -> None:
        self.open_callbacks.add(query_id)

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.messages[chat_id] if not m.deleted]

    def find_message(self, chat_id: int, message_id: int) -> SentMessage | None:
        return next((m for m in self.messages[chat_id] if m.message_id == message_id), None)

    # --- HTTP -----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error_response("?", ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        try:
            params = await self._read_params(request)
            self.calls.append((method, params))
            await self._apply_faults(method, params)
            result = await self._dispatch(method, params)
        except ApiError as error:
            return self._error_response(method, error)
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        """A file's content at the path getFile gave (documents/<file id>), as Telegram's file server serves it."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        content = self.files.get(request.match_info["path"].removeprefix("documents/"))
        return web.Response(status=404) if content is None else web.Response(body=content)

    def add_file(self, content: bytes) -> str:
        """A file a user sends: its id, for a document in an update."""
        file_id = self._file("document")
        self.files[file_id] = content
        return file_id

    def _error_response(self, method: str, error: ApiError) -> web.Response:
        self.errors.append((method, error.code, error.description))
        body: dict[str, Any] = {
            "ok": False,
            "error_code": error.code,
            "description": error.description,
        }
        if error.retry_after is not None:
            body["parameters"] = {"retry_after": error.retry_after}
        return web.json_response(body, status=error.code if error.code != 500 else 500)

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        files = {
            k: {"upload": v.filename, "content": v.file.read()} for k, v in form.items() if isinstance(v, web.FileField)
        }
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                continue
            attached = value.removeprefix("attach://") if isinstance(value, str) else ""
            params[key] = files.get(attached, value)
        return params

    async def _apply_faults(self, method: str, params: dict[str, Any]) -> None:
        for fault in self.faults:
            if fault.remaining <= 0 or (fault.method and fault.method != method):
                continue
            if fault.chat_id is not None and str(fault.chat_id) != str(params.get("chat_id")):
                continue
            fault.remaining -= 1
            if fault.delay:
                await asyncio.sleep(fault.delay)
            raise ApiError(fault.code, fault.description, fault.retry_after)

    # --- checking against the spec --------------------------------------------------------------

    def _check_against_spec(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        spec = self.spec["methods"].get(method)
        if spec is None:
            raise ApiError(404, "Not Found: method not found")
        fields = {f["name"]: f for f in spec.get("fields", [])}
        for name in params:
            if name not in fields:
                raise bad_request(f"unknown parameter {name!r} for {method}")
        missing = [n for n, f in fields.items() if f["required"] and n not in params]
        if missing:
            raise bad_request(f"parameter {missing[0]!r} is required for {method}")
        return {name: self._decode(method, name, value, fields[name]["types"]) for name, value in params.items()}

    def _decode(self, method: str, name: str, raw: Any, types: list[str]) -> Any:
        if isinstance(raw, dict) and "upload" in raw:
            if "InputFile" not in types:
                raise bad_request(f"{name} can't be a file upload")
            return raw
        if isinstance(raw, str) and not any(t not in SCALARS for t in types):
            return self._scalar(name, raw, types)
        value = json.loads(raw) if isinstance(raw, str) and raw[:1] in "{[" else raw
        if isinstance(value, str):
            return self._scalar(name, value, types)
        errors = []
        for type_name in types:
            try:
                self._check_value(value, type_name, name)
                return value
            except ApiError as error:
                errors.append(error.description)
        raise bad_request(f"{name}: {errors[0].removeprefix('Bad Request: ')}")

    def _scalar(self, name: str, raw: str, types: list[str]) -> Any:
        if "Integer" in types:
            try:
                return int(raw)
            except ValueError:
                if "String" not in types:
                    raise bad_request(f"{name} must be an Integer") from None
        if "Float" in types:
            try:
                return float(raw)
            except ValueError:
                raise bad_request(f"{name} must be a Float") from None
        if "Boolean" in types or "True" in types:
            if raw not in ("true", "false", "True", "False", "1", "0"):
                raise bad_request(f"{name} must be a Boolean")
            return raw in ("true", "True", "1")
        return raw

    def _check_value(self, value: Any, type_name: str, where: str) -> None:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                raise bad_request(f"{where} must be an Array")
            for index, item in enumerate(value):
                self._check_value(item, type_name.removeprefix("Array of "), f"{where}[{index}]")
            return
        if type_name in SCALARS:
            if type_name != "InputFile" and not isinstance(value, SCALAR_PYTHON_TYPES[type_name]):
                raise bad_request(f"{where} must be {type_name}")
            return
        spec = self.spec["types"].get(type_name)
        if spec is None:
            raise bad_request(f"unknown type {type_name}")
        if "subtypes" in spec:
            for subtype in spec["subtypes"]:
                try:
                    self._check_value(value, subtype, where)
                    return
                except ApiError:
                    continue
            raise bad_request(f"{where} is none of {type_name}")
        if not isinstance(value, dict):
            raise bad_request(f"{where} must be an object {type_name}")
        fields = {f["name"]: f for f in spec.get("fields", [])}
        for key, item in value.items():
            if key not in fields:
                raise bad_request(f"{where}: field {key!r} is not in {type_name}")
            errors = []
            for sub in fields[key]["types"]:
                try:
                    self._check_value(item, sub, f"{where}.{key}")
                    break
                except ApiError as error:
                    errors.append(error)
            else:
                raise errors[0]
        missing = [n for n, f in fields.items() if f["required"] and n not in value]
        if missing:
            raise bad_request(f"{where}: field {missing[0]!r} of {type_name} is required")

    # --- Telegram's own rules -------------------------------------------------------------------

    def _render(self, text: str, parse_mode: str | None, limit: int, what: str) -> str:
        if parse_mode is not None and parse_mode != "HTML":
            raise bad_request(f"the fake supports parse_mode HTML only, got {parse_mode}")
        try:
            plain = parse_html(text) if parse_mode == "HTML" else text
        except HtmlError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        if what == "text" and not plain.strip():
            raise bad_request("message text is empty")
        if utf16_length(plain) > limit:
            raise bad_request("message is too long" if what == "text" else "message caption is too long")
        return plain

    def _check_markup(self, markup: dict[str, Any] | None, chat: Chat) -> None:
        if not markup:
            return
        for kind in ("inline_keyboard", "keyboard"):
            if sum(len(row) for row in markup.get(kind, [])) > BUTTON_LIMIT:
                raise bad_request("REPLY_MARKUP_TOO_LONG")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                kinds = [k for k in button if k not in ("text", "icon_custom_emoji_id", "style")]
                if len(kinds) != 1:
                    raise bad_request("can't parse inline keyboard button: exactly one action is required")
                if not button["text"]:
                    raise bad_request("text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
        for row in markup.get("keyboard", []):
            for button in row:
                special = isinstance(button, dict) and (button.get("request_location") or button.get("request_contact"))
                if special and chat.type != "private":
                    raise bad_request("KEYBOARD_BUTTON_REQUEST_PRIVATE_CHAT_ONLY")

    def _chat_for_sending(self, chat_id: Any) -> Chat:
        chat = self.chats.get(int(chat_id)) if str(chat_id).lstrip("-").isdigit() else None
        if chat is None:
            raise bad_request("chat not found")
        if chat.type == "private" and chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.type == "private" and not chat.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _rate_limit(self, chat: Chat) -> None:
        if not self.limits.enabled:
            return
        bucket = self._per_chat.get(chat.id)
        if bucket is None:
            if chat.type == "private":
                bucket = TokenBucket(self.limits.private_per_second, self.limits.private_burst, self.clock)
            else:
                per_minute = self.limits.group_per_minute
                bucket = TokenBucket(per_minute / 60, per_minute, self.clock)
            self._per_chat[chat.id] = bucket
        overall = self._paid_overall if self._paying else self._overall
        for scope, limiter in (("overall", overall), (f"chat {chat.id}", bucket)):
            wait = limiter.wait_time()
            if wait > 0:
                retry = max(1, int(wait + 0.999))
                self.flood_log.append(f"{scope}: over the limit, {wait:.3f} s early")
                raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        overall.take()
        bucket.take()

    # --- methods --------------------------------------------------------------------------------

    async def _dispatch(self, method: str, raw: dict[str, Any]) -> Any:
        params = self._check_against_spec(method, raw)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise bad_request(f"the fake Bot API does not implement {method}")
        if asyncio.iscoroutinefunction(handler):
            return await handler(params)
        paying = self._paying = bool(params.get("allow_paid_broadcast"))
        if paying and self.stars is not None and self.stars < PAID_MESSAGE_STARS:
            raise bad_request("Bad Request: not enough Stars to pay for the broadcast (BALANCE_TOO_LOW)")
        try:
            result = handler(params)
        finally:
            self._paying = False
        if paying:
            self._charge_stars()
        return result

    def _charge_stars(self) -> None:
        """A paid broadcast costs 0.1 Stars from the bot's balance (refused above when they run short)."""
        if self.stars is not None:
            self.stars -= PAID_MESSAGE_STARS
        self.paid_sent += 1

    def _message_json(self, sent: SentMessage, chat: Chat) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": chat.as_json(),
            "from": self.bot_user,
        }
        if sent.text is not None:
            data["text"] = sent.text
        if sent.caption is not None:
            data["caption"] = sent.caption
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            data["reply_markup"] = sent.reply_markup
        data.update(sent.media)
        return data

    def _store(self, chat: Chat, method: str, **fields: Any) -> dict[str, Any]:
        self._rate_limit(chat)
        sent = SentMessage(chat.id, next(self._message_ids), method, **fields)
        self.messages[chat.id].append(sent)
        for listener in self.message_listeners:
            listener(sent)
        return self._message_json(sent, chat)

    def _file(self, kind: str) -> str:
        return f"{kind}-{next(self._file_ids)}"

    def _m_getMe(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = params["url"]
        if not url:
            return await self._m_deleteWebhook({})
        if not url.startswith(("https://", "http://")) or (self.webhook_requires_https and url.startswith("http://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        connections = int(params.get("max_connections", 40))
        if not 1 <= connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        drop = bool(params.get("drop_pending_updates"))
        if self.webhook is not None:
            hook = self.webhook
            hook.url, hook.secret_token, hook.max_connections = url, secret, connections
            if drop:
                hook.pending.clear()
            return True
        pending = self._drain_pending(drop)
        self.webhook = WebhookDelivery(url, secret, connections, self._dispatch_reply)
        self.webhook.pending.extend(pending)
        self.webhook.start()
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        pending = self._drain_pending(drop=bool(params.get("drop_pending_updates")))
        self._updates.extend(pending)
        if pending:
            self._update_event.set()
        return True

    def _drain_pending(self, drop: bool) -> list[dict[str, Any]]:
        """The updates not yet delivered, taken from the webhook (stopped) or from the getUpdates queue."""
        pending = list(self._updates)
        self._updates.clear()
        if self.webhook is not None:
            pending += list(self.webhook.pending)
            webhook, self.webhook = self.webhook, None
            asyncio.get_running_loop().create_task(webhook.stop())
        return [] if drop else pending

    async def _dispatch_reply(self, method: str, raw: dict[str, Any]) -> None:
        """A method the bot put in its answer to a webhook post: Telegram executes it (an error is only logged)."""
        try:
            await self._dispatch(method, raw)
        except ApiError as error:
            self.errors.append((method, error.code, error.description))

    def _m_getWebhookInfo(self, _params: dict[str, Any]) -> dict[str, Any]:
        hook = self.webhook
        if hook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        info: dict[str, Any] = {
            "url": hook.url,
            "has_custom_certificate": False,
            "pending_update_count": hook.pending_count,
            "max_connections": hook.max_connections,
        }
        if hook.last_error is not None:
            info["last_error_date"], info["last_error_message"] = hook.last_error
        return info

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        while self._updates and offset is not None and self._updates[0]["update_id"] < offset:
            self._updates.popleft()
        if not self._updates:
            self._update_event.clear()
            try:
                await asyncio.wait_for(self._update_event.wait(), timeout=min(float(params.get("timeout", 0)), 1.0))
            except TimeoutError:
                return []
        return list(self._updates)[: params.get("limit", 100)]

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        for command in params["commands"]:
            name, description = command["command"], command["description"]
            if not (1 <= len(name) <= 32 and all(c.islower() or c.isdigit() or c == "_" for c in name)):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        scope = json.dumps(params.get("scope", {"type": "default"}), sort_keys=True)
        self.commands[(scope, params.get("language_code", ""))] = params["commands"]
        return True

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_sending(params["chat_id"])
        plain = self._render(params["text"], params.get("parse_mode"), TEXT_LIMIT, "text")
        self._check_markup(params.get("reply_markup"), chat)
        return self._store(
            chat,
            "sendMessage",
            text=plain,
            html=params["text"],
            reply_markup=params.get("reply_markup"),
            reply_to=self._replied(chat, params.get("reply_parameters")),
        )

    def _replied(self, chat: Chat, reply: dict[str, Any] | None) -> int | None:
        """The message a reply answers; Telegram refuses a missing one unless told to send without the reply."""
        if not reply:
            return None
        message_id = reply["message_id"]
        sent_by_bot = any(m.message_id == message_id and not m.deleted for m in self.messages[chat.id])
        if sent_by_bot or message_id in self.incoming[chat.id]:
            return int(message_id)
        if reply.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")

    def _send_media(self, method: str, kind: str, params: dict[str, Any], media: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_sending(params["chat_id"])
        caption = params.get("caption")
        plain = None if caption is None else self._render(caption, params.get("parse_mode"), CAPTION_LIMIT, "caption")
        self._check_markup(params.get("reply_markup"), chat)
        return self._store(
            chat,
            method,
            caption=plain,
            html=caption,
            reply_markup=params.get("reply_markup"),
            media=media,
            reply_to=self._replied(chat, params.get("reply_parameters")),
        )

    def _file_ref(self, value: Any, kind: str) -> str:
        return self._file(kind) if isinstance(value, dict) else str(value)

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = self._file_ref(params["photo"], "photo")
        sizes = [{"file_id": file_id, "file_unique_id": file_id, "width": 1280, "height": 960}]
        return self._send_media("sendPhoto", "photo", params, {"photo": sizes})

    def _m_sendVideo(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = self._file_ref(params["video"], "video")
        video = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "width": 640,
            "height": 480,
            "duration": 5,
        }
        return self._send_media("sendVideo", "video", params, {"video": video})

    def _m_sendVoice(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = self._file_ref(params["voice"], "voice")
        return self._send_media(
            "sendVoice",
            "voice",
            params,
            {"voice": {"file_id": file_id, "file_unique_id": file_id, "duration": 3}},
        )

    def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        upload = params["document"]
        file_id = self._file_ref(upload, "document")
        document: dict[str, Any] = {"file_id": file_id, "file_unique_id": file_id}
        if isinstance(upload, dict):
            self.files[file_id] = upload["content"]
            document |= {"file_name": upload["upload"], "file_size": len(upload["content"])}
        return self._send_media("sendDocument", "document", params, {"document": document})

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            raise bad_request("invalid file_id")
        size = len(self.files[file_id])
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": size, "file_path": f"documents/{file_id}"}

    def _m_sendLocation(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_sending(params["chat_id"])
        self._check_markup(params.get("reply_markup"), chat)
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        return self._store(
            chat,
            "sendLocation",
            reply_markup=params.get("reply_markup"),
            media={"location": location},
        )

    def _editable(self, params: dict[str, Any]) -> tuple[Chat, SentMessage]:
        if "inline_message_id" in params:
            raise bad_request("the fake does not support inline messages")
        chat_id = params.get("chat_id")
        if chat_id is None or "message_id" not in params:
            raise bad_request("chat_id and message_id are required")
        chat = self._chat_for_sending(chat_id)
        sent = self.find_message(chat.id, int(params["message_id"]))
        if sent is None or sent.deleted:
            raise bad_request("message to edit not found")
        return chat, sent

    def _finish_edit(self, chat: Chat, sent: SentMessage, changed: bool) -> dict[str, Any]:
        if not changed:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        self._rate_limit(chat)
        sent.edits += 1
        sent.edited_at.append(self.clock())
        for listener in self.message_listeners:
            listener(sent)
        return self._message_json(sent, chat)

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, sent = self._editable(params)
        if sent.text is None:
            raise bad_request("there is no text in the message to edit")
        plain = self._render(params["text"], params.get("parse_mode"), TEXT_LIMIT, "text")
        markup = params.get("reply_markup")
        self._check_markup(markup, chat)
        changed = params["text"] != sent.html or markup != sent.reply_markup
        sent.text, sent.html, sent.reply_markup = plain, params["text"], markup
        return self._finish_edit(chat, sent, changed)

    def _m_editMessageCaption(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, sent = self._editable(params)
        caption = params.get("caption")
        plain = None if caption is None else self._render(caption, params.get("parse_mode"), CAPTION_LIMIT, "caption")
        markup = params.get("reply_markup")
        self._check_markup(markup, chat)
        changed = caption != sent.html or markup != sent.reply_markup
        sent.caption, sent.html, sent.reply_markup = plain, caption, markup
        return self._finish_edit(chat, sent, changed)

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, sent = self._editable(params)
        markup = params.get("reply_markup")
        self._check_markup(markup, chat)
        changed = markup != sent.reply_markup
        sent.reply_markup = markup
        return self._finish_edit(chat, sent, changed)

    def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat = self._chat_for_sending(params["chat_id"])
        sent = self.find_message(chat.id, int(params["message_id"]))
        if sent is None or sent.deleted:
            raise bad_request("message to delete not found")
        sent.deleted = True
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = params["callback_query_id"]
        if query_id not in self.open_callbacks:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if utf16_length(params.get("text", "")) > CALLBACK_ANSWER_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        self.open_callbacks.discard(query_id)
        self.callback_answers[query_id] = params
        return True
