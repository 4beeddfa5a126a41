"""The capability's enumerations: its states and kinds."""

from enum import StrEnum

from i18n import Keys


class CalloutKind(StrEnum):
    """What a call-out (召集) is for."""

    FLOOD_EVACUATION = "flood"
    FIRE = "fire"
    SEARCH_RESCUE = "rescue"
    TYPHOON_PREPARATION = "typhoon"
    GENERAL_HELP = "general"


class CalloutStatus(StrEnum):
    OPEN = "open"
    STOOD_DOWN = "stood_down"


class CalloutAnswer(StrEnum):
    """A recipient's answer to a call-out; ASKED until they press a button."""

    ASKED = "asked"
    ON_MY_WAY = "on_my_way"
    ARRIVED = "arrived"
    CANT = "cant"


KIND_NAMES = Keys("callout.kind_{}", CalloutKind)
ANSWER_NAMES = Keys("callout.answer_{}", CalloutAnswer)
