"""The typed draft: what a report being filled in holds, stored as JSON and read back as it was."""

import pytest

from gridguard.kernel.errors import DomainError
from gridguard.reports.enums import Category, Severity
from gridguard.reports.report_drafts import MAX_MEDIA, Draft, add_description, add_media, to_filing


def test_a_draft_reads_back_as_it_was_stored() -> None:
    draft = Draft(Category.GAS, Severity.MAJOR, 12, 25.05, 118.18, "闻到煤气味", "voice-1", [("photo", "p1")], 7)
    assert Draft.from_json(draft.as_json()) == draft
    assert Draft.from_json(Draft().as_json()) == Draft()


def test_a_draft_stored_by_an_older_version_reads_without_its_ui_flag() -> None:
    stored = {"category": "fire", "severity": "low", "unit_id": 3, "media": [["video", "v1"]], "editing": True}
    draft = Draft.from_json(stored)
    assert (draft.category, draft.severity, draft.unit_id, draft.media) == (
        Category.FIRE,
        Severity.LOW,
        3,
        [("video", "v1")],
    )


def test_a_draft_files_only_when_complete_and_keeps_its_limits() -> None:
    draft = Draft(Category.FIRE, Severity.CRITICAL)
    with pytest.raises(DomainError, match="report.missing_unit_id"):
        to_filing(draft)
    draft.unit_id = 5
    with pytest.raises(DomainError, match="report.need_evidence"):
        to_filing(draft)
    for n in range(MAX_MEDIA):
        add_media(draft, "photo", f"p{n}")
    with pytest.raises(DomainError, match="report.too_many_media"):
        add_media(draft, "photo", "one too many")
    add_description(draft, "  电线冒烟 ")
    filing = to_filing(draft)
    assert (filing.unit_id, len(filing.media), filing.description) == (5, MAX_MEDIA, "电线冒烟")
