"""`manage.py createapitoken USER --scopes incidents:read,reference:read --days 90 [--name NAME]`

Prints the new token once (it is stored only hashed). Bad input (unknown user or scope, days out of
range) prints the reason and exits non-zero, creating nothing.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.models import TokenScope
from portal.tokens import MAX_DAYS, token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scopes", required=True, help=f"Comma-separated, from: {', '.join(TokenScope.values)}.")
        parser.add_argument("--days", type=int, default=90, help=f"How long the token lives (1–{MAX_DAYS}).")
        parser.add_argument("--name", default="", help="What the token is for (default: created by command).")

    def handle(self, *args, username, scopes, days, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            token, raw = token_create(user=user, name=name or "created by createapitoken", scopes=scopes, days=days)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(
            f"Token {token.prefix}… for {user.username}, scopes {', '.join(token.scopes)}, "
            f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC. Store it now: it is not shown again."
        )
        self.stdout.write(raw)
