from django.conf import settings


def aminder(request):
    return {
        "REGIONE": settings.AMINDER_REGIONE,
        "DEV_LOGIN_ENABLED": settings.DEV_LOGIN_ENABLED,
    }
