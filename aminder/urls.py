from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("anagrafica.urls")),
    path("", include("claims.urls")),
    path("", include("consuntivi.urls")),
    path("", include("autorizzazioni.urls")),
    path("", include("protocollo.urls")),
    path("", include("core.urls")),
    path("api/", include("aminder.api_urls")),
]
