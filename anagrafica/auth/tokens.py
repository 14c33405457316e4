"""API authentication by `Authorization: Token <key>`, checked against the stored SHA-256 of the key.

DRF's own TokenAuthentication keeps the key in clear and never expires it; this class finds the
token by the digest of what the client sent, refuses it once expired or revoked, and refuses an
inactive user.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from anagrafica.models import ApiToken
from anagrafica.services import api_token_digest

MSG_TOKEN_NON_VALIDO = _("Token non valido.")
MSG_TOKEN_SCADUTO = _("Token scaduto o revocato: generane uno nuovo dal profilo.")


class HashedTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(digest=api_token_digest(key)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(MSG_TOKEN_NON_VALIDO)
        if not token.usable:
            raise exceptions.AuthenticationFailed(MSG_TOKEN_SCADUTO)
        return token.user, token
