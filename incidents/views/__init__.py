"""Incident pages (`incident.py`) and the inboxes around them: tips, mediation, hazards, service requests (`inbox.py`)."""
