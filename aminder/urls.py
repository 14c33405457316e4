from django.contrib import admin
from django.urls import include, path

from aminder import observability

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("anagrafica.urls")),
    path("", include("claims.urls")),
    path("", include("consuntivi.urls")),
    path("", include("autorizzazioni.urls")),
    path("", include("protocollo.urls")),
    path("", include("core.urls")),
    path("api/", include("aminder.api_urls")),
    path("health/live/", observability.health_live(), name="health-live"),
    path("health/ready/", observability.health_ready(), name="health-ready"),
    path("health/", observability.health_full(), name="health"),
    path("metrics", observability.metrics, name="metrics"),
]
