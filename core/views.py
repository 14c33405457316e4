from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def accessibilita(request: HttpRequest) -> HttpResponse:
    """Dichiarazione di accessibilità: AgID requires it for every public-administration site
    (Legge 4/2004 art. 3-quater; Linee guida AgID sull'accessibilità degli strumenti informatici)."""
    return render(
        request,
        "core/accessibilita.html",
        {"public_url": settings.AMINDER_PUBLIC_URL},
    )
