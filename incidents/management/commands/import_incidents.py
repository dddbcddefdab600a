"""`manage.py import_incidents FILE.csv [--station CODE] [--user NAME] [--dry-run]`: import incidents from CSV.

The same service as the import page (`incidents.imports.incident_import`): every row is checked
first and any error refuses the whole file (exit status 1, each bad row listed with its column);
a good file is written in one transaction. The columns are in docs/user-guide.md.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from incidents.imports import ImportRefused, incident_import
from patrols.models import Station
from portal.models import User


class Command(BaseCommand):
    help = "Import incidents from a CSV file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8; columns in docs/user-guide.md).")
        parser.add_argument("--station", help="Station code for the rows that name no station.")
        parser.add_argument(
            "--user", help="Import as this user (recorded, and held to their station). Default: no user, unrestricted."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file only; write nothing.")

    def handle(self, *args, file: str, station: str | None, user: str | None, dry_run: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        chosen = None
        if station:
            chosen = Station.objects.filter(code=station).first()
            if chosen is None:
                raise CommandError(_("Unknown station code “%(value)s”.") % {"value": station})
        by = None
        if user:
            by = User.objects.filter(username=user, is_active=True).first()
            if by is None:
                raise CommandError(_("No active user “%(value)s”.") % {"value": user})
        try:
            with path.open("rb") as handle:
                result = incident_import(by=by, file=handle, file_name=path.name, station=chosen, dry_run=dry_run)
        except ImportRefused as refused:
            for line in refused.lines():
                self.stderr.write(line)
            raise CommandError(refused.messages[0]) from None
        stations = ", ".join(f"{name} {n}" for name, n in result.per_station.items())
        if result.dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(count)s rows are correct (%(stations)s); nothing was written (--dry-run).")
                    % {"count": result.rows, "stations": stations}
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)s incidents imported (%(stations)s), numbered %(first)s … %(last)s.")
                % {"count": result.rows, "stations": stations, "first": result.numbers[0], "last": result.numbers[1]}
            )
        )
