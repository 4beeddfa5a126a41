"""The periodic work: one leader at a time, and an APScheduler job that never silently skips a late tick."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.interval import IntervalTrigger

from bot.paths import ESCALATION_POLICY
from gridguard.db.database import Database
from gridguard.db.leader import try_lead
from gridguard.db.tables import SchedulerLease
from gridguard.reports.policy import load_policy
from scheduler.sweeps import Sweeper, build_scheduler
from tests.fakes.clock import FakeClock


async def test_one_process_leads_until_its_lease_runs_out(db: Database, clock: FakeClock) -> None:
    ttl = timedelta(seconds=30)
    async with db.transaction() as session:
        assert await try_lead(session, "sweeps", "a", clock.now(), ttl)
    async with db.transaction() as session:
        assert not await try_lead(session, "sweeps", "b", clock.now(), ttl)
        assert await try_lead(session, "sweeps", "a", clock.now(), ttl)
    clock.advance(seconds=31)
    async with db.transaction() as session:
        assert await try_lead(session, "sweeps", "b", clock.now(), ttl)


async def test_a_second_process_does_not_take_over_a_live_leader(db: Database, clock: FakeClock) -> None:
    policy = load_policy(ESCALATION_POLICY)
    zone = ZoneInfo("Asia/Shanghai")
    await Sweeper(db, policy, clock, zone, "zh", "leader").tick()
    await Sweeper(db, policy, clock, zone, "zh", "follower").tick()
    async with db.reading() as session:
        lease = await session.get(SchedulerLease, "sweeps")
    assert lease is not None and lease.holder == "leader"


async def test_when_the_leader_dies_another_process_leads_within_one_lease_period(
    db: Database, clock: FakeClock
) -> None:
    policy, zone = load_policy(ESCALATION_POLICY), ZoneInfo("Asia/Shanghai")
    leader = Sweeper(db, policy, clock, zone, "zh", "leader", lease_seconds=30, tick_seconds=5)
    follower = Sweeper(db, policy, clock, zone, "zh", "follower", lease_seconds=30, tick_seconds=5)
    await leader.tick()
    clock.advance(seconds=4.9)
    await follower.tick()
    await leader.tick()
    assert leader.leads and not follower.leads, "the leader renewed its lease"
    died_at = clock.now()
    while not follower.leads:
        clock.advance(seconds=5)
        await follower.tick()
    assert clock.now() - died_at <= timedelta(seconds=30), "the follower ticks every 5 s; the lease lasts 25 s"


def test_the_scheduler_ticks_every_few_seconds_in_the_configured_zone_and_tolerates_lateness(
    db: Database, clock: FakeClock
) -> None:
    sweeper = Sweeper(db, load_policy(ESCALATION_POLICY), clock, ZoneInfo("Asia/Shanghai"), "zh", "x")
    job = build_scheduler(sweeper, every_seconds=5).get_job("sweeps")
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(seconds=5)
    assert str(job.trigger.timezone) == "Asia/Shanghai"
    assert job.misfire_grace_time == 60 and job.max_instances == 1 and job.coalesce


def test_the_policy_file_carries_the_issue_s_defaults() -> None:
    policy = load_policy(ESCALATION_POLICY)
    assert policy.severities["critical"].start == (0, 1, 2) and policy.timeline("critical") == [(3, 600)]
    assert policy.timeline("major") == [(1, 300), (2, 900), (3, 1800)]
    assert policy.timeline("elevated") == [(1, 900), (2, 1800), (3, 3600)]
    assert policy.timeline("low") == [(1, 3600), (2, 14400)]
    assert (policy.renotify_every_seconds, policy.renotify_times) == (600, 3)


def test_every_capability_registers_its_sweeps_and_the_sweeper_runs_that_list() -> None:
    from gridguard.sweeps import CLOCK_SWEEPS_EVERY, registered_sweeps

    sweeps = {sweep.name: sweep for sweep in registered_sweeps()}
    assert {"escalate", "backup", "renotify", "close_unconfirmed", "drafts", "duty", "reminders", "callouts"} <= set(
        sweeps
    )
    assert sweeps["escalate"].every == timedelta(0) and sweeps["duty"].every == CLOCK_SWEEPS_EVERY


def test_every_capability_registers_its_edge_once_and_no_two_share_a_verb_or_a_command() -> None:
    from gridguard.telegram.menu import menu_commands
    from gridguard.telegram.registry import edges, packers

    names = menu_commands()
    assert len(names) == len(set(names)) and names[0] == "report"
    assert {"alert", "duty", "records", "invite", "outbox", "plan"} <= set(names)
    assert len(edges()) == 7 and "pt_done" in packers() and "swap_decline" in packers() and "co_go" in packers()
