"""Run the fake Bot API server on its own (in another process, for benchmarks).

python -m tests.fakes.serve --users 300 [--overall 300 | --no-limits] [--control]
Prints `ready <base url>` once listening; stops on SIGTERM/SIGINT. With --control, a benchmark drives it over
HTTP (tests/fakes/control.py).
"""

import argparse
import asyncio
import signal

from tests.fakes.control import ControlPanel
from tests.fakes.telegram_server import FakeTelegram, Limits


async def serve(users: int, limits: Limits, control: bool) -> None:
    server = FakeTelegram(limits=limits)
    for user_id in range(1, users + 1):
        server.add_private_chat(user_id, f"user{user_id}").started = True
    routes = ControlPanel(server).routes if control else None
    print(f"ready {await server.start(routes)}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    stored = sum(len(m) for m in server.messages.values())
    print(f"stored {stored} flood {len(server.flood_log)} paid {server.paid_sent}", flush=True)
    await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--overall", type=float, default=30.0, help="overall messages per second")
    parser.add_argument("--paid", type=float, default=1000.0, help="overall messages per second, paid broadcast")
    parser.add_argument("--no-limits", action="store_true")
    parser.add_argument("--control", action="store_true", help="accept updates and report messages over HTTP")
    args = parser.parse_args()
    limits = Limits(
        enabled=not args.no_limits, overall_per_second=args.overall, private_burst=10, paid_per_second=args.paid
    )
    asyncio.run(serve(args.users, limits, args.control))


if __name__ == "__main__":
    main()
