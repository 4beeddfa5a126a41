"""What the delivery worker tells a call-out's sender: that paid broadcast was refused and the alert goes on at the
free rate (once per call-out)."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.callouts.tables import Callout
from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, enqueue
from gridguard.directory.tables import Member
from i18n import Localizer

TOPIC_PREFIX = "callout:"


def callout_topic(callout_id: int) -> str:
    """The topic of a call-out's messages (what the outbox tells a paid broadcast's refusal by)."""
    return f"{TOPIC_PREFIX}{callout_id}"


async def tell_paid_refused(session: AsyncSession, topic: str, now: datetime) -> None:
    """A paid broadcast of `topic` was refused for lack of Stars: its sender hears it once."""
    if not topic.startswith(TOPIC_PREFIX) or not topic[len(TOPIC_PREFIX) :].isdigit():
        return
    callout = await session.get(Callout, int(topic[len(TOPIC_PREFIX) :]))
    sender = await session.get(Member, callout.sender_id) if callout else None
    if callout is None or sender is None:
        return
    text = Localizer(sender.language)("callout.paid_refused")
    await enqueue(
        session,
        dedupe_key=f"{topic}:paid-refused",
        chat_id=sender.telegram_id,
        content=Content(text=text),
        now=now,
        priority=Priority.URGENT,
        member_id=sender.id,
    )
