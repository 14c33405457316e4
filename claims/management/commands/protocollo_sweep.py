"""Register, in this process, every submitted document still without a protocol number, and make
the receipts still missing. The same work as the beat task `claims.tasks.sweep_outbox`, without
the broker: for when Redis or the workers are down, or after restoring a backup."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from claims.models import Domanda, RegistrazioneProtocollo
from claims.services.protocollo import (
    consuntivi_in_attesa,
    domande_in_attesa,
    protocollo_register,
    registrazioni_senza_ricevuta_inviata,
)
from consuntivi.models import Consuntivo


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
        documenti: list[Domanda | Consuntivo] = [*domande_in_attesa(soglia), *consuntivi_in_attesa(soglia)]
        for documento in documenti:
            nome = f"{documento._meta.verbose_name} {documento.pk}"
            try:
                registrazione = protocollo_register(documento=documento)
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
    from claims.services.ricevute import ricevuta_create, ricevuta_send

    ricevuta_send(ricevuta=ricevuta_create(registrazione=registrazione))
