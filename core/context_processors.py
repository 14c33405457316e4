from django.conf import settings


def aminder(request):
    return {
        "REGIONE": settings.AMINDER_REGIONE,
        "DEV_LOGIN_ENABLED": settings.DEV_LOGIN_ENABLED,
        # The idle timeout, for the warning that offers to stay signed in.
        "SESSIONE_SECONDI": settings.SESSION_COOKIE_AGE,
    }
