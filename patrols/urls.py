"""Pages of the patrol network: `patrols:<model>_list`, `_detail`, `_create`, `_update` for each model."""

from portal.generic import object_urls

from . import views

app_name = "patrols"


def _crud(stem: str, route: str, prefix: str, **extra) -> list:
    return object_urls(
        stem,
        route,
        app_name,
        list_view=getattr(views, f"{prefix}ListView"),
        detail_view=getattr(views, f"{prefix}DetailView"),
        create_view=getattr(views, f"{prefix}CreateView"),
        update_view=getattr(views, f"{prefix}UpdateView"),
        extra=extra,
    )


urlpatterns = [
    *_crud("station", "stations", "Station"),
    *_crud("circle", "circles", "Circle"),
    *_crud("team", "teams", "Team", duty=("<int:pk>/duty/", views.TeamDutyView)),
    *_crud("post", "posts", "Post"),
    *_crud("member", "members", "Member", reveal=("<int:pk>/reveal/", views.MemberRevealView)),
    *_crud("informant", "informants", "Informant", reveal=("<int:pk>/reveal/", views.InformantRevealView)),
    *_crud("camera", "cameras", "Camera"),
    *_crud("shift", "shifts", "Shift"),
]
