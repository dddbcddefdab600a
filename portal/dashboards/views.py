"""The dashboard pages: the commander's (one station and its circles) and the sub-bureau's overview.

The figures come from `figures` (scoped by `visible_to`); this module only lays them out and turns
them into chart specifications for static/portal/js/dashboard.js (passed with json_script: the CSP
forbids inline script). Every chart segment carries the URL of the incident list it counts.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required, permission_required
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import render
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from patrols.models import PatrolCircle, Station

from . import figures
from .figures import Period, Scope
from .forms import DashboardForm


def _minutes(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def panels(user, period: Period, scope: Scope, *, overview: bool = False) -> dict:
    """Every figure of a dashboard (one call per panel); the overview has a heat grid per circle instead."""
    circles = figures.circles_in(user, scope)  # read once for the panels that list circles
    # read once for the heat grid (the overview: one per circle), intervals and hotspots
    rows = figures.day_rows(user, period, scope, figures.OVERVIEW_DAY_FIELDS if overview else figures.DAY_FIELDS)
    kinds = figures.incidents_by_kind(user, period, scope, circles=circles)
    return {
        "kinds": kinds,
        "heat": None if overview else figures.heat_grid(user, period, scope, rows=rows),
        "circle_heat": (
            figures.heat_grids_by_circle(user, period, kinds["circles"], rows=rows if not scope.circle_id else None)
            if overview
            else None
        ),
        "intervals": figures.intervals(user, period, scope, circles=circles, rows=rows),
        "backlog": figures.backlog(user, period, scope),
        "teams": figures.teams(user, period, scope),
        "tips": figures.tips(user, period, scope),
        "mediation": figures.mediation(user, period, scope),
        "hazards": figures.hazards(user, period, scope),
        "alerts": figures.alerts(user, period, scope),
        "hotspots": figures.hotspots(user, period, scope, rows=rows),
        "party": figures.party(user, period, scope),
    }


def _heat_spec(chart_id: str, heat: dict) -> dict:
    return {
        "id": chart_id,
        "kind": "heatmap",
        "x": [f"{h:02d}" for h in range(24)],
        "y": heat["weekdays"],
        "max": heat["max"],
        "data": [{"value": [hour, weekday - 1, n], "url": url} for weekday, hour, n, url in figures.heat_cells(heat)],
    }


def chart_specs(data: dict, *, compare_circles: bool) -> list[dict]:
    """What dashboard.js draws: one spec per chart; every data item that counts incidents has its `url`."""
    kinds, intervals = data["kinds"], data["intervals"]
    this, before = _("This period"), _("Previous period")
    specs = [
        {
            "id": "chart-category",
            "kind": "bar",
            "horizontal": True,
            "categories": [c["label"] for c in kinds["categories"]],
            "series": [
                {"name": this, "data": [{"value": c["count"], "url": c["url"]} for c in kinds["categories"]]},
                {"name": before, "data": [{"value": c["previous"]} for c in kinds["categories"]]},
            ],
        },
        {
            "id": "chart-priority",
            "kind": "bar",
            "categories": [p["value"] for p in kinds["priorities"]],
            "series": [
                {"name": this, "data": [{"value": p["count"], "url": p["url"]} for p in kinds["priorities"]]},
                {"name": before, "data": [{"value": p["previous"]} for p in kinds["priorities"]]},
            ],
        },
        {
            "id": "chart-backlog",
            "kind": "bar",
            "categories": [b["label"] for b in data["backlog"]["buckets"]],
            "series": [
                {
                    "name": _("Open incidents"),
                    "data": [{"value": b["count"], "url": b["url"]} for b in data["backlog"]["buckets"]],
                }
            ],
        },
    ]
    if data["heat"] is not None:
        specs.append(_heat_spec("chart-heat", data["heat"]))
    for circle_id, heat in (data["circle_heat"] or {}).items():
        specs.append(_heat_spec(f"chart-heat-{circle_id}", heat))
    for name, label in intervals["labels"].items():
        circles = intervals["circles"]
        specs.append(
            {
                "id": f"chart-interval-{name}",
                "kind": "bar",
                "title": label,
                "unit": _("min"),
                "categories": [c["label"] for c in circles],
                "series": [
                    {
                        "name": _("Median"),
                        "data": [{"value": _minutes(c[name]["median"]), "url": c[name]["url"]} for c in circles],
                    },
                    {
                        "name": _("90th percentile"),
                        "data": [{"value": _minutes(c[name]["p90"]), "url": c[name]["url"]} for c in circles],
                    },
                ],
            }
        )
    teams = data["teams"]
    if teams["patrol_share_pct"] is not None:
        specs.append(
            {
                "id": "chart-time-share",
                "kind": "pie",
                "data": [
                    {"name": _("Patrol"), "value": teams["patrol_hours"]},
                    {"name": _("Response"), "value": teams["response_hours"]},
                ],
            }
        )
    if compare_circles:
        circles = kinds["circles"]
        specs.append(
            {
                "id": "chart-circles",
                "kind": "bar",
                "categories": [c["label"] for c in circles],
                "series": [
                    {"name": this, "data": [{"value": c["count"], "url": c["url"]} for c in circles]},
                    {"name": before, "data": [{"value": c["previous"]} for c in circles]},
                ],
            }
        )
        specs.append(
            {
                "id": "chart-category-circle",
                "kind": "bar",
                "stack": True,
                "horizontal": True,
                "categories": [c["label"] for c in kinds["categories"]],
                "series": [
                    {
                        "name": circle["label"],
                        "colour": circle["colour"],
                        "data": [
                            {
                                "value": circle["categories"][c["value"]]["count"],
                                "url": circle["categories"][c["value"]]["url"],
                            }
                            for c in kinds["categories"]
                        ],
                    }
                    for circle in circles
                ],
            }
        )
    return specs


def json_script(value, element_id: str) -> str:
    """Django's `json_script` element, escaped alike (<, > and & as \\u escapes) with str.replace.

    The charts of a dashboard are some 100 kB of JSON: json_script's str.translate took 10–25 ms of the page.
    """
    text = json.dumps(value, cls=DjangoJSONEncoder)
    text = text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    return format_html('<script id="{}" type="application/json">{}</script>', element_id, mark_safe(text))


def _scope_label(user, scope: Scope) -> str:
    if scope.circle_id:
        circle = PatrolCircle.objects.visible_to(user).filter(pk=scope.circle_id).select_related("station").first()
        return f"{circle.station} · {circle}" if circle else ""
    if scope.station_id:
        station = Station.objects.visible_to(user).filter(pk=scope.station_id).first()
        return str(station or "")
    return _("All stations")


def _period_label(period: Period) -> str:
    first = formats.date_format(period.start.astimezone(figures.rollups.local_zone()).date(), "SHORT_DATE_FORMAT")
    last = formats.date_format(period.last_day, "SHORT_DATE_FORMAT")
    return first if first == last else f"{first} – {last}"


def _page(request, *, template: str, overview: bool):
    user = request.user
    form = DashboardForm(request.GET or None, user=user)
    if form.is_bound and not form.is_valid():
        return render(request, template, {"form": form, "overview": overview}, status=400)
    period, scope = form.period_value(), form.scope_value()
    if overview:
        scope = Scope(station_id=scope.station_id)  # side by side: every circle of the scope
    data = panels(user, period, scope, overview=overview)
    context = {
        "form": form,
        "overview": overview,
        "period": period,
        "period_label": _period_label(period),
        "previous_label": _period_label(period.previous()),
        "scope": scope,
        "scope_label": _scope_label(user, scope),
        "data": data,
        "charts": chart_specs(data, compare_circles=overview),
        "hotspot_layer": data["hotspots"]["cells"],
    }
    context["charts_script"] = json_script(context["charts"], "dashboard-charts")
    if overview:
        context["circle_heat"] = [
            {"circle": circle, "heat": data["circle_heat"][circle["id"]]} for circle in data["kinds"]["circles"]
        ]
    return render(request, template, context)


@login_required
@permission_required("incidents.view_incident", raise_exception=True)
def commander(request):
    """A station commander's dashboard: their station (sub-bureau staff may pick one), its circles."""
    return _page(request, template="dashboards/commander.html", overview=False)


@login_required
@permission_required("incidents.view_incident", raise_exception=True)
def overview(request):
    """The sub-bureau's circles side by side; a commander sees only their own station's."""
    return _page(request, template="dashboards/overview.html", overview=True)
