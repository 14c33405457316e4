from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from anagrafica.api import AziendaViewSet
from claims.api import DomandaViewSet, MisuraViewSet
from consuntivi.api import ConsuntivoViewSet, DomandaConsuntiviView

router = SimpleRouter()
router.register("aziende", AziendaViewSet, basename="azienda")
router.register("domande", DomandaViewSet, basename="domanda")
router.register("misure", MisuraViewSet, basename="misura")
router.register("consuntivi", ConsuntivoViewSet, basename="consuntivo")

v1 = [
    *router.urls,
    path("domande/<str:domanda_id>/consuntivi/", DomandaConsuntiviView.as_view(), name="domanda-consuntivi"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script, so the CSP holds.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="core/swagger_ui.html"),
        name="api-docs",
    ),
    path("v1/", include((v1, "api"), namespace="api-v1")),
]
