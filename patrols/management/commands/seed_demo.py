"""`manage.py seed_demo`: load (or bring up to date) the demo data set; safe to run again and again."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from alerts.demo import load_alerts_demo
from incidents.demo import DEFAULT_COUNT, load_incidents_demo
from partyorg.demo import load_party_demo
from patrols.demo import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # a property, not a lazy string: argparse needs a real str, translated when the help is shown
        return _(
            "Load the demo data set: the sub-bureau, 3 stations, the 3 patrol circles with their teams, posts, "
            "members, informants, cameras and a week of shifts, (only in demo mode) one demo user per role, and a "
            "year of incidents with tips, mediation cases, hazards and service requests. Running it again changes "
            "nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--incidents",
            type=int,
            default=DEFAULT_COUNT,
            help=_("How many synthetic incidents the year holds (written only on the first run)."),
        )

    def handle(self, *args, **options):
        if options["incidents"] < 0:
            raise CommandError(_("--incidents can't be negative."))
        try:
            # the timeline texts written inside are in the portal's default language, whoever runs it
            with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
                tally = load_demo(with_users=settings.DEMO_MODE)
                incident_tally = load_incidents_demo(count=options["incidents"])
                party_tally = load_party_demo()
                load_alerts_demo()
        except ValidationError as error:
            # the whole load is one transaction: a row that fails validation leaves the database untouched
            raise CommandError(
                _("The demo data failed validation, nothing was written: %(error)s")
                % {"error": "; ".join(error.messages)}
            ) from error
        labels = {
            "stations": _("stations"),
            "circles": _("patrol circles"),
            "teams": _("patrol teams"),
            "posts": _("posts"),
            "members": _("members"),
            "informants": _("informants"),
            "cameras": _("cameras"),
            "shifts": _("patrol shifts"),
            "users": _("demo users"),
        }
        self.stdout.write(_("Demo data loaded:"))
        for key, label in labels.items():
            if key in tally.totals:
                self.stdout.write(
                    _("  %(label)s: %(total)d (%(created)d new)")
                    % {"label": label, "total": tally.totals[key], "created": tally.created[key]}
                )
        incident_labels = {
            "incidents": _("incidents"),
            "tips": _("tips"),
            "mediation": _("mediation cases"),
            "hazards": _("safety hazards"),
            "service_types": _("service types"),
            "service_requests": _("service requests"),
        }
        for key, label in incident_labels.items():
            self.stdout.write(
                _("  %(label)s: %(total)d (%(created)d new)")
                % {"label": label, "total": incident_tally.totals[key], "created": incident_tally.created[key]}
            )
        party_labels = {
            "branches": _("party branches"),
            "party_members": _("party members"),
            "groups": _("party groups"),
            "zones": _("responsibility zones"),
            "vanguard_posts": _("vanguard posts"),
            "community_branches": _("community branches"),
            "secondments": _("secondments"),
            "partners": _("co-building partners"),
            "activities": _("volunteer activities"),
        }
        for key, label in party_labels.items():
            self.stdout.write(
                _("  %(label)s: %(total)d (%(created)d new)")
                % {"label": label, "total": party_tally.totals.get(key, 0), "created": party_tally.created.get(key, 0)}
            )
        if tally.users_skipped:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Demo users were skipped: DEMO_MODE is off (it defaults to DEBUG). Create real accounts with "
                        "`manage.py createsuperuser`."
                    )
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Demo users %(names)s share the password %(password)s (demo mode only).")
                    % {"names": ", ".join(name for name, *_rest in DEMO_USERS), "password": DEMO_PASSWORD}
                )
            )
