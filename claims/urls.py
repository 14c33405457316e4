from django.urls import path

from . import views

app_name = "claims"

urlpatterns: list = [
    path("domande/", views.domanda_list, name="domanda_list"),
    path("aziende/<int:pk>/domande/", views.azienda_domande, name="azienda_domande"),
    path("domande/nuova/", views.domanda_nuova, name="domanda_nuova"),
    path("domande/<int:pk>/", views.domanda_detail, name="domanda_detail"),
    path("domande/<int:pk>/passo/<int:numero>/", views.domanda_passo, name="domanda_passo"),
    path("domande/<int:pk>/elimina/", views.domanda_elimina, name="domanda_elimina"),
    path("domande/<int:pk>/lavoratori/riga/", views.lavoratore_riga, name="lavoratore_riga"),
    path(
        "domande/<int:pk>/lavoratori/modello.<str:formato>",
        views.lavoratori_modello,
        name="lavoratori_modello",
    ),
    path("domande/<int:pk>/protocollo/", views.domanda_protocollo, name="domanda_protocollo"),
    path("domande/<int:pk>/ricevuta/", views.domanda_ricevuta, name="domanda_ricevuta"),
    path("domande/<int:pk>/prospetto/", views.domanda_prospetto, name="domanda_prospetto"),
    path("domande/<int:pk>/accordo/", views.domanda_accordo, name="domanda_accordo"),
    path("domande/<int:pk>/rettifica/", views.domanda_rettifica_view, name="domanda_rettifica"),
    path("domande/<int:pk>/richieste/", views.domanda_richiesta, name="domanda_richiesta"),
]
