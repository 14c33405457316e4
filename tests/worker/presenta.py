"""A submission as far as the protocol register is concerned: in one transaction the domanda is
marked submitted and a number is requested after the commit. Run as a script it submits in a fresh
process, configured by the environment (used to submit while the broker is unreachable)."""

import os
import sys
import time

from django.db import transaction
from django.utils import timezone


def presenta(pk: int) -> None:
    from claims.constants import StatoDomanda
    from claims.models import Domanda
    from protocollo.services import protocollo_request

    with transaction.atomic():
        domanda = Domanda.objects.select_for_update().get(pk=pk)
        domanda.stato = StatoDomanda.PRESENTATA
        domanda.presentata_il = timezone.now()
        domanda.presentata_da = domanda.creata_da
        domanda.dati_presentati = {"domanda": pk, "sede": domanda.sede_id}
        domanda.save()
        protocollo_request(domanda)


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
    django.setup()
    inizio = time.monotonic()
    presenta(int(sys.argv[1]))
    print(f"presentata in {time.monotonic() - inizio:.3f} s")
