"""How long `python -m bot` takes to be ready to poll, against the fake Bot API in its own process: the wall time to
the "ready" log line, the bot process's CPU by then (from /proc), and the CPU of importing `bot.app` alone in a
fresh process, so the CPU after the imports is the difference. Three starts on an empty database (migrations from
scratch) and three restarts on the migrated one.

uv run python -m bench.bot_start
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 3
TOKEN = "123456:TEST-token"
TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system seconds of a running process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def import_cpu() -> float:
    done = subprocess.run(
        [sys.executable, "-c", "import time; t = time.process_time(); import bot.app; print(time.process_time() - t)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(done.stdout)


def start_once(environment: dict[str, str]) -> tuple[float, float]:
    """Wall seconds to the ready line, and the bot's CPU seconds by then."""
    started = time.perf_counter()
    bot = subprocess.Popen([sys.executable, "-m", "bot"], env=environment, stderr=subprocess.PIPE, text=True)
    assert bot.stderr is not None
    try:
        for line in bot.stderr:
            if "ready" in line and "after the start" in line:
                return time.perf_counter() - started, process_cpu(bot.pid)
        raise SystemExit(f"the bot stopped before it was ready (exit {bot.wait()})")
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=30)


def main() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.serve", "--users", "0", "--no-limits"], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    base = server.stdout.readline().split()[1]
    try:
        imports = sorted(import_cpu() for _ in range(REPEATS))
        print(f"import bot.app: cpu {imports[0]:.2f}-{imports[-1]:.2f} s")
        with tempfile.TemporaryDirectory() as scratch:
            environment = os.environ | {"BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": base, "LOG_LEVEL": "INFO"}
            for label, fresh in (("empty database", True), ("migrated database", False)):
                runs = []
                for n in range(REPEATS):
                    database = Path(scratch) / (f"fresh-{n}.db" if fresh else "kept.db")
                    runs.append(start_once(environment | {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}))
                walls, cpus = sorted(w for w, _ in runs), sorted(c for _, c in runs)
                after = [c - imports[len(imports) // 2] for c in cpus]
                print(
                    f"{label:17}: ready after {walls[0]:.2f}-{walls[-1]:.2f} s wall, "
                    f"cpu {cpus[0]:.2f}-{cpus[-1]:.2f} s in all, {after[0]:.2f}-{after[-1]:.2f} s after the imports"
                )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
