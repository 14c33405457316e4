from django.urls import path

from . import views_verifica

app_name = "claims"

urlpatterns: list = [
    path("verifica/", views_verifica.verifica, name="verifica"),
]
