"""The record of one import of incidents from a CSV file (`incidents.imports`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrols.models import Station
from portal.scoping import ScopedQuerySet


class IncidentImport(models.Model):
    """One CSV file imported into the incidents: who imported it, when, the file's name and its row count.

    Every incident it created points back to it (`Incident.import_batch`), so that an imported
    incident's origin can be traced to the file and the person responsible. `station` is the
    station the import was made for (a station commander's own; empty when sub-bureau staff
    imported rows of several stations).
    """

    file_name = models.CharField(_("file name"), max_length=255)
    row_count = models.PositiveIntegerField(_("rows"))
    station = models.ForeignKey(
        Station, verbose_name=_("station"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident_imports",
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident import")
        verbose_name_plural = _("incident imports")
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.row_count})"
