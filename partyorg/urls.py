"""Pages of the party organisation, under /party/: `partyorg:<model>_list`, `_detail`, `_create`, `_update`,
and the party-building pages `partyorg:overview` and `partyorg:station_overview`."""

from django.urls import path

from portal.generic import object_urls

from . import views

app_name = "partyorg"


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
    path("", views.OverviewView.as_view(), name="overview"),
    path("stations/<int:pk>/", views.StationOverviewView.as_view(), name="station_overview"),
    *_crud("branch", "branches", "Branch"),
    *_crud("group", "groups", "Group"),
    *_crud("partymember", "members", "PartyMember", remove=("<int:pk>/remove/", views.PartyMemberRemoveView)),
    *_crud("zone", "zones", "Zone"),
    *_crud("vanguardpost", "vanguard-posts", "VanguardPost"),
    *_crud("duty", "rota", "Duty"),
    *_crud("communitybranch", "community-branches", "CommunityBranch"),
    *_crud("secondment", "secondments", "Secondment"),
    *_crud("partner", "partners", "Partner", reveal=("<int:pk>/reveal/", views.PartnerRevealView)),
    *_crud("activity", "activities", "Activity"),
]
