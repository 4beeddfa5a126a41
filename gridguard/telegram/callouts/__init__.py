"""Volunteer call-outs: /alert, /alerts, /available and the answers."""
