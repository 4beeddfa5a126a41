"""The fake Bot API's webhook delivery: once setWebhook names a URL, updates are POSTed there as Telegram does.

Up to `max_connections` posts at once, one at a time per user (a user's updates arrive in order); the secret token
in X-Telegram-Bot-Api-Secret-Token; an answer other than 2xx, a refused connection or a timeout leaves the update
pending, posted again after `retry_delay` (Telegram keeps trying for a day). A method in the answer's body (aiogram
may reply that way) is executed as if called.
"""

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

Dispatch = Callable[[str, dict[str, Any]], Awaitable[Any]]


@dataclass
class Post:
    update_id: int
    status: int | None
    """The HTTP status, or None when no answer came (connection refused, reset, timed out)."""
    at: float


@dataclass
class WebhookDelivery:
    url: str
    secret_token: str | None
    max_connections: int
    dispatch: Dispatch
    retry_delay: float = 0.2
    timeout: float = 30.0
    pending: deque[dict[str, Any]] = field(default_factory=deque)
    posts: list[Post] = field(default_factory=list)
    last_error: tuple[int, str] | None = None
    _in_flight: dict[int, int] = field(default_factory=dict)
    """update id -> the user it is from, for the updates being posted."""
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _session: aiohttp.ClientSession | None = None
    _sends: set[asyncio.Task[None]] = field(default_factory=set)

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        self._task = asyncio.create_task(self._deliver())

    async def stop(self) -> None:
        for task in [*self._sends, *([self._task] if self._task else [])]:
            task.cancel()
        for task in [*self._sends, *([self._task] if self._task else [])]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()

    def push(self, update: dict[str, Any]) -> None:
        self.pending.append(update)
        self._wake.set()

    @property
    def pending_count(self) -> int:
        return len(self.pending) + len(self._in_flight)

    async def _deliver(self) -> None:
        while True:
            update = self._next_postable()
            if update is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            send = asyncio.create_task(self._post(update))
            self._sends.add(send)
            send.add_done_callback(self._sends.discard)

    def _next_postable(self) -> dict[str, Any] | None:
        if len(self._in_flight) >= self.max_connections:
            return None
        busy = set(self._in_flight.values())
        for position, update in enumerate(self.pending):
            user = _user_of(update)
            if user not in busy:
                del self.pending[position]
                self._in_flight[update["update_id"]] = user
                return update
        return None

    async def _post(self, update: dict[str, Any]) -> None:
        assert self._session is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret_token} if self.secret_token else {}
        status: int | None = None
        try:
            async with self._session.post(self.url, json=update, headers=headers) as response:
                status = response.status
                if 200 <= status < 300:
                    await self._run_reply(response)
                else:
                    self.last_error = (int(time.time()), f"Wrong response from the webhook: {status} {response.reason}")
        except (aiohttp.ClientError, TimeoutError) as error:
            self.last_error = (int(time.time()), f"Connection failed: {type(error).__name__}")
        self.posts.append(Post(update["update_id"], status, time.monotonic()))
        if status is None or not 200 <= status < 300:
            await asyncio.sleep(self.retry_delay)
            self.pending.appendleft(update)
        del self._in_flight[update["update_id"]]
        self._wake.set()

    async def _run_reply(self, response: aiohttp.ClientResponse) -> None:
        """Execute a method the bot put in its answer (JSON or form data)."""
        if response.content_type == "application/json":
            body = await response.json()
            params: dict[str, Any] = body if isinstance(body, dict) else {}
        elif response.content_type.startswith("multipart/"):
            params = {}
            reader = aiohttp.MultipartReader.from_response(response)
            async for part in reader:
                if isinstance(part, aiohttp.BodyPartReader) and part.name:
                    params[part.name] = await part.text()
        else:
            return
        method = params.pop("method", None)
        if method:
            await self.dispatch(str(method), params)


def _user_of(update: dict[str, Any]) -> int:
    for value in update.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return int(value["from"]["id"])
    return -update["update_id"]
