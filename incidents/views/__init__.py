"""Incident pages (`incident.py`) and the inboxes around them (`inbox.py`).

The inboxes: tips, mediation cases, hazards and service requests.
"""
