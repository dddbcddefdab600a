"""Pages of the project itself: the home page and the map."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from patrols.choices import DutyState, PostKind
from patrols.models import Camera, PatrolCircle, PatrolPost, PatrolTeam


@login_required
def home(request):
    user = request.user
    context = {
        "circles": PatrolCircle.objects.visible_to(user).active().select_related("station"),
        "teams": PatrolTeam.objects.visible_to(user).select_related("circle", "station"),
        "post_count": PatrolPost.objects.visible_to(user).count(),
        "camera_count": Camera.objects.visible_to(user).count(),
    }
    return render(request, "portal/home.html", context)


@login_required
def map_page(request):
    layers = {
        "circles": "/api/v1/circles/?format=geojson",
        "posts": "/api/v1/patrol-posts/?format=geojson",
        "cameras": "/api/v1/cameras/?format=geojson",
        "teams": "/api/v1/teams/?format=geojson",
    }
    return render(request, "portal/map.html", {
        "layers": layers, "post_kinds": PostKind.choices, "duty_states": DutyState.choices,
    })
