"""The loader of the lists benchmark (issue 19): N domande with W workers each, written with COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench_lists \
        .venv/bin/python bench/carica_liste.py --domande 100000 --lavoratori 10

Recreates the database named in DATABASE_URL (never another), migrates it, then loads: one company
per ten domande, each with a site; one company ("Impresa Grande") with 5,000 domande and its legal
representative; an intermediary enabled for 20 companies; a regional officer; 95% of the domande
submitted and registered (with a 2 KB `dati_presentati` snapshot, as a real submission has), 5% drafts;
W workers per domanda, each with their own codice fiscale. Prints the time of each step.
"""

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aminder.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("REDIS_URL", None)

import django
import psycopg

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connection, transaction  # noqa: E402

GRANDE = 5_000  # domande of the big company (issue 19: "company with 5,000 domande")
ABILITATE = 20  # companies the intermediary may act for
STATI = ["PRESENTATA"] * 4 + ["IN_ISTRUTTORIA"] * 2 + ["AMMISSIBILE", "NON_AMMISSIBILE", "AUTORIZZATA"]
LETTERE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def b26(n: int, cifre: int) -> str:
    out = []
    for _ in range(cifre):
        n, r = divmod(n, 26)
        out.append(LETTERE[r])
    return "".join(reversed(out))


def cf_lavoratore(n: int) -> str:
    """A personal codice fiscale's shape (16 characters), one per worker."""
    return f"W{b26(n, 5)}80A01L219X"


def cf_legale(n: int) -> str:
    return f"R{b26(n, 5)}70B02L219X"


def cf_azienda(n: int) -> str:
    return f"{30000000000 + n}"


def ricrea_database() -> None:
    db = settings.DATABASES["default"]
    nome = db["NAME"]
    if not nome.startswith("aminder_bench"):
        sys.exit(f"Il caricatore ricrea solo database aminder_bench*, non {nome}")
    admin = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    )  # fmt: skip
    admin.execute(f'DROP DATABASE IF EXISTS "{nome}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{nome}"')
    admin.close()


def copy(tabella: str, colonne: list[str], righe) -> int:
    """COPY rows (tuples of already-formatted text, None for NULL) into a table, in chunks."""
    n = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {tabella} ({', '.join(colonne)}) FROM STDIN") as cp,
    ):
        buffer = io.StringIO()
        for riga in righe:
            buffer.write("\t".join(r"\N" if v is None else str(v) for v in riga))
            buffer.write("\n")
            n += 1
            if n % 50_000 == 0:
                cp.write(buffer.getvalue())
                buffer = io.StringIO()
        cp.write(buffer.getvalue())
    return n


