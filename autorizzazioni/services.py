"""Every write of the authorisation half of the process: determinazioni (authorisation and
correction acts), their Flusso B to INPS, and INPS's outcome file. Views, the admin and the
`flusso_b` command call these; the domande change only through the claims services they call.

Why this app sits above `consuntivi`: the budget check of an act needs the year's massimali and the
estimate (`consuntivi.stime`), and the act needs the domande (`claims`).
"""

import csv
import datetime as dt
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from anagrafica.models import User
from anagrafica.permissions import is_funzionario
from claims.constants import StatoDomanda
from claims.models import Domanda
from claims.services.domande import (
    domanda_autorizza,
    domanda_esito_inps,
    domanda_rettifica_ore,
    domanda_trasmetti_inps,
)
from consuntivi.models import Massimale, RisorseRegionali
from consuntivi.stime import impegno_autorizzato, stima_ore_autorizzate
from core.exceptions import DomainError, NotAllowed, NotPermitted
from protocollo.services import CAMPI_PREPARATI, protocollo_prepare, protocollo_request

from . import flusso_b
from .constants import EsitoInps, TipoDeterminazione
from .models import Determinazione, ImportazioneEsitoInps, RigaDeterminazione

MSG_NON_FUNZIONARIO = N_(
    "Solo un funzionario regionale può adottare le determinazioni e trasmetterle a INPS."
)
MSG_NESSUNA_DOMANDA = N_("Selezionare almeno una domanda.")
MSG_TROPPE_DOMANDE = N_(
    "Una determinazione comprende al più {massimo} domande ({n} scelte): dividerle in più tranche."
)
MSG_NUMERO_USATO = N_("Il numero {numero} è già stato dato a una determinazione del {anno}.")
MSG_DATA_FUTURA = N_("La data della determinazione non può essere nel futuro.")
MSG_PIU_MISURE = N_("Una determinazione riguarda domande di una sola misura; qui ce ne sono {n}.")
MSG_DOMANDA_NON_AMMISSIBILE = N_(
    "La domanda {domanda} è in stato {stato}: si autorizzano solo domande VERIFICATA - AMMISSIBILE."
)
MSG_SENZA_MASSIMALI = N_(
    "Mancano i massimali del {anno}: senza di essi non si può stimare il costo delle ore autorizzate."
)
MSG_OLTRE_BUDGET = N_(
    "La determinazione supera le risorse del {anno}: le sue domande costano {fabbisogno} euro, ne restano "
    "{residuo} su {risorse}. Nessuna domanda è stata autorizzata; togliere domande o ridurre le ore."
)
MSG_GIA_INVIATA = N_("Il Flusso B di questa determinazione è già stato segnato come inviato il {il}.")
MSG_FLUSSO_NON_GENERATO = N_("Prima di segnarlo come inviato, scaricare il Flusso B della determinazione.")
MSG_NON_INVIATA = N_("La determinazione non è ancora stata inviata a INPS: non ci sono esiti da importare.")
MSG_FLUSSO_CAMBIATO = N_(
    "Il Flusso B rigenerato non coincide con quello già scaricato: non viene consegnato."
)
MSG_ESITO_INTESTAZIONE = N_("Il file non ha le colonne attese: {colonne}.")
MSG_ESITO_VUOTO = N_("Il file non contiene righe di esito.")
MSG_ESITO_GRANDE = N_("Il file supera i 5 MB.")
MSG_ESITO_CODIFICA = N_("Il file non è un CSV in UTF-8.")
MSG_ESITO_ILLEGGIBILE = N_("Il file CSV non è leggibile: {motivo}.")
MSG_ESITO_RIGA = N_("Riga {riga}: {errore}")

ESITO_COLONNE = ("id_domanda", "codice_fiscale_azienda", "esito", "codice_autorizzazione", "motivo_anomalia")
ESITO_MAX_BYTES = 5 * 1024 * 1024
CODICE_AUTORIZZAZIONE = re.compile(r"^[0-9A-Z]{1,30}$")

