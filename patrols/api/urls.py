from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("stations", views.StationViewSet)
router.register("circles", views.CircleViewSet)
router.register("teams", views.TeamViewSet)
router.register("patrol-posts", views.PostViewSet)
router.register("cameras", views.CameraViewSet)
router.register("members", views.MemberViewSet)
router.register("informants", views.InformantViewSet)
router.register("patrol-shifts", views.ShiftViewSet)

urlpatterns = router.urls
