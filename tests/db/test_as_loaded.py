"""An instance built as the ORM builds a loaded one holds what the constructor would (filing saves it: tests/reports)."""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Field, SQLModel

from gridguard.db.as_loaded import as_loaded
from gridguard.reports.enums import Category, ReportStatus, Severity
from gridguard.reports.tables import Report

NOW = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
VALUES: dict[str, Any] = {
    "code": "24011-2607-0001", "township_id": 1, "unit_id": 2, "village_id": 2, "reporter_id": 3,
    "category": Category.FLOOD, "severity": Severity.CRITICAL, "description": "河堤渗水", "status": ReportStatus.NEW,
    "created_at": NOW, "updated_at": NOW,
}  # fmt: skip


class Kit(SQLModel):
    """Not a table: only its default_factory matters here."""

    items: list[str] = Field(default_factory=list)


def test_it_holds_what_the_constructor_would_with_every_default() -> None:
    built = as_loaded(Report, **VALUES)
    assert built.model_dump() == Report(**VALUES).model_dump()
    assert (built.escalation_step, built.version, built.acknowledged_by_id) == (0, 0, None)


def test_a_change_after_building_is_seen_as_on_any_instance() -> None:
    built = as_loaded(Report, **VALUES)
    built.escalation_step = 2
    assert built.model_dump()["escalation_step"] == 2


def test_a_missing_required_field_or_an_unknown_one_is_refused() -> None:
    with pytest.raises(TypeError, match="created_at"):
        as_loaded(Report, **{name: value for name, value in VALUES.items() if name != "created_at"})
    with pytest.raises(TypeError, match="colour"):
        as_loaded(Report, **VALUES, colour="red")


def test_a_default_made_per_instance_is_refused_rather_than_shared() -> None:
    with pytest.raises(TypeError, match="default_factory"):
        as_loaded(Kit)