# {domanda pk: {codice fiscale del lavoratore: ore}}
OreRichieste = Mapping[int, Mapping[str, Decimal]]
# A tranche is adopted in one request and its annex printed in one PDF: at about 75 domande a second
# and 50 annex rows a second here (bench/determinazione.py), 1,000 stays well inside a request.
MAX_DOMANDE_PER_ATTO = 1000


def _check_regione(actor: User | None) -> None:
    if actor is None or not is_funzionario(actor):
        raise NotPermitted(_(MSG_NON_FUNZIONARIO))


# --- the act --------------------------------------------------------------------------------------


@transaction.atomic
def determinazione_create(
    *,
    actor: User,
    domande: Iterable[Domanda],
    numero: int,
    data: dt.date,
    tranche: str,
    firmatario: str,
    ore: OreRichieste | None = None,
    motivo: str = "",
    tipo: str = TipoDeterminazione.AUTORIZZAZIONE,
) -> Determinazione:
    """Adopt a determinazione dirigenziale over `domande`, in one step and all or nothing
    (DOMAIN.md, "Authorisation and the hand-off to INPS"; Piemonte 2020: numbered tranches).

    - AUTORIZZAZIONE: every domanda must be VERIFICATA - AMMISSIBILE and becomes AUTORIZZATA; each
      worker's authorised hours are the requested ones unless `ore` reduces them (with `motivo`).
    - RETTIFICA ("rettifiche ad integrazione del monte ore"): domande already authorised get the hours
      in `ore`, with a history row each; their state does not change.

    Refused whole if, for a year, the authorised domande would cost more than the Region's resources
    (`consuntivi.stime.impegno_autorizzato`: authorised hours at the year's massimali). The year's
    RisorseRegionali rows are locked first, so two acts of the same year are checked one after the
    other. The act is then registered in the protocol register like any submitted document.
    """
    _check_regione(actor)
    ore = ore or {}
    scelte = _blocca_domande(domande, ore)
    _check_intestazione(numero=numero, data=data, scelte=scelte)
    anni = {d.data_inizio.year for d in scelte}
    risorse = _blocca_risorse(anni)
    massimali = _massimali(anni)
    prima = impegno_autorizzato(anni)

    adesso = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: another act may have taken the number since the check
            determinazione = Determinazione.objects.create(
                tipo=tipo,
                anno=data.year,
                numero=numero,
                data=data,
                tranche=tranche.strip(),
                firmatario=firmatario.strip(),
                misura=scelte[0].misura,
                motivo=motivo.strip(),
                adottata_il=adesso,
                adottata_da=actor,
                dati={},
            )
    except IntegrityError:
        raise ValidationError(
            {"numero": [_(MSG_NUMERO_USATO).format(numero=numero, anno=data.year)]}
        ) from None
    nota = f"Determinazione n. {numero}/{data.year} del {data:%d/%m/%Y} ({determinazione.tranche})"
    righe, errori = [], []
    for domanda in scelte:
        try:
            righe.append(_applica(determinazione, domanda, ore.get(domanda.pk, {}), actor, nota, massimali))
        except ValidationError as exc:
            errori.extend(exc.messages)
        except DomainError as exc:
            errori.append(exc.message)
    if errori:
        raise ValidationError({"domande": errori})
    RigaDeterminazione.objects.bulk_create(righe)
    _check_budget(anni, prima, risorse)
    determinazione.dati = _dati(determinazione, scelte, righe)
    protocollo_prepare(determinazione)
    determinazione.save(update_fields=["dati", *CAMPI_PREPARATI])
    protocollo_request(determinazione)
    return determinazione


