"""Local HTTP for the fakes, tests and benchmarks: an aiohttp app on a port the system picks, and a free port for
a process started elsewhere (a bot instance told where to listen)."""

import socket

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiohttp import web


async def serve_locally(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve `app` on 127.0.0.1 at a free port; the runner (to clean up) and the base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def close_bot(bot: Bot) -> None:
    """Close a bot's HTTP session at once: aiogram waits 250 ms after closing for TLS connections to wind down,
    which the fake server's plain HTTP does not need (two bots per test made it half a second of every test)."""
    session = bot.session
    if isinstance(session, AiohttpSession) and session._session is not None:
        await session._session.close()
    else:
        await session.close()
