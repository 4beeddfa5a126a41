"""Webhook update claims in the database (no Redis): one claimer at a time, a claim whose holder stopped renewing
it taken over, a handled update answered without handling, a failed one free again, a day's memory."""

from gridguard.db.database import Database
from gridguard.db.tables import ClaimedUpdate
from gridguard.db.update_claims import CLAIM_SECONDS, Claim, DatabaseClaims
from tests.fakes.clock import FakeClock


async def test_one_instance_claims_an_update_and_another_finds_it_busy_until_it_is_handled(
    db: Database, clock: FakeClock
) -> None:
    a, b = DatabaseClaims(db, clock), DatabaseClaims(db, clock)
    assert await a.claim(7) == Claim.TAKEN
    assert await b.claim(7) == Claim.BUSY
    await a.finish(7)
    assert await b.claim(7) == Claim.HANDLED
    assert await a.claim(7) == Claim.HANDLED


async def test_a_claim_renewed_holds_and_one_left_to_lapse_is_taken_over(db: Database, clock: FakeClock) -> None:
    a, b = DatabaseClaims(db, clock), DatabaseClaims(db, clock)
    assert await a.claim(8) == Claim.TAKEN
    for _ in range(6):
        clock.advance(seconds=CLAIM_SECONDS / 3)
        await a.renew(8)
        assert await b.claim(8) == Claim.BUSY, "renewed, the claim outlives any handler"
    clock.advance(seconds=CLAIM_SECONDS + 1)
    assert await b.claim(8) == Claim.TAKEN, "its holder died: the next post is handled"


async def test_a_claim_given_back_after_a_failure_is_taken_again(db: Database, clock: FakeClock) -> None:
    a = DatabaseClaims(db, clock)
    assert await a.claim(9) == Claim.TAKEN
    await a.release(9)
    assert await a.claim(9) == Claim.TAKEN


async def test_handled_updates_are_forgotten_after_a_day(db: Database, clock: FakeClock) -> None:
    claims = DatabaseClaims(db, clock)
    assert await claims.claim(10) == Claim.TAKEN
    await claims.finish(10)
    clock.advance(days=1, minutes=11)
    assert await claims.claim(11) == Claim.TAKEN
    await claims.finish(11)
    async with db.reading() as session:
        assert await session.get(ClaimedUpdate, 10) is None
        assert await session.get(ClaimedUpdate, 11) is not None
