from django.urls import path

from core import sessione, views

app_name = "core"

urlpatterns = [
    path("accessibilita/", views.accessibilita, name="accessibilita"),
    path("sessione/rinnova/", sessione.sessione_rinnova, name="sessione_rinnova"),
]
