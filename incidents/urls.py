from .views import imports, inbox, incident

app_name = "incidents"

urlpatterns = incident.urlpatterns + inbox.urlpatterns + imports.urlpatterns
