"""The duty roster: /duty, /swap, /roster, handover notes."""
