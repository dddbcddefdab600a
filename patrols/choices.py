from django.db import models
from django.utils.translation import gettext_lazy as _


class CircleKind(models.TextChoices):
    ECOLOGICAL = "ecological", _("Green ecological circle")
    COMMERCIAL = "commercial", _("Safe commercial circle")
    INDUSTRIAL = "industrial", _("Harmonious industrial circle")


class DutyState(models.TextChoices):
    PATROLLING = "patrolling", _("Patrolling")
    RESPONDING = "responding", _("Responding")
    ON_SCENE = "on_scene", _("On scene")
    RETURNING = "returning", _("Returning")
    OFF_DUTY = "off_duty", _("Off duty")


# "When there is an alert, respond; when there is none, patrol": the moves a team's duty state may make.
DUTY_TRANSITIONS: dict[str, set[str]] = {
    DutyState.OFF_DUTY: {DutyState.PATROLLING},
    DutyState.PATROLLING: {DutyState.RESPONDING, DutyState.ON_SCENE, DutyState.OFF_DUTY},
    DutyState.RESPONDING: {DutyState.ON_SCENE, DutyState.RETURNING, DutyState.PATROLLING},
    DutyState.ON_SCENE: {DutyState.RETURNING, DutyState.PATROLLING},
    DutyState.RETURNING: {DutyState.PATROLLING, DutyState.RESPONDING, DutyState.OFF_DUTY},
}


class PostKind(models.TextChoices):
    POLICE_OFFICE = "police_office", _("Police office")
    SECURITY_BOOTH = "security_booth", _("Security booth")
    LEI_FENG_STATION = "lei_feng_station", _("Lei Feng service station")
    VANGUARD_POST = "vanguard_post", _("Party-member vanguard post")
    MEDIATION_ROOM = "mediation_room", _("Mediation room")


class MemberKind(models.TextChoices):
    OFFICER = "officer", _("Police officer")
    AUXILIARY = "auxiliary", _("Auxiliary patrol member")


class InformantKind(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    HOMEOWNERS_COMMITTEE = "homeowners_committee", _("Homeowners' committee")
    ENTERPRISE_WORKER = "enterprise_worker", _("Enterprise worker")
    BOARDWALK_MAINTENANCE = "boardwalk_maintenance", _("Boardwalk maintenance worker")
    SANITATION_WORKER = "sanitation_worker", _("Sanitation worker")
    OTHER = "other", _("Other")


class CameraKind(models.TextChoices):
    PUBLIC = "public", _("Public surveillance camera")
    POLICE = "police", _("Police camera")
