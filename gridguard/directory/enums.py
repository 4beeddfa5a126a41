"""The capability's enumerations: its states and kinds."""

from enum import StrEnum

from i18n import Keys


class UnitLevel(StrEnum):
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    GRID = "grid"


class Role(StrEnum):
    GRID_WORKER = "grid_worker"
    VOLUNTEER = "volunteer"
    RESCUE_TEAM = "rescue_team"
    """A member of the township's composite rescue team (综合应急救援队伍): answers call-outs for all its villages."""
    VILLAGE_OFFICER = "village_officer"
    STATION_DUTY = "station_duty"
    STATION_HEAD = "station_head"
    COUNTY_OFFICER = "county_officer"
    ADMIN = "admin"


ROLE_NAMES = Keys("role.{}", Role)
ROLE_DUTIES = Keys("duty.{}", Role)
"""What a member with the role does, one line each on /me."""