def _blocca_domande(domande: Iterable[Domanda], ore: OreRichieste) -> list[Domanda]:
    pks = {d.pk for d in domande} | set(ore)
    if not pks:
        raise ValidationError({"domande": [_(MSG_NESSUNA_DOMANDA)]})
    if len(pks) > MAX_DOMANDE_PER_ATTO:
        raise ValidationError(
            {"domande": [_(MSG_TROPPE_DOMANDE).format(massimo=MAX_DOMANDE_PER_ATTO, n=len(pks))]}
        )
    # One lock, in pk order, for every domanda of the act: two acts over the same domande wait for
    # each other instead of deadlocking, and the second finds them already authorised.
    scelte = list(
        Domanda.objects.select_for_update(of=("self",))
        .select_related("azienda", "sede__comune", "misura", "registrazione")
        .prefetch_related("lavoratori")  # a correction act reads each domanda's current hours
        .filter(pk__in=pks)
        .order_by("pk")
    )
    if len(scelte) != len(pks):
        raise ValidationError({"domande": [_(MSG_NESSUNA_DOMANDA)]})
    return scelte


def _check_intestazione(*, numero: int, data: dt.date, scelte: list[Domanda]) -> None:
    errori: dict[str, list[str]] = {}
    if data > timezone.localdate():
        errori["data"] = [_(MSG_DATA_FUTURA)]
    if Determinazione.objects.filter(anno=data.year, numero=numero).exists():
        errori["numero"] = [_(MSG_NUMERO_USATO).format(numero=numero, anno=data.year)]
    misure = {d.misura_id for d in scelte}
    if len(misure) > 1:
        errori["domande"] = [_(MSG_PIU_MISURE).format(n=len(misure))]
    if errori:
        raise ValidationError(errori)


def _blocca_risorse(anni: set[int]) -> dict[int, Decimal]:
    righe = list(RisorseRegionali.objects.select_for_update().filter(anno__in=anni).order_by("pk"))
    risorse: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for riga in righe:
        risorse[riga.anno] += riga.importo
    return risorse


def _massimali(anni: set[int]) -> dict[int, Massimale]:
    massimali = {m.anno: m for m in Massimale.objects.filter(anno__in=anni)}
    mancanti = sorted(anni - set(massimali))
    if mancanti:
        raise ValidationError({"domande": [_(MSG_SENZA_MASSIMALI).format(anno=a) for a in mancanti]})
    return massimali


def _applica(
    determinazione: Determinazione,
    domanda: Domanda,
    ore: Mapping[str, Decimal],
    actor: User,
    nota: str,
    massimali: dict[int, Massimale],
) -> RigaDeterminazione:
    precedenti = None
    if determinazione.tipo == TipoDeterminazione.AUTORIZZAZIONE:
        if domanda.stato != StatoDomanda.AMMISSIBILE:
            raise NotAllowed(
                _(MSG_DOMANDA_NON_AMMISSIBILE).format(
                    domanda=domanda.protocollo or f"n. {domanda.pk}", stato=domanda.get_stato_display()
                )
            )
        domanda = domanda_autorizza(
            actor=actor, domanda=domanda, ore=ore, note=nota, motivo=determinazione.motivo
        )
    else:
        precedenti = sum((lav.ore_autorizzate or 0 for lav in domanda.lavoratori.all()), Decimal("0.0"))
        domanda = domanda_rettifica_ore(
            actor=actor, domanda=domanda, ore=ore, note=nota, motivo=determinazione.motivo
        )
    lavoratori = sorted(domanda.lavoratori.all(), key=lambda lav: lav.codice_fiscale)
    massimale = massimali[domanda.data_inizio.year]
    return RigaDeterminazione(
        determinazione=determinazione,
        domanda=domanda,
        ore_autorizzate=sum((lav.ore_autorizzate or 0 for lav in lavoratori), Decimal("0.0")),
        ore_precedenti=precedenti,
        lavoratori=[
            {"codice_fiscale": lav.codice_fiscale, "ore": str(lav.ore_autorizzate)} for lav in lavoratori
        ],
        stima=sum(
            (
                stima_ore_autorizzate(
                    ore=lav.ore_autorizzate or Decimal(0),
                    ore_settimanali=lav.ore_settimanali,
                    massimale=massimale,
                )
                for lav in lavoratori
            ),
            Decimal("0.00"),
        ),
    )


