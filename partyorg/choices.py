"""Choices of the party organisation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyRole(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    MEMBER = "member", _("Party member")
    PROBATIONARY = "probationary", _("Probationary member")


class ActivityKind(models.TextChoices):
    HEALTH_EDUCATION = "health_education", _("Health education")
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    POVERTY_RELIEF = "poverty_relief", _("Poverty relief and orphan aid")
    DISABILITY_AID = "disability_aid", _("Disability and study aid")
    LEI_FENG = "lei_feng", _("Lei Feng service")
    OTHER = "other", _("Other")


class PartnerKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    SCHOOL = "school", _("School")
    ENTERPRISE = "enterprise", _("Enterprise")
    GOVERNMENT = "government", _("Government department")
    RESCUE = "rescue", _("Professional rescue organisation")
    # the departments the green ecological circle works with
    ENVIRONMENTAL_PROTECTION = "environmental_protection", _("Environmental protection department")
    CONSTRUCTION = "construction", _("Construction department")
    PUBLIC_WATERS = "public_waters", _("Public waters department")
    PARK_MANAGEMENT = "park_management", _("Park management")
    METEOROLOGY = "meteorology", _("Meteorological department")


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")
