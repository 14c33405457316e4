from django.urls import path

from . import views

app_name = "consuntivi"

urlpatterns = [
    path("domande/<int:domanda_pk>/consuntivi/", views.consuntivo_list, name="lista"),
    path("domande/<int:domanda_pk>/consuntivi/nuovo/", views.consuntivo_create, name="nuovo"),
    path("domande/<int:domanda_pk>/consuntivi/carica/", views.caricamento_create, name="carica"),
    path(
        "domande/<int:domanda_pk>/consuntivi/caricamenti/<int:pk>/",
        views.caricamento_detail,
        name="caricamento",
    ),
    path(
        "domande/<int:domanda_pk>/consuntivi/caricamenti/<int:pk>/stato/",
        views.caricamento_stato,
        name="caricamento_stato",
    ),
    path(
        "domande/<int:domanda_pk>/consuntivi/caricamenti/<int:pk>/conferma/",
        views.caricamento_conferma,
        name="caricamento_conferma",
    ),
    path(
        "domande/<int:domanda_pk>/consuntivi/caricamenti/<int:pk>/errori.csv",
        views.caricamento_errori_csv,
        name="caricamento_errori",
    ),
    path(
        "domande/<int:domanda_pk>/consuntivi/modello.<str:formato>",
        views.modello,
        name="modello",
    ),
    path("consuntivi/<int:pk>/", views.consuntivo_detail, name="dettaglio"),
    path("consuntivi/<int:pk>/ricevuta/", views.consuntivo_ricevuta, name="ricevuta"),
    path("consuntivi/<int:pk>/sr41.csv", views.sr41_consuntivo, name="sr41_consuntivo"),
    path("consuntivi/sr41/", views.sr41_impresa, name="sr41"),
    path("backoffice/consuntivi/sr41/", views.sr41_regione, name="sr41_regione"),
    path("backoffice/consuntivi/cruscotto/", views.cruscotto, name="cruscotto"),
]
