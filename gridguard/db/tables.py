"""The database's own bookkeeping: the lease and marks that let one process at a time run the sweeps, and the
webhook updates claimed so one posted several times is handled once."""

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from gridguard.db.types import UTCDateTime


class SchedulerLease(SQLModel, table=True):
    """Who leads the periodic jobs: one holder at a time, renewed while alive."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=100)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class SweepMark(SQLModel, table=True):
    """How far a sweep that works from the clock has looked (the duty roster's, the reminders'): what falls due
    after `swept_until` is still to be queued."""

    __tablename__ = "sweep_mark"

    name: str = Field(primary_key=True, max_length=32)
    swept_until: datetime = Field(sa_type=UTCDateTime)


class ClaimedUpdate(SQLModel, table=True):
    """An update being handled (until `claimed_until`, renewed while it is) or handled (`done`)."""

    __tablename__ = "claimed_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    done: bool = False
    claimed_until: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
