"""Forms of the incident pages (`incident.py`) and of the inboxes (`inbox.py`)."""
