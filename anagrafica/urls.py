app_name = "anagrafica"

urlpatterns: list = []
