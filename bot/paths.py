"""Where the project and its reference data live (../shared/data beside the project)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
QUANZHOU_DIVISIONS_CSV = SHARED_DATA / "quanzhou" / "quanzhou_divisions.csv"
TELEGRAM_API_SPEC = SHARED_DATA / "telegram-bot-api" / "api.json"
ESCALATION_POLICY = PROJECT_ROOT / "config" / "escalation.toml"
