"""One module per command of `python -m bot`, imported only when that command runs: a command that never talks to
Telegram imports no aiogram (which takes seconds to import), and `--help` imports none of them."""

NO_TOKEN_MESSAGE = (
    "BOT_TOKEN is not set. In Telegram, open @BotFather, send /newbot and follow the prompts; "
    "put the token it gives you in .env as BOT_TOKEN=123456789:ABC... (see .env.example), then run "
    "`uv run python -m bot` again. To try GridGuard without a token: `uv run python -m bot sandbox`. "
    "/ 未设置 BOT_TOKEN：在 Telegram 中找 @BotFather 发送 /newbot 获取令牌，写入 .env；"
    "没有令牌也可以先运行 `uv run python -m bot sandbox` 体验。"
)
