"""The capability's enumerations: plan hazards, response levels, and the states of a response and its tasks."""

from enum import StrEnum

from i18n import Keys


class PlanHazard(StrEnum):
    """What a contingency plan (应急预案) is for: one plan per hazard and township."""

    FLOOD_TYPHOON = "flood_typhoon"
    GEOLOGICAL = "geological"
    FOREST_FIRE = "forest_fire"
    WORK_SAFETY = "work_safety"
    OTHER = "other"


class ResponseLevel(StrEnum):
    """A response's grade, Ⅳ (一般) the lowest to Ⅰ (特别严重) the highest."""

    IV = "IV"
    III = "III"
    II = "II"
    I = "I"  # noqa: E741 (the grade's own name)


NUMERALS = {ResponseLevel.IV: "Ⅳ", ResponseLevel.III: "Ⅲ", ResponseLevel.II: "Ⅱ", ResponseLevel.I: "Ⅰ"}
"""A level as the numeral every language reads alike (the duty board's overlay line)."""
LEVEL_RANK = {level: rank for rank, level in enumerate(ResponseLevel, start=1)}
"""How grave a level is: Ⅳ 1 … Ⅰ 4."""
CONFIRMED_LEVELS = frozenset({ResponseLevel.II, ResponseLevel.I})
"""Levels a station head (or the county) must confirm before they start: nothing this grave starts silently."""


class ResponseStatus(StrEnum):
    PROPOSED = "proposed"
    """Asked for at Ⅱ or Ⅰ by a duty member; waits for a head's confirmation."""
    ACTIVE = "active"
    ENDED = "ended"
    DECLINED = "declined"
    """A head said no to the proposal."""


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANT = "cant"
    WITHDRAWN = "withdrawn"
    """The level went down past it, or the response ended, before it was done."""


class LogKind(StrEnum):
    """What a situation log (值班日志) entry records."""

    PROPOSED = "proposed"
    """Ⅱ/Ⅰ asked for by a duty member; its id is what the heads' 同意 / 不同意 buttons carry."""
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    STARTED = "started"
    LEVEL = "level"
    TASK_DONE = "task_done"
    TASK_CANT = "task_cant"
    TASK_OVERDUE = "task_overdue"
    NOTE = "note"
    REPORT_DUE = "report_due"
    ENDED = "ended"


HAZARD_NAMES = Keys("plan.hazard_{}", PlanHazard)
LEVEL_NAMES = Keys("plan.level_{}", ResponseLevel)
STATUS_NAMES = Keys("plan.status_{}", ResponseStatus)
TASK_STATUS_NAMES = Keys("plan.task_{}", TaskStatus)
LOG_NAMES = Keys("plan.log_{}", LogKind)