def _check_budget(anni: set[int], prima: dict[int, Decimal], risorse: dict[int, Decimal]) -> None:
    dopo = impegno_autorizzato(anni)
    errori = []
    for anno in sorted(anni):
        impegno, gia = dopo.get(anno, Decimal("0.00")), prima.get(anno, Decimal("0.00"))
        if impegno > gia and impegno > risorse[anno]:
            errori.append(
                _(MSG_OLTRE_BUDGET).format(
                    anno=anno,
                    fabbisogno=_euro(impegno - gia),
                    residuo=_euro(risorse[anno] - gia),
                    risorse=_euro(risorse[anno]),
                )
            )
    if errori:
        raise ValidationError({"domande": errori})


def _euro(importo: Decimal) -> str:
    return f"{importo:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _dati(
    determinazione: Determinazione, scelte: list[Domanda], righe: list[RigaDeterminazione]
) -> dict[str, Any]:
    """The act as adopted: what the register fingerprints, the PDF prints and the Flusso B carries."""
    per_domanda = {riga.domanda_id: riga for riga in righe}
    return {
        "tipo": determinazione.tipo,
        "anno": determinazione.anno,
        "numero": determinazione.numero,
        "data": determinazione.data.isoformat(),
        "tranche": determinazione.tranche,
        "firmatario": determinazione.firmatario,
        "motivo": determinazione.motivo,
        "regione": settings.AMINDER_REGIONE,
        "misura": {
            "codice": determinazione.misura.codice,
            "nome": determinazione.misura.nome,
            "base_giuridica": determinazione.misura.base_giuridica,
            "decreto_inps": determinazione.misura.decreto_inps,
        },
        "domande": [
            {
                "id": d.pk,
                "protocollo": d.protocollo,
                "azienda": {
                    "codice_fiscale": d.azienda.codice_fiscale,
                    "ragione_sociale": d.azienda.ragione_sociale,
                    "matricola_inps": d.azienda.matricola_inps,
                },
                "sede": {
                    "id": d.sede_id,
                    "indirizzo": d.sede.indirizzo,
                    "comune": d.sede.comune.nome,
                    "comune_istat": d.sede.comune.codice_istat,
                    "provincia": d.sede.comune.provincia_id,
                    "cap": d.sede.cap,
                },
                "data_inizio": d.data_inizio.isoformat(),
                "data_fine": d.data_fine.isoformat(),
                "ore": str(per_domanda[d.pk].ore_autorizzate),
                "ore_precedenti": None
                if per_domanda[d.pk].ore_precedenti is None
                else str(per_domanda[d.pk].ore_precedenti),
                "stima": str(per_domanda[d.pk].stima),
                "lavoratori": per_domanda[d.pk].lavoratori,
            }
            for d in scelte
        ],
    }


# --- Flusso B -------------------------------------------------------------------------------------


@transaction.atomic
def determinazione_flusso_b(*, actor: User | None, determinazione: Determinazione) -> bytes:
    """The act's Flusso B (INPS message 1525/2020), valid against `xsd/flusso_b.xsd`. The first
    generation records its SHA-256; every later one must give the same bytes, or nothing is handed
    out. `actor` is None for the `flusso_b` management command (system work on the server)."""
    if actor is not None:
        _check_regione(actor)
    determinazione = Determinazione.objects.select_for_update().get(pk=determinazione.pk)
    contenuto = flusso_b.genera(determinazione.dati)
    impronta = hashlib.sha256(contenuto).hexdigest()
    if not determinazione.flusso_b_sha256:
        determinazione.flusso_b_sha256 = impronta
        determinazione.flusso_b_generato_il = timezone.now()
        determinazione.save(update_fields=["flusso_b_sha256", "flusso_b_generato_il", "updated_at"])
    elif determinazione.flusso_b_sha256 != impronta:
        raise DomainError(_(MSG_FLUSSO_CAMBIATO))
    return contenuto


