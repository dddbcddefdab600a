"""The import page: upload a CSV file of incidents, check it (a preview of every error, or of what would be
written), and import it, all through `incidents.imports.incident_import` (the command's service too).

Open to sub-bureau staff and station commanders (`imports.may_import`); others get 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from ..forms.imports import IncidentImportForm
from ..imports import COLUMNS, MAX_LISTED_ERRORS, ImportRefused, incident_import, may_import


class ImportAccessMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class IncidentImportView(ImportAccessMixin, FormView):
    """Upload, then either "Check only" (dry run: the preview) or "Import" (all rows or none)."""

    template_name = "incidents/incident_import.html"
    form_class = IncidentImportForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            columns=[(name, required, label) for name, (required, label) in COLUMNS.items()],
            max_listed=MAX_LISTED_ERRORS,
        )
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        dry_run = "check" in self.request.POST
        try:
            result = incident_import(
                by=self.request.user,
                file=upload,
                file_name=upload.name,
                station=form.cleaned_data.get("station"),
                dry_run=dry_run,
            )
        except ImportRefused as refused:
            context = self.get_context_data(form=form, refused=refused, file_name=upload.name)
            return self.render_to_response(context, status=400)
        if dry_run:
            return self.render_to_response(self.get_context_data(form=form, checked=result, file_name=upload.name))
        messages.success(
            self.request,
            _("%(count)s incidents were imported from %(file)s (%(first)s … %(last)s).")
            % {"count": result.rows, "file": upload.name, "first": result.numbers[0], "last": result.numbers[1]},
        )
        return redirect("incidents:incident_list")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class IncidentImportTemplateView(ImportAccessMixin, View):
    """An empty import file: just the header row, to fill in a spreadsheet."""

    def get(self, request):
        response = HttpResponse(",".join(COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="incidents-import.csv"'
        return response


urlpatterns = [
    path("import/", IncidentImportView.as_view(), name="incident_import"),
    path("import/template.csv", IncidentImportTemplateView.as_view(), name="incident_import_template"),
]
