"""Register, in this process, every submitted document still without a protocol number, and make
the receipts still missing. The same work as the beat task `protocollo.tasks.sweep_outbox`, without
the broker: for when Redis or the workers are down, or after restoring a backup."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from protocollo import registry
from protocollo.models import RegistrazioneProtocollo
from protocollo.selectors import documenti_in_attesa, registrazioni_senza_ricevuta_inviata
from protocollo.services import protocollo_register, ricevuta_create, ricevuta_send


class Command(BaseCommand):
    help = "Protocolla i documenti presentati ancora senza numero e genera le ricevute mancanti."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=0,
            metavar="SECONDI",
            help="Solo i documenti in attesa da almeno tanti secondi (default 0: tutti).",
        )
        parser.add_argument(
            "--senza-ricevute", action="store_true", help="Non generare né inviare le ricevute mancanti."
        )

    def handle(self, *args: Any, older_than: int, senza_ricevute: bool, **options: Any) -> None:
        soglia = timezone.now() - dt.timedelta(seconds=older_than)
        registrati = errori = 0
        in_attesa = [
            (tipo, pk) for tipo, qs in documenti_in_attesa(soglia) for pk in qs.values_list("pk", flat=True)
        ]
        for tipo, pk in in_attesa:
            nome = f"{registry.etichetta(tipo)} {pk}"
            try:
                registrazione = protocollo_register(tipo=tipo, pk=pk)
            except Exception as exc:
                errori += 1
                self.stderr.write(f"{nome}: non protocollato: {exc}")
                continue
            registrati += 1
            self.stdout.write(f"{nome}: protocollo {registrazione.segnatura}")

        ricevute = 0
        if not senza_ricevute:
            for registrazione in registrazioni_senza_ricevuta_inviata(timezone.now()):
                try:
                    _ricevuta(registrazione)
                except Exception as exc:
                    errori += 1
                    self.stderr.write(
                        f"Ricevuta {registrazione.segnatura}: non generata o non inviata: {exc}"
                    )
                    continue
                ricevute += 1
                self.stdout.write(f"Ricevuta {registrazione.segnatura}: generata e inviata")

        riepilogo = f"Protocollati {registrati} documenti, generate {ricevute} ricevute, {errori} errori."
        self.stdout.write(self.style.SUCCESS(riepilogo) if not errori else self.style.WARNING(riepilogo))


def _ricevuta(registrazione: RegistrazioneProtocollo) -> None:
    ricevuta_send(ricevuta=ricevuta_create(registrazione=registrazione))
