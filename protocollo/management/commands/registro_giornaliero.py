"""Write the daily protocol register of one day as PDF and CSV (DPR 445/2000 art. 53 c. 2)."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from protocollo.services import registro_giornaliero


def _giorno(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Data non valida: {value!r}; usare il formato AAAA-MM-GG.") from None


class Command(BaseCommand):
    help = (
        "Scrive il registro giornaliero di protocollo di un giorno (ora italiana) in PDF e CSV: "
        "registro-protocollo-AAAA-MM-GG.pdf e .csv nella cartella indicata."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--giorno", type=_giorno, help="Giorno del registro, AAAA-MM-GG (predefinito: ieri)."
        )
        parser.add_argument("--out", type=Path, default=Path("."), help="Cartella di destinazione.")

    def handle(self, *args, giorno: dt.date | None, out: Path, **options):
        if giorno is None:
            giorno = timezone.now().astimezone(ZoneInfo("Europe/Rome")).date() - dt.timedelta(days=1)
        out.mkdir(parents=True, exist_ok=True)
        pdf, testo_csv = registro_giornaliero(giorno=giorno)
        nome = f"registro-protocollo-{giorno.isoformat()}"
        (out / f"{nome}.pdf").write_bytes(pdf)
        # utf-8-sig: the BOM makes spreadsheet programs read the accented letters correctly.
        (out / f"{nome}.csv").write_text(testo_csv, encoding="utf-8-sig", newline="")
        righe = testo_csv.count("\n") - 1
        self.stdout.write(
            f"Registro del {giorno:%d/%m/%Y}: {righe} registrazioni, scritto in {out / nome}.pdf/.csv"
        )
