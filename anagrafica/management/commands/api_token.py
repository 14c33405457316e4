from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from anagrafica.models import User
from anagrafica.services import api_token_regenerate
from anagrafica.validators import normalize_codice_fiscale


class Command(BaseCommand):
    help = (
        "Genera e stampa un nuovo token API per un utente (codice fiscale o username); i precedenti "
        "smettono di funzionare. Il token non è conservato in chiaro: annotarlo subito."
    )

    def add_arguments(self, parser):
        parser.add_argument("utente", help="codice fiscale o username")

    def handle(self, *args, **options):
        value = options["utente"].strip()
        user = User.objects.filter(
            Q(codice_fiscale=normalize_codice_fiscale(value)) | Q(username=value)
        ).first()
        if user is None:
            raise CommandError(f"Nessun utente con codice fiscale o username «{value}».")
        _token, key = api_token_regenerate(actor=user)
        self.stdout.write(key)
