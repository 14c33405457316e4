"""Backup and restore drill: dump the database with pg_dump, restore the dump into a new database,
and check that the copy is whole.

    python scripts/backup_drill.py [--database-url URL] [--dump FILE] [--keep]

The verdict, printed last, is `ESITO: OK` (exit 0) only if:
- pg_dump and pg_restore succeed (custom format, restored with --exit-on-error);
- every table of the app has as many rows in the copy as in the original;
- in the copy, each year of the protocol register is numbered 1..N with no gap and no repeat, and
  the year's counter (django-sequences) stands at N, so the next number is N + 1;
- the append-only triggers are back in the copy (the register stays protected after a restore).

Otherwise `ESITO: FALLITO` with each problem (exit 1). The copy is dropped at the end unless --keep.
Run it against a recent copy of production, never while a migration runs (the counts would move).
`make backup-drill` runs it on DATABASE_URL.
"""

# subprocess runs pg_dump and pg_restore, with fixed argument lists and no shell (nosec below).
import argparse
import os
import shutil
import subprocess  # nosec B404
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

APP_TABLE_PREFIXES = (
    "anagrafica_",
    "protocollo_",
    "claims_",
    "consuntivi_",
    "autorizzazioni_",
    "core_",
    "sequences_",
    "auth_",
    "django_migrations",
)
TRIGGER_PREFIXES = ("claims_", "consuntivi_", "protocollo_", "autorizzazioni_")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--dump", help="dove scrivere il dump (predefinito: una cartella temporanea)")
    parser.add_argument("--keep", action="store_true", help="non cancellare il database ripristinato")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("Serve un DATABASE_URL PostgreSQL (--database-url o la variabile d'ambiente).", file=sys.stderr)
        return 2

    origine = args.database_url
    nome_origine = urlsplit(origine).path.lstrip("/")
    nome_copia = f"{nome_origine}_drill_{os.getpid()}"[:63]
    copia = _with_database(origine, nome_copia)

    # The counts of the original are taken in the very snapshot pg_dump reads (pg_export_snapshot),
    # so the drill can run on a live database and still compare like with like.
    with (
        tempfile.TemporaryDirectory() as cartella,
        psycopg.connect(origine) as db_origine,
        db_origine.transaction(),
    ):
        db_origine.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = db_origine.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        dump = Path(args.dump or Path(cartella) / f"{nome_origine}.dump")
        inizio = time.perf_counter()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                f"--dbname={origine}",
            ]
        )
        durata_dump = time.perf_counter() - inizio
        _create_database(origine, nome_copia)
        try:
            inizio = time.perf_counter()
            _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={copia}", str(dump)])
            durata_restore = time.perf_counter() - inizio
            with psycopg.connect(copia) as db_copia:
                problemi = _check(db_origine, db_copia)
        finally:
            if not args.keep:
                _drop_database(origine, nome_copia)
        print(
            f"dump: {dump.stat().st_size} byte in {durata_dump:.1f} s; ripristino in {durata_restore:.1f} s"
        )

    if args.keep:
        print(f"copia conservata: {nome_copia}")
    for problema in problemi:
        print(f"PROBLEMA: {problema}")
    print("ESITO: OK" if not problemi else "ESITO: FALLITO")
    return 0 if not problemi else 1


def _check(db_origine: psycopg.Connection, db_copia: psycopg.Connection) -> list[str]:
    problemi: list[str] = []
    print(f"{'tabella':<45} {'originale':>10} {'copia':>10}")
    for tabella in _app_tables(db_origine):
        prima, dopo = _count(db_origine, tabella), _count(db_copia, tabella)
        print(f"{tabella:<45} {prima:>10} {dopo:>10}{'' if prima == dopo else '  <-- DIVERSO'}")
        if prima != dopo:
            problemi.append(f"{tabella}: {prima} righe nell'originale, {dopo} nella copia")
    problemi += _check_register(db_copia)
    trigger_prima, trigger_dopo = _triggers(db_origine), _triggers(db_copia)
    print(f"trigger di sola aggiunta: {len(trigger_prima)} nell'originale, {len(trigger_dopo)} nella copia")
    problemi += [f"trigger {nome} mancante nella copia" for nome in sorted(trigger_prima - trigger_dopo)]
    if not trigger_prima:
        problemi.append("nessun trigger di sola aggiunta nell'originale: migrazioni non applicate?")
    return problemi


def _check_register(db: psycopg.Connection) -> list[str]:
    problemi = []
    anni = db.execute(
        "SELECT anno, count(*), count(DISTINCT numero), min(numero), max(numero) "
        "FROM claims_registrazioneprotocollo GROUP BY anno ORDER BY anno"
    ).fetchall()
    contatori = dict(
        db.execute("SELECT name, last FROM sequences_sequence WHERE name LIKE 'protocollo-%'").fetchall()
    )
    for anno, righe, distinti, primo, ultimo in anni:
        contatore = contatori.get(f"protocollo-{anno}")
        print(f"registro {anno}: {righe} registrazioni, numeri {primo}..{ultimo}, contatore {contatore}")
        if distinti != righe:
            problemi.append(f"registro {anno}: {righe - distinti} numeri ripetuti")
        if primo != 1 or ultimo != distinti:
            problemi.append(
                f"registro {anno}: non contiguo ({distinti} numeri distinti tra {primo} e {ultimo})"
            )
        if contatore != ultimo:
            problemi.append(f"registro {anno}: il contatore è a {contatore}, l'ultimo numero è {ultimo}")
    if not anni:
        print("registro: vuoto")
    return problemi


def _app_tables(db: psycopg.Connection) -> list[str]:
    righe = db.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [nome for (nome,) in righe if nome.startswith(APP_TABLE_PREFIXES)]


def _count(db: psycopg.Connection, tabella: str) -> int:
    riga = db.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(tabella))).fetchone()
    return int(riga[0]) if riga else 0


def _triggers(db: psycopg.Connection) -> set[str]:
    righe = db.execute(
        "SELECT c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal"
    ).fetchall()
    return {nome for (nome,) in righe if nome.startswith(TRIGGER_PREFIXES)}


def _with_database(url: str, nome: str) -> str:
    parti = urlsplit(url)
    return urlunsplit(parti._replace(path=f"/{nome}"))


def _create_database(url: str, nome: str) -> None:
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as db:
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(nome)))


def _drop_database(url: str, nome: str) -> None:
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(nome)))


def _run(comando: list[str]) -> None:
    eseguibile = shutil.which(comando[0])
    if eseguibile is None:
        raise SystemExit(f"{comando[0]} non trovato nel PATH (pacchetto postgresql-client): ESITO: FALLITO")
    # A fixed argument list, no shell: the URL and paths are arguments, never parsed by a shell.
    risultato = subprocess.run(  # noqa: S603  # nosec B603
        [eseguibile, *comando[1:]], capture_output=True, text=True, check=False
    )
    if risultato.returncode != 0:
        print(risultato.stderr, file=sys.stderr)
        raise SystemExit(f"{comando[0]} non riuscito (codice {risultato.returncode}): ESITO: FALLITO")


if __name__ == "__main__":
    sys.exit(main())
