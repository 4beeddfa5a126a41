"""How long the command line takes to start: each command that never talks to Telegram, run as a newcomer runs it
(a fresh `python -m bot` process), against `python -c pass` measured in the same run. Wall time and CPU (the
child's user + system), best and worst of three, on a scratch SQLite database with one township's villages.

uv run python -m bench.cli_start
"""

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.paths import QUANZHOU_DIVISIONS_CSV

REPEATS = 3
TOWNSHIP = "350524101"
"""One township's villages: enough for a real import, small enough that the import's own work stays small."""
HOLIDAYS = '{"year": 2027, "papers": [], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}'


def run_once(arguments: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *arguments], env=environment, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(arguments)} failed: {done.stderr.strip()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def commands(folder: Path) -> list[tuple[str, list[str]]]:
    """Each command with its arguments (`{n}`: the repetition, where a command may not do the same twice)."""
    division_file = folder / "township.csv"
    lines = QUANZHOU_DIVISIONS_CSV.read_text(encoding="utf-8").splitlines()
    division_file.write_text("\n".join([lines[0], *(line for line in lines if f",{TOWNSHIP}," in line)]) + "\n")
    holiday_file = folder / "2027.json"
    holiday_file.write_text(HOLIDAYS, encoding="utf-8")
    village = next(line.split(",")[4] for line in lines if f",{TOWNSHIP}," in line)
    bot = ["-m", "bot"]
    return [
        ("--help", [*bot, "--help"]),
        ("migrate", [*bot, "migrate"]),
        ("import-units", [*bot, "import-units", str(division_file)]),
        ("add-grid", [*bot, "add-grid", "--village", village, "--name", "网格 {n}"]),
        ("holidays", [*bot, "holidays", str(holiday_file)]),
        ("export alerts", [*bot, "export", "alerts", "--since", "2026-11-01", "--out", str(folder / "a.csv")]),
        (
            "export compliance",
            [
                *bot,
                "export",
                "compliance",
                "--county",
                TOWNSHIP[:6],
                "--quarter",
                "2026Q4",
                "--out",
                str(folder / "c.xlsx"),
            ],
        ),
        ("backup", [*bot, "backup", str(folder / "backup-{n}.db")]),
        ("copy-database", [*bot, "copy-database", "--to", f"sqlite+aiosqlite:///{folder / 'copy-{n}.db'}"]),
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        environment = os.environ | {"DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'cli.db'}", "BOT_TOKEN": ""}
        baseline = [run_once(["-c", "pass"], environment) for _ in range(REPEATS)]
        pass_wall = min(w for w, _ in baseline)
        print(f"python -c pass: wall {pass_wall * 1000:.0f}-{max(w for w, _ in baseline) * 1000:.0f} ms")
        for name, arguments in commands(folder):
            runs = [run_once([a.format(n=n) for a in arguments], environment) for n in range(REPEATS)]
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            print(
                f"{name:17} wall {min(walls):.2f}-{max(walls):.2f} s, cpu {min(cpus):.2f}-{max(cpus):.2f} s, "
                f"{min(walls) / pass_wall:.0f}x python -c pass"
            )


if __name__ == "__main__":
    main()
