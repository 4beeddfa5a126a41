"""Meetings, inspections and drills: /reminders, /week, /compliance, /records, the answers and the records."""
