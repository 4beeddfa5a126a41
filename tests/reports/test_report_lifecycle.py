"""The report's one state machine: the card's buttons, the handlers' routing and the services' checks all come
from `gridguard/reports/report_lifecycle.TRANSITIONS`, so they cannot disagree."""

import pytest

from gridguard.delivery.outbox import Button
from gridguard.directory.permissions import ReportActor
from gridguard.reports.enums import ReportEventKind, ReportStatus, Severity
from gridguard.reports.report_cards import BUTTON_NAMES, CardButton, card_keyboard, reporter_keyboard
from gridguard.reports.report_lifecycle import OPEN_STATUSES, PRESSABLE, TRANSITIONS, ReportVerb, verbs_for
from gridguard.telegram.callbacks import button_data
from gridguard.telegram.reports.callbacks import ReportAction
from gridguard.telegram.reports.report_actions import ASKING
from i18n import LANGUAGES, Localizer

S, V = ReportStatus, ReportVerb


@pytest.mark.parametrize(
    ("status", "officer", "reporter"),
    [
        (S.NEW, [V.ACKNOWLEDGE, V.ASSIGN, V.RESOLVE, V.MARK_DUPLICATE, V.REJECT], []),
        (S.ACKNOWLEDGED, [V.ASSIGN, V.RESOLVE, V.MARK_DUPLICATE, V.REJECT], []),
        (S.IN_PROGRESS, [V.ASSIGN, V.RESOLVE, V.REJECT], []),
        (S.RESOLVED, [], [V.CONFIRM_FIXED, V.REOPEN]),
        (S.CLOSED, [], []),
        (S.REJECTED, [], []),
        (S.DUPLICATE, [], []),
    ],
)
def test_who_may_do_what_in_each_state(
    status: ReportStatus, officer: list[ReportVerb], reporter: list[ReportVerb]
) -> None:
    assert verbs_for(status, ReportActor.OFFICER) == officer
    assert verbs_for(status, ReportActor.REPORTER) == reporter


@pytest.mark.parametrize("status", list(ReportStatus))
def test_the_card_shows_exactly_the_officers_verbs_then_details(status: ReportStatus) -> None:
    buttons = [b for row in card_keyboard(Localizer("zh"), 7, status, Severity.MAJOR) for b in row]
    assert [b.verb for b in buttons] == [*verbs_for(status, ReportActor.OFFICER), CardButton.DETAILS]
    assert all(b.subject == 7 for b in buttons)
    reporter = [b.verb for row in reporter_keyboard(Localizer("zh"), 7, status) for b in row]
    assert reporter == verbs_for(status, ReportActor.REPORTER)


@pytest.mark.parametrize("status", list(ReportStatus))
def test_a_critical_open_card_offers_a_call_out_and_a_plan_before_details_to_those_who_may(
    status: ReportStatus,
) -> None:
    def verbs(calls_out: bool) -> list[str]:
        rows = card_keyboard(Localizer("zh"), 7, status, Severity.CRITICAL, calls_out=calls_out)
        return [b.verb for row in rows for b in row]

    call_out = [CardButton.CALL_OUT, CardButton.START_PLAN] if status in OPEN_STATUSES else []
    assert verbs(True) == [*verbs_for(status, ReportActor.OFFICER), *call_out, CardButton.DETAILS]
    assert verbs(False) == [*verbs_for(status, ReportActor.OFFICER), CardButton.DETAILS]


def test_every_button_a_card_may_have_packs_and_unpacks_to_its_verb() -> None:
    assert ReportVerb.AUTO_CLOSE not in PRESSABLE
    for verb in (*PRESSABLE, *CardButton):
        assert ReportAction.unpack(button_data(Button("x", verb, 7))) == ReportAction(action=verb, report_id=7)


def test_every_verb_that_needs_words_has_a_step_that_asks_for_them() -> None:
    assert {v for v, t in TRANSITIONS.items() if t.asks_for is not None} == set(ASKING)


def test_the_system_closes_and_nobody_presses_it() -> None:
    close = TRANSITIONS[V.AUTO_CLOSE]
    assert (close.allowed_from, close.to, close.by) == (frozenset({S.RESOLVED}), S.CLOSED, ReportActor.SYSTEM)
    assert all(
        V.AUTO_CLOSE not in verbs_for(status, actor)
        for status in S
        for actor in ReportActor
        if actor != ReportActor.SYSTEM
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_state_event_and_button_has_words(language: str) -> None:
    i18n = Localizer(language)
    assert all(i18n.has(f"report.state.{s}") and i18n.has(f"report.status.{s}") for s in ReportStatus)
    assert all(i18n.has(f"report.event.{kind}") for kind in ReportEventKind)
    assert all(i18n.has(f"report.button.{v}") for v, t in TRANSITIONS.items() if t.by != ReportActor.SYSTEM)
    assert i18n.has(BUTTON_NAMES(CardButton.DETAILS))
    assert all(i18n.has(f"report.tell.{t.to}") for t in TRANSITIONS.values() if t.to != S.NEW)
