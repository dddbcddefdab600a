from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("responsibility-zones", views.ZoneViewSet)
router.register("vanguard-posts", views.VanguardPostViewSet)

urlpatterns = router.urls
