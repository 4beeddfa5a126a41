"""aiogram's HTTP session, sending a Bot API call as one JSON body instead of multipart form data.

aiogram encodes every call as multipart form data (a random boundary, each field a part, nested values dumped to
JSON strings) and reads the answer with `json.loads` and then the model. A call without a file needs none of the
multipart work: the Bot API takes JSON, as the outbox's sender already sends it (bot/telegram_sender.py). The
answer is read straight from its text by pydantic. An upload still goes as form data; an error answer is read by
aiogram's own check, so the same exceptions come out.
"""

from http import HTTPStatus
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import ClientDecodeError
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout
from pydantic import ValidationError


class JsonSession(AiohttpSession):
    def json_params(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any] | None:
        """The call's parameters as one JSON object, as aiogram would send them; None when it uploads a file."""
        files: dict[str, Any] = {}
        params = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None and prepared != "":
                params[key] = prepared
        return None if files else params

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        params = self.json_params(bot, method)
        if params is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url, json=params, timeout=ClientTimeout(total=self.timeout if timeout is None else timeout)
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        except ClientError as error:
            raise TelegramNetworkError(method=method, message=f"{type(error).__name__}: {error}") from error
        if HTTPStatus.OK <= resp.status <= HTTPStatus.IM_USED:
            try:
                response = Response[method.__returning__].model_validate_json(  # type: ignore[name-defined]
                    raw_result, context={"bot": bot}
                )
            except ValidationError as error:
                raise ClientDecodeError("Failed to deserialize object", error, raw_result) from error
            if response.ok:
                return cast(TelegramType, response.result)
        return self.check_response(bot=bot, method=method, status_code=resp.status, content=raw_result).result  # type: ignore[return-value]
