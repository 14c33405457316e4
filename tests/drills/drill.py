"""One fault drill: N API submissions by 8 clients, paced over `duration` seconds, a fault in the
middle, then wait until everything saved is numbered and receipted. Prints made / saved / registered /
receipted / gaps / duplicates.

A client behaves as a payroll program should: it sends each submission with its Idempotency-Key and,
on a connection error or a 5xx, sends the same request again (at most every second, for at most
`retry_for` seconds), so an answer lost in a fault never makes a second domanda."""

import contextlib
import dataclasses
import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from .stack import Stack, wait_for

CLIENTS = 8


@dataclasses.dataclass
class Esito:
    tipo: str
    made: int = 0
    answered_2xx: int = 0
    saved: int = 0
    registered: int = 0
    receipted: int = 0
    gaps: int = 0
    duplicates: int = 0
    errors_seen: int = 0  # answers other than 2xx, or no answer, before the retry succeeded
    slowest: float = 0.0  # seconds of the slowest single answer
    during_fault: int = 0  # submissions first sent while the fault lasted
    fault_seconds: float = 0.0
    settle_seconds: float = 0.0  # from the end of the fault to everything numbered and receipted
    statuses: dict[str, int] = dataclasses.field(default_factory=dict)
    worker_restarts: dict[str, int] = dataclasses.field(default_factory=dict)  # exited on their own

    @property
    def lost(self) -> int:
        return (
            (self.made - self.answered_2xx)
            + (self.made - self.saved)
            + (self.saved - self.registered)
            + (self.registered - self.receipted)
            + self.gaps
            + self.duplicates
        )

    def lines(self) -> list[str]:
        return [
            f"drill {self.tipo}: made {self.made} / saved {self.saved} / registered {self.registered} / "
            f"receipted {self.receipted} / gaps {self.gaps} / duplicates {self.duplicates}",
            f"  answered 2xx {self.answered_2xx}, errors before a retry succeeded {self.errors_seen} "
            f"{self.statuses}, slowest answer {self.slowest:.2f} s, sent during the fault "
            f"{self.during_fault}, fault {self.fault_seconds:.1f} s, all numbered and receipted "
            f"{self.settle_seconds:.1f} s after it; workers that exited on their own and were restarted "
            f"(as compose and Kubernetes do) {self.worker_restarts or 0}",
        ]


def presenta(url: str, token: str, pk: int, *, timeout: float = 30) -> tuple[int, float]:
    request = urllib.request.Request(  # noqa: S310 - the stack's own http:// address
        f"{url}/api/v1/domande/{pk}/presenta/",
        method="POST",
        data=b"",
        headers={
            "Authorization": f"Token {token}",
            "Idempotency-Key": f"drill-{pk}",
            "Accept": "application/json",
        },
    )
    inizio = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as risposta:  # noqa: S310 - as above
            risposta.read()
            return risposta.status, time.monotonic() - inizio
    except urllib.error.HTTPError as errore:
        return errore.code, time.monotonic() - inizio
    except OSError:
        return 0, time.monotonic() - inizio


def run(
    stack: Stack,
    tipo: str,
    *,
    n: int,
    duration: float,
    fault_at: float,
    fault_for: float,
    retry_for: float = 120,
    settle_timeout: float = 300,
) -> Esito:
    token, pks = stack.seed(n)
    esito = Esito(tipo=tipo, made=n)
    lock = threading.Lock()
    guasto = {"dal": float("inf"), "al": float("inf")}
    inizio = time.monotonic()

    def cliente(i_pk: tuple[int, int]) -> None:
        i, pk = i_pk
        time.sleep(max(0.0, inizio + i * duration / n - time.monotonic()))
        primo_invio = time.monotonic()
        fine = primo_invio + retry_for
        while True:
            status, secondi = presenta(stack.url, token, pk)
            with lock:
                esito.slowest = max(esito.slowest, secondi)
            if 200 <= status < 300:
                with lock:
                    esito.answered_2xx += 1
                    esito.during_fault += guasto["dal"] <= primo_invio <= guasto["al"]
                return
            with lock:
                esito.errors_seen += 1
                esito.statuses[str(status)] = esito.statuses.get(str(status), 0) + 1
            if time.monotonic() > fine or (400 <= status < 500 and status not in (409, 429)):
                return
            time.sleep(1)

    def guasta() -> None:
        time.sleep(max(0.0, inizio + fault_at - time.monotonic()))
        guasto["dal"] = time.monotonic()
        if tipo == "redis":
            stack.redis.stop()
            time.sleep(fault_for)
            stack.redis.start()
        elif tipo == "worker":
            stack.kill_workers()
            time.sleep(fault_for)
            stack.start_workers()
        elif tipo == "postgres":
            stack.postgres.restart()
        guasto["al"] = time.monotonic()

    with ThreadPoolExecutor(max_workers=CLIENTS + 1) as pool:
        fault = pool.submit(guasta)
        list(pool.map(cliente, enumerate(pks)))
        fault.result()
    esito.fault_seconds = guasto["al"] - guasto["dal"]

    lista = ",".join(map(str, pks))

    def conta() -> tuple[int, int, int]:
        query = (
            "SELECT count(*) FILTER (WHERE d.presentata_il IS NOT NULL), count(d.registrazione_id), count(r.id) "
            "FROM claims_domanda d LEFT JOIN claims_ricevuta r ON r.registrazione_id = d.registrazione_id "
            "WHERE d.id IN ({})"
        )
        (riga,) = stack.sql(query.format(lista))  # integers the seed returned
        return int(riga[0]), int(riga[1]), int(riga[2])

    with contextlib.suppress(RuntimeError):  # what is still missing is reported below
        wait_for(lambda: len(set(conta())) == 1, "tutto protocollato e con ricevuta", settle_timeout, every=1)
    esito.settle_seconds = time.monotonic() - guasto["al"]
    esito.saved, esito.registered, esito.receipted = conta()
    esito.worker_restarts = dict(stack.riavvii)
    (riga,) = stack.sql(
        "SELECT count(*), count(DISTINCT (anno, numero)), coalesce(max(numero) - min(numero) + 1, 0) "
        "FROM claims_registrazioneprotocollo"
    )
    totale, distinti, intervallo = map(int, riga)
    esito.duplicates = totale - distinti
    esito.gaps = intervallo - distinti
    return esito


def as_json(esito: Esito) -> str:
    return json.dumps(dataclasses.asdict(esito))
