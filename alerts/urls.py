"""Pages of the alerts app, under /alerts/ (namespace `alerts`)."""

from django.urls import path

from portal.generic import object_urls

from . import views

app_name = "alerts"


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
    *_crud(
        "alert",
        "alerts",
        "Alert",
        approve=("<int:pk>/approve/", views.AlertApproveView),
        cancel=("<int:pk>/cancel/", views.AlertCancelView),
        follow_up=("<int:pk>/update/", views.AlertFollowUpView),
        deliveries=("<int:pk>/deliveries/", views.AlertDeliveriesView),
    ),
    *_crud("audience", "audiences", "Audience"),
    *_crud("endpoint", "endpoints", "Endpoint"),
    path("deliveries/dead/", views.DeadDeliveryListView.as_view(), name="delivery_dead"),
    path("deliveries/<int:pk>/retry/", views.DeliveryRetryView.as_view(), name="delivery_retry"),
    path("ack/<str:token>/", views.AckView.as_view(), name="ack"),
    path("feed/", views.CurrentAlertsFeed(), name="feed"),
    path("schedules/", views.schedule_list, name="schedule_list"),
]
