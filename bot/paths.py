"""Where the project and its reference data live (reference/, copied into the project; see its README)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DATA = PROJECT_ROOT / "reference"
QUANZHOU_DIVISIONS_CSV = REFERENCE_DATA / "quanzhou" / "quanzhou_divisions.csv"
TELEGRAM_API_SPEC = REFERENCE_DATA / "telegram-bot-api" / "api.json"
ESCALATION_POLICY = PROJECT_ROOT / "config" / "escalation.toml"
HOLIDAY_FILES = REFERENCE_DATA / "holiday-cn"
