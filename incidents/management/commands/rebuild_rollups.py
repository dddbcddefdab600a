"""`manage.py rebuild_rollups [--since DATE]`: recompute the dashboards' rollup tables from the incidents."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from incidents import rollups


class Command(BaseCommand):
    help = "Drop and recompute the incident rollups (all days, or the local days from --since YYYY-MM-DD)."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="First local day to rebuild, YYYY-MM-DD (default: every day).")

    def handle(self, *args, since: str | None = None, **options):
        first = None
        if since:
            try:
                first = date.fromisoformat(since)
            except ValueError:
                raise CommandError(f"--since must be a date like 2025-01-31, not {since!r}.") from None
        started = time.monotonic()
        n = rollups.rebuild(since=first)
        self.stdout.write(
            self.style.SUCCESS(f"Rollups rebuilt from {n} incidents in {time.monotonic() - started:.1f} s.")
        )
