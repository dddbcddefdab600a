"""Pages of the project itself: the home page and the map."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from patrols.choices import DutyState, PostKind
from patrols.models import Camera, PatrolCircle, PatrolPost, PatrolTeam

# The symbol drawn for each kind of post on the map and in its legend (one place for both).
POST_SYMBOLS = {
    PostKind.POLICE_OFFICE: "👮",
    PostKind.SECURITY_BOOTH: "🚨",
    PostKind.LEI_FENG_STATION: "🤝",
    PostKind.VANGUARD_POST: "⭐",
    PostKind.MEDIATION_ROOM: "⚖",
}


@login_required
def home(request):
    """A summary of what the user's scope holds: circles, teams and their duty state, posts and cameras."""
    user = request.user
    posts = PatrolPost.objects.visible_to(user)
    context = {
        "circles": PatrolCircle.objects.visible_to(user).active().select_related("station"),
        "teams": PatrolTeam.objects.visible_to(user).select_related("circle", "station"),
        "post_count": posts.count(),
        "posts_by_kind": _posts_by_kind(posts),
        "camera_count": Camera.objects.visible_to(user).count(),
        "working_camera_count": Camera.objects.visible_to(user).filter(is_active=True).count(),
    }
    return render(request, "portal/home.html", context)


def _posts_by_kind(posts) -> list[dict]:
    counts = dict(posts.order_by().values_list("kind").annotate(n=Count("pk")))
    return [
        {"kind": kind, "label": label, "symbol": POST_SYMBOLS.get(kind, "•"), "count": counts[kind]}
        for kind, label in PostKind.choices
        if counts.get(kind)
    ]


@login_required
def map_page(request):
    """The map of the user's scope. Its layers are fetched by static/portal/js/map.js from the GeoJSON API."""
    layers = {
        "circles": reverse("patrolcircle-list") + "?format=geojson",
        "posts": reverse("patrolpost-list") + "?format=geojson",
        "cameras": reverse("camera-list") + "?format=geojson",
        "teams": reverse("patrolteam-list") + "?format=geojson",
    }
    map_config = {
        "layers": layers,
        "layerNames": {
            "circles": _("Patrol circles"),
            "posts": _("Patrol posts"),
            "cameras": _("Cameras"),
            "teams": _("Patrol teams"),
        },
        "postSymbols": {str(kind): symbol for kind, symbol in POST_SYMBOLS.items()},
        "labels": {
            "kind": _("Kind"),
            "focus": _("Focus"),
            "brand": _("Brand"),
            "station": _("Station"),
            "staffed": _("Staffed"),
            "address": _("Address"),
            "coverage": _("Coverage radius"),
            "metres": _("m"),
            "status": _("Status"),
            "notWorking": _("Not working"),
            "dutyState": _("Duty state"),
            "details": _("Details"),
            "loadFailed": _("A map layer could not be loaded. Reload the page to try again."),
        },
    }
    if request.user.has_perm("partyorg.view_responsibilityzone") and request.user.has_perm(
        "partyorg.view_vanguardpost"
    ):
        # The party organisation's layers: loaded after the four above, one at a time (see map.js).
        map_config["party"] = {
            "layers": {
                "zones": reverse("responsibilityzone-list") + "?format=geojson",
                "vanguard": reverse("vanguardpost-list") + "?format=geojson",
            },
            "names": {"zones": _("Party responsibility zones"), "vanguard": _("Party vanguard posts")},
            "labels": {"circle": _("Circle"), "tasks": _("Tasks"), "members": _("Party members")},
        }
    if request.user.has_perm("incidents.view_incident"):
        # Kept apart from `layers`: the incidents layer has its own time filter and reloads when it changes.
        map_config["incidents"] = {
            "url": reverse("incidents:incident_geojson"),
            "periods": [["24h", _("Last 24 hours")], ["7d", _("Last 7 days")], ["30d", _("Last 30 days")]],
            "period": "7d",
            "name": _("Incidents"),
            "labels": {
                "category": _("Category"),
                "priority": _("Priority"),
                "status": _("Status"),
                "occurred": _("Occurred"),
                "period": _("Incidents of"),
            },
        }
    return render(
        request,
        "portal/map.html",
        {
            "map_config": map_config,
            "post_kinds": [(kind, label, POST_SYMBOLS[kind]) for kind, label in PostKind.choices],
            "duty_states": DutyState.choices,
        },
    )
