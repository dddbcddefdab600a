"""Models of the incidents app, in two modules: the incident itself, and what surrounds it."""

from auditlog.registry import auditlog

from .around import (
    MEDIATION_CATEGORIES,
    Hazard,
    MediationCase,
    MediationFollowUp,
    MediationSession,
    ServiceRequest,
    ServiceType,
    Tip,
)
from .imports import IncidentImport
from .incident import Assignment, Incident, IncidentCounter, IncidentEvent, InvolvedPerson
from .rollup import IncidentBinRollup, IncidentRollup

__all__ = [
    "MEDIATION_CATEGORIES",
    "Assignment",
    "Hazard",
    "Incident",
    "IncidentCounter",
    "IncidentBinRollup",
    "IncidentEvent",
    "IncidentImport",
    "IncidentRollup",
    "InvolvedPerson",
    "MediationCase",
    "MediationFollowUp",
    "MediationSession",
    "ServiceRequest",
    "ServiceType",
    "Tip",
]

# Every change is audited with its actor. Not registered: IncidentEvent (it is itself an append-only
# trail of who did what) and IncidentCounter (an internal sequence). `updated_at` and `version` are
# noise in a diff. Personal data is stored masked in the audit log too.
auditlog.register(Incident, exclude_fields=["updated_at", "version"])
auditlog.register(Assignment)
auditlog.register(IncidentImport)
auditlog.register(InvolvedPerson, mask_fields=["phone", "id_number"])
auditlog.register(ServiceRequest, mask_fields=["phone"])
for _model in (Tip, MediationCase, MediationSession, MediationFollowUp, Hazard, ServiceType):
    auditlog.register(_model, exclude_fields=["updated_at"] if _model is Hazard else None)
