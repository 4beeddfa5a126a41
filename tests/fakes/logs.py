"""The bot's JSON log lines, caught for a test to read (as LOG_FORMAT=json would print them)."""

import contextlib
import json
import logging
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from bot.logs import JsonFormatter


class JsonLines(logging.Handler):
    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter(zone))
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@contextlib.contextmanager
def json_logs(zone: ZoneInfo) -> Iterator[list[dict[str, Any]]]:
    handler, root = JsonLines(zone), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
