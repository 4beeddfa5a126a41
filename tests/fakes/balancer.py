"""A round-robin reverse proxy in front of several bot instances, as nginx or Caddy would be in production.

A backend that refuses the connection is skipped for the next one (nothing was sent to it); one that fails after
the request went out gets a 502 back to Telegram, which posts the update again later. `backends` may be changed
while running (a test routes one update to a chosen instance).
"""

import argparse
import asyncio
import itertools
import signal

import aiohttp
from aiohttp import web

from tests.fakes.local_http import serve_locally


class Balancer:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.forwarded: dict[str, int] = {}
        """Updates each backend answered with 2xx."""
        self._turn = itertools.count()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._runner, base = await serve_locally(app)
        connector = aiohttp.TCPConnector(limit=200)
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30), connector=connector)
        self.url = f"{base}/telegram/hook"
        return self.url

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith(("x-telegram", "content-type"))}
        first = next(self._turn)
        for step in range(len(self.backends)):
            backend = self.backends[(first + step) % len(self.backends)]
            try:
                async with self._session.post(f"{backend}{request.path}", data=body, headers=headers) as answer:
                    reply = await answer.read()
                    if 200 <= answer.status < 300:
                        self.forwarded[backend] = self.forwarded.get(backend, 0) + 1
                    return web.Response(status=answer.status, body=reply, content_type=answer.content_type)
            except aiohttp.ClientConnectorError:
                continue
            except aiohttp.ClientError:
                return web.Response(status=502, text="the instance failed mid-request")
        return web.Response(status=502, text="no instance is up")


async def serve(backends: list[str]) -> None:
    """Run on its own (benchmarks): prints `ready <url>`, stops on SIGTERM."""
    balancer = Balancer(backends)
    print(f"ready {await balancer.start()}", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await balancer.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="python -m tests.fakes.balancer URL [URL ...]")
    parser.add_argument("backends", nargs="+")
    asyncio.run(serve(parser.parse_args().backends))
