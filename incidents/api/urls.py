from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("incidents", views.IncidentViewSet)
router.register("tips", views.TipViewSet)
router.register("mediation-cases", views.MediationCaseViewSet)
router.register("hazards", views.HazardViewSet)
router.register("service-types", views.ServiceTypeViewSet)
router.register("service-requests", views.ServiceRequestViewSet)

urlpatterns = router.urls
