from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import deleted, views

router = SimpleRouter()
router.register("deleted", deleted.DeletedRecordViewSet)

urlpatterns = [
    *router.urls,
    # Last of /api/v1/ (portal/urls.py includes this module after every app's): a path no route takes
    # answers 404 in the error shape, not as an HTML page. Only paths ending with "/", so that
    # APPEND_SLASH still redirects "/api/v1/incidents" to "/api/v1/incidents/".
    re_path(r"^(?:.*/)?$", views.not_found),
]
