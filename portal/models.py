"""Users, the personal-data access log, and the abstract bases shared by located models."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import geo


class User(AbstractUser):
    """A portal user. Every user but sub-bureau staff belongs to one station, which bounds what they see."""

    station = models.ForeignKey(
        "patrols.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("display name"), max_length=60, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("reveal_personal_data", _("Can reveal masked personal data"))]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class AccessLog(models.Model):
    """Append-only record of each reveal or export of personal data: who, what, when and why."""

    class Action(models.TextChoices):
        REVEAL = "reveal", _("Reveal")
        EXPORT = "export", _("Export")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="access_logs"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    fields = models.CharField(_("fields"), max_length=200)
    reason = models.CharField(_("reason"), max_length=300)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data access log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.object_type}#{self.object_id} {self.fields}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError(_("The access log is append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The access log is append-only."))


class LocatedModel(models.Model):
    """A row with a WGS84 point, validated against the sub-bureau's bounds on save."""

    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        try:
            self.lat, self.lng = geo.validate_point(self.lat, self.lng)
        except ValidationError as error:
            raise ValidationError({"lat": error.messages}) from None

    def geojson_properties(self) -> dict:
        return {"name": str(self)}


# --- API tokens and tombstones (the REST API, /api/v1/) --------------------------------------------


class TokenScope(models.TextChoices):
    """What an API token may do; the model permissions of its user still apply on top."""

    INCIDENTS_READ = "incidents:read", _("Read incidents, tips, mediation, hazards and service requests")
    INCIDENTS_WRITE = "incidents:write", _("Record and change incidents, tips and hazards")
    REFERENCE_READ = "reference:read", _("Read the patrol network (stations, circles, teams, posts, ...)")
    ALERTS_READ = "alerts:read", _("Read alerts and bulletins")
    ALERTS_WRITE = "alerts:write", _("Issue alerts and bulletins")
    PARTY_READ = "party:read", _("Read the party organisation")
    WEATHER_INTAKE = "weather:intake", _("Deliver weather warnings")


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ApiTokenQuerySet":
        """A user sees (and may revoke) their own tokens only."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def usable(self, now=None) -> "ApiTokenQuerySet":
        from django.utils import timezone

        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A bearer token of a REST client, acting as its user (with the user's station scope and permissions).

    Only the SHA-256 hash of the secret is stored; the token itself is shown once, when it is created
    (`portal.tokens.token_create`). `prefix` (the first characters) identifies it in lists and logs.
    A token works while it is neither revoked nor expired, and only for the endpoints of its scopes.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. the client system."))
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    def clean(self):
        super().clean()
        scopes = self.scopes or []
        if not isinstance(scopes, list) or not scopes or any(s not in TokenScope.values for s in scopes):
            raise ValidationError({"scopes": _("Choose one or more scopes from the list.")})

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class DeletedRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DeletedRecordQuerySet":
        """Tombstones follow the scope of the rows they stand for (see `portal.scoping`)."""
        from .roles import sees_all_stations

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if sees_all_stations(user):
            return self.all()
        if not user.station_id:
            return self.none()
        return self.filter(station_id=user.station_id)


class DeletedRecord(models.Model):
    """A tombstone: a synced row (an incident, a tip, ...) was deleted; API clients that sync learn it here.

    Written by a `post_delete` signal for the models listed in `portal.sync.SYNCED_MODELS`, in the
    deleting transaction. `station_id` keeps the row's scope (a plain number: the station may be gone).
    """

    model = models.CharField(_("model"), max_length=100, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64)
    station_id = models.BigIntegerField(_("station id"), null=True, blank=True, db_index=True)
    deleted_at = models.DateTimeField(_("deleted at"), auto_now_add=True, db_index=True)

    objects = DeletedRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("deleted record")
        verbose_name_plural = _("deleted records")
        ordering = ["deleted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.model}#{self.object_id} {self.deleted_at:%Y-%m-%d %H:%M:%S}"
