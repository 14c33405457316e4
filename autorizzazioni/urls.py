from django.urls import path

from . import views

app_name = "autorizzazioni"

urlpatterns = [
    path("autorizzate/", views.autorizzate, name="autorizzate"),
    path("autorizzate.csv", views.autorizzate_csv, name="autorizzate_csv"),
]
