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
