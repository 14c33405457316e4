"""The documents the protocol register knows, and nothing more about them.

The register numbers, receipts, sweeps and verifies documents of any type without importing the apps
that own them (the way Open Forms' registration backends plug in): each app describes its document
type with a `Protocollabile` adapter and registers it in its `AppConfig.ready()`. Adding a document
type touches only its own app.

A document model inherits `protocollo.models.DocumentoProtocollato` (its `registrazione` field, and
the subject and fingerprint the register will write); the adapter says when one is submitted and
waiting, how to lock it, and what its receipt says. A submitting service that calls
`protocollo.services.protocollo_prepare` (which asks the adapter for `oggetto` and `dati_trasmessi`)
gets its documents registered in one statement; without it the register locks and prepares them.
The register's SQL function links a document with a statement written for its table from this registry
at the next `migrate` (`protocollo.sql`); until then, through a generic one.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Destinatario:
    """Who receives the receipt by e-mail, and how the e-mail names the document."""

    email: str
    nome: str
    descrizione: str  # "la domanda di CIGD dell'azienda Alfa S.r.l. è stata registrata"


@dataclass(frozen=True)
class ContenutoRicevuta:
    """What a receipt prints besides the registration itself."""

    titolo: str  # "Domanda di Cassa Integrazione Guadagni in Deroga"
    presentato_il: dt.datetime | None
    righe: list[tuple[Any, Any]]  # (label, value) of the document's own data
    allegati: list[dict[str, Any]] = field(default_factory=list)  # {"nome", "sha256"}
    nota: str = ""


class Protocollabile(Protocol):
    tipo: str  # stored in RegistrazioneProtocollo.tipo_documento: "DOMANDA", "CONSUNTIVO", ...

    @property
    def etichetta(self) -> Any:
        """Shown to people: "Domanda", "Consuntivo" (a string or a lazy translation)."""
        ...

    @property
    def model(self) -> type[Model]:
        """The document model, a subclass of DocumentoProtocollato."""
        ...

    def in_attesa(self, prima_di: dt.datetime) -> QuerySet[Any]:
        """Submitted before `prima_di`, still without a number, oldest first: the outbox."""
        ...

    def blocca(self, pk: int) -> Any:
        """The document, `select_for_update` on its own row, with what `oggetto` needs."""
        ...

    def presentato(self, documento: Any) -> bool:
        """Submitted, so that it may be registered (the register refuses drafts)."""
        ...

    def oggetto(self, documento: Any) -> str:
        """The subject written in the register."""
        ...

    def dati_trasmessi(self, documento: Any) -> Any:
        """The submitted data (JSON-serialisable): hashed into the registration's fingerprint."""
        ...

    def ricevuta(self, documento: Any) -> ContenutoRicevuta: ...

    def destinatario(self, documento: Any) -> Destinatario | None:
        """Who is e-mailed the receipt; None if nobody is."""
        ...


class TipoSconosciuto(LookupError):
    pass


_adapters: dict[str, Protocollabile] = {}


def register(adapter: Protocollabile) -> None:
    _adapters[adapter.tipo] = adapter


def unregister(tipo: str) -> None:
    _adapters.pop(tipo, None)


def adapter(tipo: str) -> Protocollabile:
    try:
        return _adapters[tipo]
    except KeyError:
        raise TipoSconosciuto(f"Tipo di documento non registrato nel protocollo: {tipo!r}") from None


def adapters() -> list[Protocollabile]:
    return list(_adapters.values())


def adapter_for(documento: Model) -> Protocollabile:
    """The adapter of a document instance, found by its model."""
    for candidato in _adapters.values():
        if isinstance(documento, candidato.model):
            return candidato
    raise TipoSconosciuto(f"Non è un documento da protocollare: {documento!r}")


def etichetta(tipo: str) -> str:
    """The readable name of a document type; an unregistered one is shown as stored."""
    registrato = _adapters.get(tipo)
    return str(registrato.etichetta) if registrato is not None else tipo.capitalize()
