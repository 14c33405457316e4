"""`manage.py flusso_b ANNO NUMERO [-o FILE]`: the Flusso B of a determinazione, valid against the XSD
and byte-identical to the one the backoffice hands out."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.exceptions import DomainError

from ...models import Determinazione
from ...services import determinazione_flusso_b


class Command(BaseCommand):
    help = "Scrive il Flusso B (XML per INPS) della determinazione ANNO NUMERO."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("anno", type=int)
        parser.add_argument("numero", type=int)
        parser.add_argument("-o", "--output", help="file di destinazione (predefinito: standard output)")

    def handle(self, *args, anno: int, numero: int, output: str | None = None, **options) -> None:
        determinazione = Determinazione.objects.filter(anno=anno, numero=numero).first()
        if determinazione is None:
            raise CommandError(f"Nessuna determinazione n. {numero}/{anno}.")
        try:
            contenuto = determinazione_flusso_b(actor=None, determinazione=determinazione)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if output:
            Path(output).write_bytes(contenuto)
            self.stderr.write(f"Flusso B della determinazione n. {numero}/{anno} scritto in {output}")
        else:
            self.stdout.write(contenuto.decode("utf-8"), ending="")
