"""Alert broadcasts: audiences and their endpoints, alerts shaped on CAP 1.2, and one delivery row per
(alert, endpoint) — the outbox that workers send from.
"""

from __future__ import annotations

import hashlib
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patrols.models import PatrolCircle, Station, phone_validator
from portal import geo, privacy

from . import querysets
from .choices import (
    WEBHOOK_KINDS,
    AlertKind,
    AlertLanguage,
    AlertState,
    AudienceGroup,
    CapCategory,
    CapScope,
    CapStatus,
    Certainty,
    DeliveryState,
    EndpointKind,
    MsgType,
    Severity,
    Urgency,
)


def mask_secret(value: str) -> str:
    """Show a secret by its length and last two characters only."""
    if not value:
        return ""
    return "•" * min(len(value) - 2, 8) + value[-2:] if len(value) > 4 else "•" * len(value)


def mask_url(url: str) -> str:
    """A webhook URL with every query value (robot keys, tokens) masked: the host and path stay readable."""
    if not url:
        return ""
    parts = urlsplit(url)
    query = urlencode([(key, mask_secret(value)) for key, value in parse_qsl(parts.query, keep_blank_values=True)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def mask_email(value: str) -> str:
    if "@" not in value:
        return mask_secret(value)
    local, domain = value.split("@", 1)
    return f"{local[:1]}***@{domain}"


class Audience(models.Model):
    """A group that receives alerts (警社、警企、警校群 and others): a station's, optionally over an area.

    Its channels are its `endpoints`. A station's "staff" audience reaches its commanders: escalations
    and hazard reminders go there.
    """

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="audiences")
    name = models.CharField(_("name"), max_length=100)
    group = models.CharField(_("group"), max_length=20, choices=AudienceGroup.choices)
    circle = models.ForeignKey(
        PatrolCircle,
        verbose_name=_("circle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audiences",
        help_text=_("The circle the group lives or works in, if any."),
    )
    area = models.JSONField(
        _("area"), null=True, blank=True, help_text=_("A GeoJSON Polygon or MultiPolygon, instead of a circle.")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = querysets.AudienceQuerySet.as_manager()

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        ordering = ["station", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "name"],
                name="audience_name_unique_per_station",
                violation_error_message=_("This station already has an audience of that name."),
            ),
            models.CheckConstraint(
                condition=Q(circle__isnull=True) | Q(area__isnull=True),
                name="audience_circle_or_area",
                violation_error_message=_("Give a circle or an area, not both."),
            ),
            models.CheckConstraint(
                condition=Q(group__in=AudienceGroup.values),
                name="audience_group_valid",
                violation_error_message=_("Unknown audience group."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("alerts:audience_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.area:
            try:
                self.area = geo.validate_area(self.area)
            except ValidationError as error:
                raise ValidationError({"area": error.messages}) from None
        if self.circle_id and self.station_id and self.circle.station_id != self.station_id:
            raise ValidationError({"circle": _("The circle belongs to another station.")})


class Endpoint(models.Model):
    """One channel of an audience: a robot or JSON webhook, an e-mail address or an SMS number.

    Secrets (a robot's key in its URL, DingTalk's signing secret) and personal addresses are never
    shown back in full: pages show `url_masked`, `secret_masked`, `address_masked`.
    """

    audience = models.ForeignKey(
        Audience, verbose_name=_("audience"), on_delete=models.CASCADE, related_name="endpoints"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EndpointKind.choices)
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True, help_text=_("DingTalk robots only: the SEC… signing secret.")
    )
    address = models.CharField(
        _("address"), max_length=254, blank=True, help_text=_("An e-mail address or a mobile number.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = querysets.EndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("endpoint")
        verbose_name_plural = _("endpoints")
        ordering = ["audience", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(WEBHOOK_KINDS)) | ~Q(url=""),
                name="endpoint_webhook_has_url",
                violation_error_message=_("A webhook needs its URL."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[EndpointKind.EMAIL, EndpointKind.SMS]) | ~Q(address=""),
                name="endpoint_message_has_address",
                violation_error_message=_("An e-mail or SMS endpoint needs its address."),
            ),
            models.CheckConstraint(
                condition=Q(kind=EndpointKind.DINGTALK) | Q(secret=""),
                name="endpoint_secret_only_dingtalk",
                violation_error_message=_("Only a DingTalk robot has a signing secret."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EndpointKind.values),
                name="endpoint_kind_valid",
                violation_error_message=_("Unknown endpoint kind."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("alerts:endpoint_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.kind in WEBHOOK_KINDS and self.address:
            raise ValidationError({"address": _("A webhook has a URL, not an address.")})
        if self.kind not in WEBHOOK_KINDS and self.url:
            raise ValidationError({"url": _("Only a webhook has a URL.")})
        if self.kind == EndpointKind.EMAIL and self.address:
            EmailValidator(message=_("Enter a valid e-mail address."))(self.address)
        if self.kind == EndpointKind.SMS and self.address:
            try:
                phone_validator(self.address)
            except ValidationError as error:
                raise ValidationError({"address": error.messages}) from None
        if self.url:
            # checked again when sending (addresses may change); refused early for a clear form error
            from .delivery import check_webhook_host

            try:
                check_webhook_host(self.url, resolve=False)
            except ValidationError as error:
                raise ValidationError({"url": error.messages}) from None

    @property
    def is_webhook(self) -> bool:
        return self.kind in WEBHOOK_KINDS

    @property
    def rate_key(self) -> str:
        """The robot this endpoint posts to (its URL carries the key), hashed: the rate limit is per robot."""
        return hashlib.sha256(self.url.encode()).hexdigest()[:32]

    @property
    def url_masked(self) -> str:
        return mask_url(self.url)

    @property
    def secret_masked(self) -> str:
        return mask_secret(self.secret)

    @property
    def address_masked(self) -> str:
        if self.kind == EndpointKind.SMS:
            return privacy.mask_phone(self.address)
        return mask_email(self.address)

    @property
    def target_masked(self) -> str:
        return self.url_masked if self.is_webhook else self.address_masked


def new_identifier() -> str:
    """A CAP identifier: unique, and free of spaces, commas and the XML-restricted characters."""
    return f"{settings.ALERT_CAP_IDENTIFIER_PREFIX}-{uuid.uuid4().hex}"


class Alert(models.Model):
    """An alert warning, incident bulletin, missing-person notice, weather or hazard warning, shaped on CAP 1.2.

    Drafted by a duty officer (or a schedule), approved by a commander or sub-bureau staff before
    anything is sent: approval writes the deliveries in the same transaction (`alerts.services`).
    An Update or Cancel references the alert it supersedes. One `info` block (its language is
    `language`) and one `area` per alert.
    """

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=AlertState.choices, default=AlertState.DRAFT, editable=False, db_index=True
    )
    audiences = models.ManyToManyField(Audience, verbose_name=_("audiences"), blank=True, related_name="alerts")
    # CAP <alert>
    identifier = models.CharField(_("identifier"), max_length=100, unique=True, default=new_identifier, editable=False)
    sender = models.CharField(_("sender"), max_length=100, editable=False)
    sent = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=CapStatus.choices, default=CapStatus.ACTUAL)
    msg_type = models.CharField(_("message type"), max_length=10, choices=MsgType.choices, default=MsgType.ALERT)
    scope = models.CharField(_("scope"), max_length=12, choices=CapScope.choices, default=CapScope.PUBLIC)
    restriction = models.CharField(
        _("restriction"), max_length=200, blank=True, help_text=_("Who may see a Restricted alert.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    references = models.ForeignKey(
        "self",
        verbose_name=_("references"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        help_text=_("The earlier alert an Update or Cancel refers to."),
    )
    # CAP <info>
    language = models.CharField(_("language"), max_length=10, choices=AlertLanguage.choices, default="zh-CN")
    category = models.CharField(_("category"), max_length=10, choices=CapCategory.choices)
    event = models.CharField(_("event"), max_length=100)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.EXPECTED)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MODERATE)
    certainty = models.CharField(_("certainty"), max_length=10, choices=Certainty.choices, default=Certainty.LIKELY)
    headline = models.CharField(_("headline"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    instruction = models.TextField(_("instruction"), blank=True)
    effective = models.DateTimeField(_("effective"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    # CAP <area>
    area_desc = models.CharField(_("area description"), max_length=200, blank=True)
    area_polygon = models.JSONField(_("area polygon"), null=True, blank=True)
    circle_lat = models.FloatField(_("circle centre latitude"), null=True, blank=True)
    circle_lng = models.FloatField(_("circle centre longitude"), null=True, blank=True)
    circle_radius_m = models.PositiveIntegerField(_("circle radius (m)"), null=True, blank=True)
    # where it came from, and who made it
    source_incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("source incident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    source_hazard = models.ForeignKey(
        "incidents.Hazard",
        verbose_name=_("source hazard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    auto_key = models.CharField(
        _("schedule key"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Set on alerts a schedule made, so that it never makes the same one twice."),
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = querysets.AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(msg_type=MsgType.ALERT, references__isnull=True)
                | (~Q(msg_type=MsgType.ALERT) & Q(references__isnull=False)),
                name="alert_references_iff_update_or_cancel",
                violation_error_message=_("An Update or Cancel references an earlier alert; a new Alert doesn't."),
            ),
            models.CheckConstraint(
                condition=Q(effective__isnull=True) | Q(expires__isnull=True) | Q(expires__gt=F("effective")),
                name="alert_expires_after_effective",
                violation_error_message=_("An alert must expire after it takes effect."),
            ),
            models.CheckConstraint(
                condition=~Q(scope=CapScope.RESTRICTED) | ~Q(restriction=""),
                name="alert_restricted_has_restriction",
                violation_error_message=_("A Restricted alert says who may see it."),
            ),
            models.CheckConstraint(
                condition=~Q(state=AlertState.APPROVED)
                | (
                    Q(approved_at__isnull=False, sent__isnull=False)
                    & (Q(approved_by__isnull=False) | Q(auto_key__isnull=False))
                ),
                name="alert_approved_has_approver",
                violation_error_message=_("An approved alert has its approver and its time."),
            ),
            models.CheckConstraint(
                condition=Q(circle_lat__isnull=True, circle_lng__isnull=True, circle_radius_m__isnull=True)
                | Q(circle_lat__isnull=False, circle_lng__isnull=False, circle_radius_m__gte=1),
                name="alert_circle_complete",
                violation_error_message=_("A circle needs its centre and a radius of at least 1 m."),
            ),
            models.CheckConstraint(
                condition=Q(source_incident__isnull=True) | Q(source_hazard__isnull=True),
                name="alert_one_source",
                violation_error_message=_("An alert comes from an incident or a hazard, not both."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=AlertState.values),
                name="alert_state_valid",
                violation_error_message=_("Unknown alert state."),
            ),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs):
        if not self.sender:
            self.sender = settings.ALERT_CAP_SENDER
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("alerts:alert_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.area_polygon:
            try:
                self.area_polygon = geo.validate_area(self.area_polygon)
            except ValidationError as error:
                raise ValidationError({"area_polygon": error.messages}) from None
        if self.circle_lat is not None or self.circle_lng is not None:
            try:
                self.circle_lat, self.circle_lng = geo.validate_point(self.circle_lat, self.circle_lng)
            except ValidationError as error:
                raise ValidationError({"circle_lat": error.messages}) from None
        if (self.area_polygon or self.circle_lat is not None) and not self.area_desc:
            raise ValidationError({"area_desc": _("Describe the area the alert covers.")})
        if self.references_id and self.references.station_id != self.station_id:
            raise ValidationError({"references": _("The referenced alert belongs to another station.")})

    @property
    def is_draft(self) -> bool:
        return self.state == AlertState.DRAFT

    @property
    def has_area(self) -> bool:
        return bool(self.area_desc)

    @property
    def cap_status(self) -> str:
        """The CAP status written out: a draft not yet approved is "Draft" (not actionable)."""
        return CapStatus.DRAFT if self.state == AlertState.DRAFT else self.status


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class Delivery(models.Model):
    """One alert to one endpoint: the outbox row that a worker claims, sends and marks.

    `idempotency_key` travels with every send of this row (header and body where the channel allows)
    so a receiver that sees a retry can tell it from a new message.
    """

    alert = models.ForeignKey(Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("endpoint"), on_delete=models.PROTECT, related_name="deliveries"
    )
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=64, unique=True, default=new_idempotency_key, editable=False
    )
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True, editable=False)
    rate_limited = models.BooleanField(
        _("held back by the rate limit"), default=False, help_text=_("Waiting rows of a robot go out as a digest.")
    )
    digest_key = models.CharField(_("digest key"), max_length=64, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = querysets.DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["alert", "pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "endpoint"],
                name="delivery_one_per_alert_endpoint",
                violation_error_message=_("This alert already goes to this endpoint."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values),
                name="delivery_state_valid",
                violation_error_message=_("Unknown delivery state."),
            ),
            models.CheckConstraint(
                condition=Q(state=DeliveryState.SENT, sent_at__isnull=False)
                | (~Q(state=DeliveryState.SENT) & Q(sent_at__isnull=True)),
                name="delivery_sent_iff_sent_at",
                violation_error_message=_("Exactly the sent deliveries have a sending time."),
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENDING) | Q(claimed_at__isnull=False),
                name="delivery_sending_is_claimed",
                violation_error_message=_("A delivery being sent has its claim time."),
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(sent_at__isnull=False),
                name="delivery_ack_after_sent",
                violation_error_message=_("Only a sent delivery can be acknowledged."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.endpoint}"


auditlog.register(Audience)
auditlog.register(Endpoint, mask_fields=["url", "secret", "address"])
auditlog.register(Alert, m2m_fields={"audiences"})
