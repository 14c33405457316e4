"""Run in the drill's environment: a company, its legal representative's API token and N drafts ready
to submit. Prints {"token": ..., "pks": [...]} as the last line."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
django.setup()

from anagrafica.services import api_token_regenerate  # noqa: E402
from tests.anagrafica.factories import AziendaFactory, SedeFactory, UserFactory  # noqa: E402
from tests.claims.factories import DomandaFactory  # noqa: E402

n = int(sys.argv[1])
mario = UserFactory(first_name="Mario", last_name="Rossi")
_riga, token = api_token_regenerate(actor=mario)
# One site per domanda: the drafts do not count against each other's weeks.
pks = [
    DomandaFactory(
        sede=SedeFactory(azienda=AziendaFactory(lr_codice_fiscale=mario.codice_fiscale)), creata_da=mario
    ).pk
    for _ in range(n)
]
print(json.dumps({"token": token, "pks": pks}))
