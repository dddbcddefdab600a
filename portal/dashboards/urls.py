"""Dashboards of station commanders and the sub-bureau (figures from rollup tables)."""

from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.commander, name="commander"),
    path("overview/", views.overview, name="overview"),
]
