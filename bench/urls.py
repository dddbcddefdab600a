"""The portal's URLs plus the benchmark's naive and floor endpoints (for the in-process and HTTP runs)."""

from django.urls import include, path

from bench import baselines

urlpatterns = [
    path("bench/naive/incidents/", baselines.NaiveIncidentList.as_view(), name="bench_naive_list"),
    path("bench/floor/incidents/", baselines.floor_list_view, name="bench_floor_list"),
    path("", include("portal.urls")),
]
