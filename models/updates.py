"""Webhook updates claimed by an instance, so one posted several times (at once, or again after a failure) is
handled once: the database's record where there is no Redis."""

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


class ClaimedUpdate(SQLModel, table=True):
    """An update being handled (until `claimed_until`, renewed while it is) or handled (`done`)."""

    __tablename__ = "claimed_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    done: bool = False
    claimed_until: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
