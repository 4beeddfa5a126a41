"""Enumerations shared by tables and services."""

from enum import StrEnum


class UnitLevel(StrEnum):
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    GRID = "grid"


class Role(StrEnum):
    GRID_WORKER = "grid_worker"
    VOLUNTEER = "volunteer"
    VILLAGE_OFFICER = "village_officer"
    STATION_DUTY = "station_duty"
    STATION_HEAD = "station_head"
    COUNTY_OFFICER = "county_officer"
    ADMIN = "admin"
