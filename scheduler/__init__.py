"""APScheduler 3 wiring: it only decides when to look; the database holds what is due (services/)."""
