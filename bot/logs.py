"""Logging: readable lines by default, one JSON object a line with LOG_FORMAT=json.

A JSON line inside an update names the update, its sender and the handler that took it; a line inside a send (or
about a row, `extra=row_fields(...)`) names the outbox row and its dedupe key (gridguard/kernel/log_context.py).
"""

import json
import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.settings import Settings
from gridguard.kernel.log_context import current_row, current_update

ROW_FIELDS = ("row_id", "dedupe_key")


class ZonedFormatter(logging.Formatter):
    """Log times in the deployment's zone with its offset, as the bot shows times to people."""

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, self.zone).isoformat(timespec="milliseconds")


class JsonFormatter(ZonedFormatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        update = current_update.get()
        if update is not None:
            line |= {"update_id": update.update_id, "user_id": update.user_id, "update_type": update.kind,
                     "handler": update.handler}  # fmt: skip
        row = current_row.get()
        if row is not None:
            line |= {"row_id": row.row_id, "dedupe_key": row.dedupe_key}
        line |= {name: getattr(record, name) for name in ROW_FIELDS if hasattr(record, name)}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    zone = settings.zone
    handler.setFormatter(JsonFormatter(zone) if settings.log_format == "json" else ZonedFormatter(zone))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    quiet_below_warning = max(logging.WARNING, logging.getLogger().level)
    logging.getLogger("alembic").setLevel(quiet_below_warning)
    logging.getLogger("aiogram.event").setLevel(quiet_below_warning)
    debug = settings.log_level == "DEBUG"
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if debug else quiet_below_warning)
