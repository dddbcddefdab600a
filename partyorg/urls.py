app_name = "partyorg"

urlpatterns: list = []
