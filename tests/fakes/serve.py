"""Run the fake Bot API server on its own (in another process, for benchmarks).

python -m tests.fakes.serve --users 300 [--overall 300 | --no-limits]
Prints `ready <base url>` once listening; stops on SIGTERM/SIGINT.
"""

import argparse
import asyncio
import signal

from tests.fakes.telegram_server import FakeTelegram, Limits


async def serve(users: int, limits: Limits) -> None:
    server = FakeTelegram(limits=limits)
    for user_id in range(1, users + 1):
        server.add_private_chat(user_id, f"user{user_id}").started = True
    print(f"ready {await server.start()}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    print(f"stored {sum(len(m) for m in server.messages.values())} flood {len(server.flood_log)}", flush=True)
    await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--overall", type=float, default=30.0, help="overall messages per second")
    parser.add_argument("--no-limits", action="store_true")
    args = parser.parse_args()
    limits = Limits(enabled=not args.no_limits, overall_per_second=args.overall, private_burst=10)
    asyncio.run(serve(args.users, limits))


if __name__ == "__main__":
    main()
