from .views import inbox, incident

app_name = "incidents"

urlpatterns = incident.urlpatterns + inbox.urlpatterns