@transaction.atomic
def determinazione_segna_inviata(*, actor: User, determinazione: Determinazione) -> Determinazione:
    """The officer sent the Flusso B to INPS (within 48 hours of the act, as in 2020): its AUTORIZZATA
    domande, and those of a correction act that INPS had returned with an anomaly, become TRASMESSA
    INPS. Domande of a correction act already accepted by INPS keep their state."""
    _check_regione(actor)
    determinazione = Determinazione.objects.select_for_update().get(pk=determinazione.pk)
    if determinazione.inviata_inps_il is not None:
        raise NotAllowed(
            _(MSG_GIA_INVIATA).format(
                il=f"{timezone.localtime(determinazione.inviata_inps_il):%d/%m/%Y %H:%M}"
            )
        )
    if not determinazione.flusso_b_sha256:
        raise NotAllowed(_(MSG_FLUSSO_NON_GENERATO))
    nota = f"Flusso B della {_atto(determinazione)} inviato a INPS"
    da_trasmettere = (StatoDomanda.AUTORIZZATA, StatoDomanda.ANOMALIA_INPS)
    for domanda in _domande(determinazione).filter(stato__in=da_trasmettere):
        domanda_trasmetti_inps(actor=actor, domanda=domanda, note=nota)
    determinazione.inviata_inps_il, determinazione.inviata_inps_da = timezone.now(), actor
    determinazione.save(update_fields=["inviata_inps_il", "inviata_inps_da", "updated_at"])
    return determinazione


def _atto(determinazione: Determinazione) -> str:
    """How a history note names the act: its number and, once registered, its protocol (what the
    officer looks it up by), never the row's id."""
    testo = f"determinazione n. {determinazione.numero}/{determinazione.anno}"
    registrazione = determinazione.registrazione
    return f"{testo} (protocollo {registrazione.segnatura})" if registrazione is not None else testo


def _domande(determinazione: Determinazione) -> QuerySet[Domanda]:
    return Domanda.objects.filter(righe_determinazione__determinazione=determinazione).order_by("pk")


# --- the INPS outcome file ------------------------------------------------------------------------


@transaction.atomic
def esito_inps_import(
    *, actor: User, determinazione: Determinazione, file: UploadedFile
) -> ImportazioneEsitoInps:
    """Import the outcome file INPS returns for an act (format: README, "The INPS outcome file"):
    ACCOLTA with the authorisation code, or ANOMALIA with INPS's reason, for domande of the act that
    are TRASMESSA INPS. Every row is checked first and every error reported with its row; nothing is
    changed unless the whole file is valid."""
    _check_regione(actor)
    determinazione = Determinazione.objects.select_for_update().get(pk=determinazione.pk)
    if determinazione.inviata_inps_il is None:
        raise NotAllowed(_(MSG_NON_INVIATA))
    contenuto = _leggi(file)
    esiti = _esiti_validi(determinazione, contenuto)
    nota = f"Esito INPS della {_atto(determinazione)}"
    for domanda, riga in esiti:
        if riga["esito"] == EsitoInps.ACCOLTA:
            domanda_esito_inps(actor=actor, domanda=domanda, codice=riga["codice_autorizzazione"], note=nota)
        else:
            domanda_esito_inps(actor=actor, domanda=domanda, anomalia=riga["motivo_anomalia"], note=nota)
    return ImportazioneEsitoInps.objects.create(
        determinazione=determinazione,
        nome_file=(file.name or "esito.csv")[:255],
        sha256=hashlib.sha256(contenuto).hexdigest(),
        accolte=sum(1 for _d, r in esiti if r["esito"] == EsitoInps.ACCOLTA),
        anomalie=sum(1 for _d, r in esiti if r["esito"] == EsitoInps.ANOMALIA),
        importata_da=actor,
    )


