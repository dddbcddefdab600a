"""The patrol network: the sub-bureau, its stations, the three circles, teams, posts, people and cameras."""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import geo
from portal.models import LocatedModel

from . import querysets
from .choices import CameraKind, CircleKind, DutyState, InformantKind, MemberKind, PostKind

phone_validator = RegexValidator(r"^\+?[0-9\-]{5,20}$", _("Enter a phone number of digits (and dashes)."))
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #rrggbb."))


class SubBureau(models.Model):
    """The top unit (分局): its staff see every station."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("code"), max_length=10, unique=True, help_text=_("Prefix of incident numbers, e.g. DQ."))
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sub-bureau")
        verbose_name_plural = _("sub-bureaus")

    def __str__(self) -> str:
        return self.name


class Station(LocatedModel):
    """A police station (派出所) of the sub-bureau; most rows of the portal belong to one."""

    sub_bureau = models.ForeignKey(
        SubBureau, verbose_name=_("sub-bureau"), on_delete=models.PROTECT, related_name="stations"
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("duty phone"), max_length=20, blank=True, validators=[phone_validator])

    objects = querysets.StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("police station")
        verbose_name_plural = _("police stations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("patrols:station_detail", args=[self.pk])


class PatrolCircle(models.Model):
    """A patrol circle (圈): an area with a kind, a focus and a brand, "one team, one strategy, one brand"."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="circles")
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CircleKind.choices)
    boundary = models.JSONField(_("boundary"), help_text=_("A GeoJSON Polygon or MultiPolygon (longitude, latitude)."))
    focus = models.CharField(_("focus"), max_length=200, blank=True)
    brand = models.CharField(_("brand"), max_length=200, blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#2e7d32", validators=[colour_validator])
    active_from = models.TimeField(
        _("active from"),
        null=True,
        blank=True,
        help_text=_("Start of the circle's busy hours, e.g. 18:00 for the night plaza."),
    )
    active_until = models.TimeField(_("active until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = querysets.CircleQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol circle")
        verbose_name_plural = _("patrol circles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("patrols:circle_detail", args=[self.pk])

    def clean(self):
        super().clean()
        try:
            self.boundary = geo.validate_area(self.boundary)
        except ValidationError as error:
            raise ValidationError({"boundary": error.messages}) from None
        if (self.active_from is None) != (self.active_until is None):
            raise ValidationError({"active_until": _("Give both ends of the active hours, or neither.")})

    def contains(self, lat: float, lng: float) -> bool:
        return geo.contains(self.boundary, lat, lng)


class CircleDerivedModel(LocatedModel):
    """A located row whose circle is derived from its point (point-in-polygon) every time it is saved."""

    circle = models.ForeignKey(
        PatrolCircle,
        verbose_name=_("circle"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="%(class)ss",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.circle = geo.first_containing(PatrolCircle.objects.active().order_by("pk"), self.lat, self.lng)
        super().save(*args, **kwargs)


class PatrolPost(CircleDerivedModel):
    """A post on the map: police office, security booth, Lei Feng station, vanguard post or mediation room."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="posts")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PostKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    staffed_from = models.TimeField(_("staffed from"), null=True, blank=True)
    staffed_until = models.TimeField(
        _("staffed until"), null=True, blank=True, help_text=_("Leave both empty for a post staffed round the clock.")
    )
    description = models.TextField(_("description"), blank=True)

    objects = querysets.PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol post")
        verbose_name_plural = _("patrol posts")
        ordering = ["station", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "name"],
                name="post_name_unique_per_station",
                violation_error_message=_("This station already has a post of that name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("patrols:post_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if (self.staffed_from is None) != (self.staffed_until is None):
            raise ValidationError({"staffed_until": _("Give both ends of the staffed hours, or neither.")})

    @property
    def staffed_hours(self) -> str:
        if self.staffed_from is None:
            return _("round the clock")
        return f"{self.staffed_from:%H:%M}–{self.staffed_until:%H:%M}"


class Member(models.Model):
    """A police officer or auxiliary patrol member of a station, usually in a team."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="members")
    team = models.ForeignKey(
        "PatrolTeam", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=MemberKind.choices)
    badge_number = models.CharField(_("badge number"), max_length=20, blank=True)
    rank = models.CharField(_("rank or role"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    is_party_member = models.BooleanField(_("party member"), default=False)
    is_youth_league = models.BooleanField(_("youth-league member"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = querysets.MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["station", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["badge_number"],
                condition=~Q(badge_number=""),
                name="member_badge_unique",
                violation_error_message=_("Another member has this badge number."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("patrols:member_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.team_id and self.station_id and self.team.station_id != self.station_id:
            raise ValidationError({"team": _("The team belongs to another station.")})


class PatrolTeam(models.Model):
    """A patrol team (巡防队): one per circle, relying on a station; always patrolling or responding.

    Its duty state changes only through `patrols.services.team_set_duty_state`, which records who
    changed it and when in `TeamStateChange`.
    """

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="teams")
    circle = models.ForeignKey(PatrolCircle, verbose_name=_("circle"), on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=100, unique=True)
    call_sign = models.CharField(_("call sign"), max_length=20, blank=True)
    leader = models.ForeignKey(
        Member, verbose_name=_("leader"), null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )
    strategy = models.TextField(_("strategy"), blank=True, help_text=_("The team's own strategy for its circle."))
    base_post = models.ForeignKey(
        PatrolPost,
        verbose_name=_("base post"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="based_teams",
    )
    duty_state = models.CharField(
        _("duty state"), max_length=20, choices=DutyState.choices, default=DutyState.OFF_DUTY, editable=False
    )
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True, editable=False)
    last_lat = models.FloatField(_("last latitude"), null=True, blank=True, editable=False)
    last_lng = models.FloatField(_("last longitude"), null=True, blank=True, editable=False)
    last_position_at = models.DateTimeField(_("last position at"), null=True, blank=True, editable=False)

    objects = querysets.TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol team")
        verbose_name_plural = _("patrol teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("patrols:team_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.leader_id and self.pk and self.leader.team_id not in (None, self.pk):
            raise ValidationError({"leader": _("The leader must be a member of this team.")})
        if self.base_post_id and self.station_id and self.base_post.station_id != self.station_id:
            raise ValidationError({"base_post": _("The base post belongs to another station.")})

    @property
    def position(self) -> tuple[float, float] | None:
        """Where the team is: its last reported position, else its base post, else None."""
        if self.last_lat is not None and self.last_lng is not None:
            return self.last_lat, self.last_lng
        if self.base_post_id:
            return self.base_post.lat, self.base_post.lng
        return None


class TeamStateChange(models.Model):
    """One change of a team's duty state: from, to, who, when, and why."""

    team = models.ForeignKey(
        PatrolTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="state_changes"
    )
    from_state = models.CharField(_("from"), max_length=20, choices=DutyState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=DutyState.choices)
    at = models.DateTimeField(_("time"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("duty state change")
        verbose_name_plural = _("duty state changes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.team}: {self.from_state} → {self.to_state}"


class Informant(models.Model):
    """A security-information liaison (治安信息员) who passes on clues."""

    circle = models.ForeignKey(
        PatrolCircle, verbose_name=_("circle"), on_delete=models.PROTECT, related_name="informants"
    )
    team = models.ForeignKey(
        PatrolTeam, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="informants"
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("type"), max_length=30, choices=InformantKind.choices)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = querysets.InformantQuerySet.as_manager()

    class Meta:
        verbose_name = _("informant")
        verbose_name_plural = _("informants")
        ordering = ["circle", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("patrols:informant_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.team_id and self.circle_id and self.team.circle_id != self.circle_id:
            raise ValidationError({"team": _("The team patrols another circle.")})


class Camera(CircleDerivedModel):
    """A public surveillance or police camera, with its coverage drawn on the map."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="cameras")
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=CameraKind.choices)
    coverage_radius_m = models.PositiveIntegerField(
        _("coverage radius (m)"), default=50, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    bearing = models.PositiveSmallIntegerField(
        _("bearing (°)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(359)],
        help_text=_("Direction the camera faces, clockwise from north."),
    )
    field_of_view = models.PositiveSmallIntegerField(
        _("field of view (°)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(360)]
    )
    is_active = models.BooleanField(_("working"), default=True)

    objects = querysets.CameraQuerySet.as_manager()

    class Meta:
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(coverage_radius_m__gte=1) & Q(coverage_radius_m__lte=1000),
                name="camera_radius_range",
                violation_error_message=_("The coverage radius must be 1–1000 m."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("patrols:camera_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if (self.bearing is None) != (self.field_of_view is None):
            raise ValidationError({"field_of_view": _("Give the bearing and the field of view together.")})


class PatrolShift(models.Model):
    """A team's patrol shift: start, end and route — the log of patrol time."""

    team = models.ForeignKey(PatrolTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    route = models.JSONField(_("route"), null=True, blank=True, help_text=_("A GeoJSON LineString."))
    leader = models.ForeignKey(
        Member, verbose_name=_("shift leader"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = querysets.ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol shift")
        verbose_name_plural = _("patrol shifts")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="shift_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("patrols:shift_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.route:
            try:
                self.route = geo.validate_line(self.route)
            except ValidationError as error:
                raise ValidationError({"route": error.messages}) from None

    @property
    def hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 2)

    @property
    def route_length_m(self) -> float | None:
        return round(geo.line_length_m(self.route)) if self.route else None


for _model in (Station, PatrolCircle, PatrolTeam, PatrolPost, Member, Informant, Camera, PatrolShift):
    auditlog.register(_model)
