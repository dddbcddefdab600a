from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("alerts", views.AlertViewSet, basename="alert")

urlpatterns = [
    path("alerts/intake/", views.WeatherIntakeView.as_view(), name="alert-intake"),
    *router.urls,
]