def _leggi(file: UploadedFile) -> bytes:
    if file.size and file.size > ESITO_MAX_BYTES:
        raise ValidationError({"file": [_(MSG_ESITO_GRANDE)]})
    contenuto: bytes = file.read(ESITO_MAX_BYTES + 1)
    if len(contenuto) > ESITO_MAX_BYTES:
        raise ValidationError({"file": [_(MSG_ESITO_GRANDE)]})
    return contenuto


def _esiti_validi(determinazione: Determinazione, contenuto: bytes) -> list[tuple[Domanda, dict[str, str]]]:
    try:
        testo = contenuto.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": [_(MSG_ESITO_CODIFICA)]}) from None
    lettore = csv.DictReader(io.StringIO(testo), delimiter=";")
    try:
        intestazione = [c.strip().lower() for c in (lettore.fieldnames or [])]
    except csv.Error:  # the header is read here: a first line the csv module refuses
        raise _csv_illeggibile(lettore) from None
    if tuple(intestazione) != ESITO_COLONNE:
        raise ValidationError({"file": [_(MSG_ESITO_INTESTAZIONE).format(colonne=";".join(ESITO_COLONNE))]})
    lettore.fieldnames = intestazione
    domande = {d.pk: d for d in _domande(determinazione).select_related("azienda")}
    esiti, errori = [], []
    visti: set[int] = set()
    try:
        for numero, grezza in enumerate(lettore, start=2):
            riga = {k: (v or "").strip() for k, v in grezza.items() if k}
            errore = _errore_riga(riga, domande, visti)
            if errore:
                errori.append(_(MSG_ESITO_RIGA).format(riga=numero, errore=errore))
                continue
            domanda = domande[int(riga["id_domanda"])]
            visti.add(domanda.pk)
            esiti.append((domanda, riga))
    except csv.Error:
        raise _csv_illeggibile(lettore) from None
    if errori:
        raise ValidationError({"file": errori})
    if not esiti:
        raise ValidationError({"file": [_(MSG_ESITO_VUOTO)]})
    return esiti


def _csv_illeggibile(lettore: "csv.DictReader[str]") -> ValidationError:
    # Python's own wording is English: the line that failed says it in Italian.
    motivo = _("la riga {riga} non si legge come CSV").format(riga=lettore.reader.line_num)
    return ValidationError({"file": [_(MSG_ESITO_ILLEGGIBILE).format(motivo=motivo)]})


def _errore_riga(riga: dict[str, str], domande: dict[int, Domanda], visti: set[int]) -> str | None:
    identificativo = riga.get("id_domanda", "")
    if not (identificativo.isascii() and identificativo.isdigit()) or int(identificativo) not in domande:
        return _("la domanda «{id}» non è in questa determinazione").format(id=identificativo)
    domanda = domande[int(identificativo)]
    if domanda.pk in visti:
        return _("la domanda {id} compare due volte").format(id=identificativo)
    if riga.get("codice_fiscale_azienda", "").upper() != domanda.azienda.codice_fiscale:
        return _("il codice fiscale dell'azienda non è quello della domanda {id}").format(id=identificativo)
    if domanda.stato != StatoDomanda.TRASMESSA_INPS:
        return _("la domanda {id} è in stato {stato}, non TRASMESSA INPS").format(
            id=identificativo, stato=domanda.get_stato_display()
        )
    esito = riga.get("esito", "").upper()
    riga["esito"] = esito
    if esito == EsitoInps.ACCOLTA:
        riga["codice_autorizzazione"] = riga.get("codice_autorizzazione", "").upper()
        if not CODICE_AUTORIZZAZIONE.match(riga["codice_autorizzazione"]):
            return _("manca il codice di autorizzazione INPS (lettere e cifre, al più 30)")
        return None
    if esito == EsitoInps.ANOMALIA:
        return None if riga.get("motivo_anomalia") else _("manca il motivo dell'anomalia")
    return _("esito «{esito}» sconosciuto: ACCOLTA o ANOMALIA").format(esito=riga.get("esito", ""))