def prossimo_id(tabella: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {tabella}")  # noqa: S608 (our table names)
        return cursor.fetchone()[0]


def allinea_sequenza(tabella: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{tabella}', 'id'), (SELECT MAX(id) FROM {tabella}))"  # noqa: S608
        )


class Passi:
    def __init__(self) -> None:
        self.inizio = time.perf_counter()

    def __call__(self, nome: str, n: int | None = None) -> None:
        ora = time.perf_counter()
        righe = f" {n:,} righe" if n is not None else ""
        print(f"  {nome}:{righe} {ora - self.inizio:.1f} s", flush=True)
        self.inizio = ora


def carica(n_domande: int, per_domanda: int, seme: int = 19) -> None:
    from tests.anagrafica.factories import UserFactory
    from tests.claims.factories import DomandaFactory

    rnd = random.Random(seme)
    passo = Passi()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the model's receipt e-mail
    modello = DomandaFactory(presentata=True)  # a misura, a comune, a CPI: the reference rows
    misura_id, comune_id = modello.misura_id, modello.sede.comune_id
    cpi_id = modello.sede.comune.cpi.values_list("pk", flat=True).first()
    funzionario = UserFactory(funzionario=True, username="funzionario")
    legale = UserFactory(username="legale", codice_fiscale=cf_legale(0))
    intermediario = UserFactory(username="intermediario", codice_fiscale="INTRMD80A01L219X")
    creatore = legale.pk
    passo("riferimenti")

    n_aziende = max(n_domande // 10, ABILITATE + 1)
    primo_azienda = prossimo_id("anagrafica_azienda")
    adesso = "2026-11-01 09:00:00+01"
    aziende = (
        (
            primo_azienda + i, adesso, adesso, cf_azienda(i), cf_azienda(i),
            "Impresa Grande S.p.A." if i == 0 else f"{rnd.choice(NOMI)} {rnd.choice(COGNOMI)} {i} S.r.l.",
            "", ("25.62.00", "56.10.11", "47.11.10")[i % 3], "", "", "", "", "", "Via Roma 1", comune_id,
            "10121", cf_legale(i), "Mario", f"Rossi{i}",
        )
        for i in range(n_aziende)
    )  # fmt: skip
    n = copy(
        "anagrafica_azienda",
        ["id", "created_at", "updated_at", "codice_fiscale", "partita_iva", "ragione_sociale",
         "forma_giuridica", "codice_ateco", "ccnl", "matricola_inps", "telefono", "fax", "pec", "indirizzo",
         "comune_id", "cap", "lr_codice_fiscale", "lr_nome", "lr_cognome"],
        aziende,
    )  # fmt: skip
    passo("aziende", n)
    primo_sede = prossimo_id("anagrafica_sede")
    n = copy(
        "anagrafica_sede",
        ["id", "created_at", "updated_at", "azienda_id", "denominazione", "indirizzo", "comune_id", "cap"],
        ((primo_sede + i, adesso, adesso, primo_azienda + i, "Stabilimento", "Via Po 2", comune_id, "10121")
         for i in range(n_aziende)),
    )  # fmt: skip
    passo("sedi", n)
    n = copy(
        "anagrafica_abilitazione",
        ["created_at", "updated_at", "azienda_id", "codice_fiscale", "denominazione", "cpi_id", "valida_dal",
         "valida_al", "concessa_da_id", "revocata_il", "revocata_da_id"],
        ((adesso, adesso, primo_azienda + i, intermediario.codice_fiscale, "Studio di consulenza", cpi_id,
          "2026-01-01", None, funzionario.pk, None, None) for i in range(1, ABILITATE + 1)),
    )  # fmt: skip
    passo("abilitazioni", n)

    # Domande: the big company's first, then the others spread over every other company.
    primo_domanda = prossimo_id("claims_domanda")
    primo_reg = prossimo_id("claims_registrazioneprotocollo")
    base = dt.datetime(2025, 1, 1, 8, tzinfo=dt.UTC)
    passo_tempo = (dt.datetime(2026, 11, 1, tzinfo=dt.UTC) - base) / n_domande
    dati = json.dumps({"nota": "x" * 1900, "lavoratori": per_domanda}).replace("\\", "\\\\")
    aziende_di = [0] * min(GRANDE, n_domande) + [
        1 + rnd.randrange(n_aziende - 1) for _ in range(max(n_domande - GRANDE, 0))
    ]
    rnd.shuffle(aziende_di)
    registrate: list[tuple] = []
    numeri: dict[int, int] = {}

    def domande():
        for i, a in enumerate(aziende_di):
            creata = base + passo_tempo * i
            bozza = rnd.random() < 0.05
            inizio = creata.date() + dt.timedelta(days=rnd.randrange(30))
            reg = None
            if not bozza:
                numeri[creata.year] = numero = numeri.get(creata.year, 100) + 1  # past the model domanda's
                reg = primo_reg + len(registrate)
                registrate.append(
                    (reg, creata.year, numero, creata + dt.timedelta(seconds=5), primo_domanda + i)
                )
            yield (
                primo_domanda + i, creata, creata, primo_azienda + a, primo_sede + a, misura_id,
                "BOZZA" if bozza else rnd.choice(STATI), inizio, inizio + dt.timedelta(days=rnd.randrange(7, 90)),
                "Anna Bianchi", "anna@example.it", "", None, "", "", None, "f", "t", "t", creatore,
                None if bozza else creata, None if bozza else creatore, None if bozza else dati, "", None, None,
                reg,
            )  # fmt: skip

    with transaction.atomic():  # the foreign key to the register is checked at commit (DEFERRABLE)
        n_domande_copiate = copy(
        "claims_domanda",
        ["id", "created_at", "updated_at", "azienda_id", "sede_id", "misura_id", "stato", "data_inizio",
         "data_fine", "referente_nome", "referente_email", "referente_telefono", "accordo_data", "accordo_file",
         "accordo_sha256", "numero_dipendenti", "dichiara_danno", "dichiara_assenza_altri_ammortizzatori",
         "dichiara_veridicita", "creata_da_id", "presentata_il", "presentata_da_id", "dati_presentati",
         "codice_autorizzazione_inps", "assegnata_a_id", "sostituisce_id", "registrazione_id"],
        domande(),
        )  # fmt: skip
        n = copy(
            "claims_registrazioneprotocollo",
            ["id", "anno", "numero", "registrata_il", "tipo_documento", "oggetto", "impronta", "codice_verifica"],
            ((reg, anno, numero, il, "domanda", f"Domanda n. {pk}", "0" * 64, f"V{reg:019d}")
             for reg, anno, numero, il, pk in registrate),
        )  # fmt: skip
    passo(f"domande ({n_domande_copiate:,}) e registrazioni", n)

    qualifiche = ["OPERAIO", "IMPIEGATO", "QUADRO", "APPRENDISTA"]
    contratti = ["INDETERMINATO", "DETERMINATO", "APPRENDISTATO", "INTERMITTENTE"]
    n = copy(
        "claims_lavoratore",
        ["domanda_id", "codice_fiscale", "cognome", "nome", "qualifica", "tipo_contratto", "ore_settimanali",
         "ore_richieste", "data_assunzione", "giorni_settimana", "giorni_richiesti", "ore_autorizzate"],
        ((primo_domanda + i // per_domanda, cf_lavoratore(i), COGNOMI[i % len(COGNOMI)], NOMI[i % len(NOMI)],
          qualifiche[i % 4], contratti[i % 4], "40.0", f"{8 * (1 + i % 20)}.0", "2020-01-01", None, None, None)
         for i in range(n_domande * per_domanda)),
    )  # fmt: skip
    passo("lavoratori", n)
    for tabella in (
        "anagrafica_azienda",
        "anagrafica_sede",
        "claims_domanda",
        "claims_registrazioneprotocollo",
    ):
        allinea_sequenza(tabella)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    passo("vacuum analyze")


NOMI = ["Mario", "Giulia", "Luca", "Francesca", "Marco", "Chiara", "Paolo", "Sara", "Andrea", "Elena"]
COGNOMI = ["Rossi", "Ferrero", "Bianchi", "Gallo", "Costa", "Fontana", "Conti", "Greco", "Bruno", "Romano"]


def gia_caricato(n_domande: int, per_domanda: int) -> bool:
    """The database holds a load of this size already (the model domanda is the one more)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM claims_domanda")
            domande = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM claims_lavoratore")
            lavoratori = cursor.fetchone()[0]
    except DatabaseError:
        return False
    finally:
        connection.close()
    return domande == n_domande + 1 and lavoratori >= n_domande * per_domanda


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--domande", type=int, default=100_000)
    parser.add_argument("--lavoratori", type=int, default=10, help="lavoratori per domanda")
    parser.add_argument("--ricarica", action="store_true", help="ricarica anche se i dati ci sono già")
    args = parser.parse_args()
    if not args.ricarica and gia_caricato(args.domande, args.lavoratori):
        print(f"Dati già caricati ({args.domande:,} domande): nessun caricamento (--ricarica per rifarlo)")
        return
    inizio = time.perf_counter()
    print(f"Caricamento: {args.domande:,} domande, {args.domande * args.lavoratori:,} lavoratori")
    ricrea_database()
    connection.close()
    call_command("migrate", verbosity=0)
    print(f"  database ricreato e migrato: {time.perf_counter() - inizio:.1f} s")
    carica(args.domande, args.lavoratori)
    print(f"Caricamento completato in {time.perf_counter() - inizio:.0f} s")


if __name__ == "__main__":
    main()
