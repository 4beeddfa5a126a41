"""Hazard reports: /report, the cards and their buttons, /reports, /linkgroup and /policy."""
