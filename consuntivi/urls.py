app_name = "consuntivi"

urlpatterns: list = []
