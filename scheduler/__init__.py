"""APScheduler 3 wiring: jobs are thin calls into services/ (arrives with the outbox and escalation)."""
