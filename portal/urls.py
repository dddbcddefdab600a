from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import health, views, views_audit, views_tokens

api_v1 = [
    path("", include("patrols.api.urls")),
    path("", include("incidents.api.urls")),
    path("", include("partyorg.api.urls")),
    path("", include("alerts.api.urls")),
    path("", include("portal.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.map_page, name="map"),
    path("healthz", health.healthz, name="healthz"),
    path("audit/", views_audit.AuditLogView.as_view(), name="audit_log"),
    path("audit/access/", views_audit.AccessLogView.as_view(), name="access_log"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("patrols/", include("patrols.urls")),
    path("incidents/", include("incidents.urls")),
    path("party/", include("partyorg.urls")),
    path("alerts/", include("alerts.urls")),
    path("dashboards/", include("portal.dashboards.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves Swagger UI's start-up script as a file: the CSP allows no inline script
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/tokens/", views_tokens.TokenListView.as_view(), name="token_list"),
    path("api/tokens/new/", views_tokens.TokenCreateView.as_view(), name="token_create"),
    path("api/tokens/<int:pk>/revoke/", views_tokens.TokenRevokeView.as_view(), name="token_revoke"),
    path("admin/", admin.site.urls),
]
