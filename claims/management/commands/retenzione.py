"""`manage.py retenzione`: one pass of the retention rules now (the beat runs it every night)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from claims.services.retenzione import bozze_scadute, domande_chiuse_scadute, retenzione_run


class Command(BaseCommand):
    help = (
        "Cancella le bozze non modificate da RETENZIONE_BOZZE_GIORNI giorni e anonimizza le domande "
        "chiuse da più di RETENZIONE_DOMANDE_CHIUSE_GIORNI giorni. Il registro di protocollo resta."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Conta soltanto, senza cancellare né anonimizzare."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        if dry_run:
            adesso = timezone.now()
            self.stdout.write(
                f"Da cancellare: {bozze_scadute(adesso).count()} bozze "
                f"(ferme da più di {settings.RETENZIONE_BOZZE_GIORNI} giorni); "
                f"da anonimizzare: {domande_chiuse_scadute(adesso).count()} domande chiuse "
                f"(da più di {settings.RETENZIONE_DOMANDE_CHIUSE_GIORNI} giorni)."
            )
            return
        esito = retenzione_run()
        self.stdout.write(
            f"Bozze cancellate: {esito.bozze_cancellate}; domande anonimizzate: {esito.domande_anonimizzate}."
        )
