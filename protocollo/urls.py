from django.urls import path

from . import views

app_name = "protocollo"

urlpatterns = [
    path("verifica/", views.verifica, name="verifica"),
]
