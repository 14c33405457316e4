"""Every write to a domanda: create, edit a draft, attach the agreement, submit, rettifica,
decisions of the Region, requests of modifica/annullamento. Views, the API and the backoffice call
these functions and nothing else changes a domanda's data or state."""

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from anagrafica.models import Azienda, Sede, User
from anagrafica.selectors import azienda_lock_for, check_can_act_for
from core.exceptions import NotAllowed, NotPermitted
from core.pdf import PdfAttivo, PdfNonValido, check_pdf_passivo
from protocollo.services import CAMPI_PREPARATI, protocollo_prepare, protocollo_request

from .. import conteggi
from ..constants import (
    AUTORIZZATE,
    NOTA_OBBLIGATORIA,
    RETTIFICABILI,
    STATI_ANNULLAMENTO,
    STATI_MODIFICA,
    TRANSITIONS,
    EsitoRichiesta,
    Lato,
    RuoloFirmatario,
    StatoDomanda,
    TipoRichiesta,
)
from ..models import Domanda, EventoDomanda, Lavoratore, Misura, RichiestaRegione
from ..rules import MSG_CF_RIPETUTO, check_submission
from . import notifiche

CAMPI_DOMANDA = (
    "data_inizio",
    "data_fine",
    "referente_nome",
    "referente_email",
    "referente_telefono",
    "accordo_data",
    "numero_dipendenti",
    "dichiara_danno",
    "dichiara_assenza_altri_ammortizzatori",
    "dichiara_veridicita",
)
CAMPI_LAVORATORE = (
    "codice_fiscale",
    "cognome",
    "nome",
    "qualifica",
    "tipo_contratto",
    "ore_settimanali",
    "ore_richieste",
    "data_assunzione",
    "giorni_settimana",
    "giorni_richiesti",
)
ACCORDO_MAX_BYTES = 10 * 1024 * 1024

MSG_TRANSIZIONE = N_("La domanda è in stato {da}: il passaggio a {a} non è consentito.")
MSG_SOLO_BOZZA = N_("Si possono modificare solo le domande in BOZZA; questa è in stato {stato}.")
MSG_RETTIFICA = N_(
    "La rettifica è possibile solo per le domande PRESENTATA o VERIFICATA - DA RETTIFICARE; questa è "
    "in stato {stato}. Per modificarla o annullarla invia una richiesta alla Regione."
)
# History notes are read by companies and officers: they name the protocol number, never a database id.
MSG_NOTA_RETTIFICA = N_("Rettifica della domanda {domanda}.")
MSG_NOTA_ELIMINATA = N_("Bozza eliminata dall'azienda.")
MSG_NOTA_SOSTITUITA = N_("Sostituita da una rettifica, che riceve un proprio numero di protocollo.")
MSG_NOTA = N_("Per il passaggio a {a} è obbligatoria una nota che spieghi il motivo all'azienda.")
MSG_NON_FUNZIONARIO = N_("Solo un funzionario regionale può decidere sulle domande.")
MSG_PERIODO = N_("La data di fine non può precedere la data di inizio.")
MSG_ACCORDO_NON_PDF = N_("Il file dell'accordo sindacale non è un PDF valido.")
MSG_ACCORDO_GRANDE = N_("Il file dell'accordo sindacale supera i 10 MB.")
MSG_ACCORDO_ATTIVO = N_(
    "Il PDF dell'accordo sindacale contiene contenuti attivi ({trovato}: JavaScript, azioni automatiche, "
    "avvio di programmi o file allegati) e non può essere accettato. Allegare un PDF semplice, ad "
    "esempio salvandolo di nuovo con «Stampa in PDF»."
)
MSG_RICHIESTA_STATO = N_("Per una domanda in stato {stato} non serve una richiesta alla Regione: {come}.")
MSG_RICHIESTA_GIA_RISPOSTA = N_("Alla richiesta è già stata data risposta.")
MSG_RIMANDA_SOLO_MODIFICA = N_(
    "Si rimanda in rettifica solo accogliendo una richiesta di modifica: una richiesta di annullamento "
    "accolta annulla la domanda."
)
MSG_SOLO_CON_ATTO = N_(
    "Il passaggio a {a} avviene solo con una determinazione dirigenziale e il suo Flusso B, non con un "
    "cambio di stato."
)
MSG_ORE_LAVORATORE_IGNOTO = N_("Il lavoratore {cf} non è nella domanda {domanda}.")
MSG_ORE_OLTRE_RICHIESTE = N_(
    "Domanda {domanda}, lavoratore {cf}: le ore autorizzate ({ore}) superano quelle richieste ({richieste})."
)
MSG_ORE_OLTRE_LIMITE = N_(
    "Domanda {domanda}, lavoratore {cf}: le ore autorizzate ({ore}) superano il limite di {limite} ore "
    "(ore settimanali × settimane del periodo)."
)
MSG_ORE_NEGATIVE = N_("Domanda {domanda}, lavoratore {cf}: le ore autorizzate non possono essere negative.")
MSG_RIDUZIONE_SENZA_MOTIVO = N_("Indicare il motivo della riduzione o della rettifica delle ore autorizzate.")
MSG_NON_RETTIFICABILE_ORE = N_(
    "La domanda {domanda} è in stato {stato}: si rettificano le ore solo di domande già autorizzate."
)


# --- permissions -------------------------------------------------------------------------------


def _check_regione(actor: User | None) -> None:
    if actor is None or not actor.is_funzionario:
        raise NotPermitted(_(MSG_NON_FUNZIONARIO))


def _lock(domanda: Domanda) -> Domanda:
    # Serialises every decision on one domanda: submit, rettifica and the Region's transitions.
    return Domanda.objects.select_for_update().get(pk=domanda.pk)


def _transition(
    domanda: Domanda,
    to: str,
    *,
    actor: User | None,
    lato: str,
    note: str = "",
    dati: dict[str, Any] | None = None,
    altri_campi: tuple[str, ...] = (),
) -> Domanda:
    """The only place a domanda changes state: the move must be in TRANSITIONS and fired by the side
    (`lato`) the table names. The caller holds the row lock (`_lock`) and checked that `actor` is of
    that side (a company user for the domanda's company, or a regional officer). `altri_campi`: fields
    the caller changed on the instance, saved in the same UPDATE."""
    if TRANSITIONS[domanda.stato].get(to) != lato:
        raise NotAllowed(_(MSG_TRANSIZIONE).format(da=domanda.get_stato_display(), a=StatoDomanda(to).label))
    if lato == Lato.REGIONE:
        _check_regione(actor)
    EventoDomanda.objects.create(
        domanda=domanda, actor=actor, da=domanda.stato, a=to, note=note, dati=dati or {}
    )
    domanda.stato = to
    domanda.save(update_fields=["stato", "updated_at", *altri_campi])
    return domanda


# --- drafts ------------------------------------------------------------------------------------


def _build_lavoratori(domanda: Domanda, righe: Iterable[dict[str, Any]]) -> list[Lavoratore]:
    """Validate each worker row on its own; errors carry the row number the user typed."""
    lavoratori, errors, visti = [], {}, set()
    for numero, riga in enumerate(righe, start=1):
        lavoratore = Lavoratore(domanda=domanda, **{k: riga.get(k) for k in CAMPI_LAVORATORE})
        if lavoratore.codice_fiscale:
            lavoratore.codice_fiscale = lavoratore.codice_fiscale.strip().upper()
            if lavoratore.codice_fiscale in visti:
                errors[f"lavoratori.{numero}"] = [_(MSG_CF_RIPETUTO).format(cf=lavoratore.codice_fiscale)]
                continue
            visti.add(lavoratore.codice_fiscale)
        try:
            lavoratore.full_clean(exclude=["domanda"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors[f"lavoratori.{numero}"] = [
                f"{field}: {m}" for field, ms in exc.message_dict.items() for m in ms
            ]
        lavoratori.append(lavoratore)
    if errors:
        raise ValidationError(errors)
    return lavoratori


def _apply(domanda: Domanda, campi: dict[str, Any]) -> None:
    unknown = set(campi) - set(CAMPI_DOMANDA)
    if unknown:
        raise TypeError(f"campi sconosciuti: {sorted(unknown)}")
    for field, value in campi.items():
        setattr(domanda, field, value)
    if domanda.data_inizio and domanda.data_fine and domanda.data_fine < domanda.data_inizio:
        raise ValidationError({"data_fine": [_(MSG_PERIODO)]})
    domanda.full_clean(
        exclude=["azienda", "sede", "misura", "creata_da", "accordo_file"], validate_constraints=False
    )


def _replace_lavoratori(domanda: Domanda, righe: Iterable[dict[str, Any]]) -> None:
    lavoratori = _build_lavoratori(domanda, righe)
    domanda.lavoratori.all().delete()
    Lavoratore.objects.bulk_create(lavoratori)


@transaction.atomic
def domanda_create(
    *,
    actor: User,
    sede: Sede,
    misura: Misura,
    lavoratori: Iterable[dict[str, Any]] = (),
    **campi: Any,
) -> Domanda:
    """A new draft (BOZZA) for one site under one misura; it may be incomplete until submission."""
    check_can_act_for(actor, sede.azienda_id)
    domanda = Domanda(azienda=sede.azienda, sede=sede, misura=misura, creata_da=actor)
    _apply(domanda, campi)
    domanda.save()
    EventoDomanda.objects.create(domanda=domanda, actor=actor, da="", a=StatoDomanda.BOZZA)
    _replace_lavoratori(domanda, lavoratori)
    return domanda


@transaction.atomic
def domanda_update(
    *, actor: User, domanda: Domanda, lavoratori: Iterable[dict[str, Any]] | None = None, **campi: Any
) -> Domanda:
    """Edit a draft; `lavoratori`, when given, replaces the whole list."""
    domanda = _lock(domanda)
    check_can_act_for(actor, domanda.azienda_id)
    if domanda.stato != StatoDomanda.BOZZA:
        raise NotAllowed(_(MSG_SOLO_BOZZA).format(stato=domanda.get_stato_display()))
    _apply(domanda, campi)
    domanda.save()
    if lavoratori is not None:
        _replace_lavoratori(domanda, lavoratori)
    return domanda


def _read_pdf(file: UploadedFile) -> bytes:
    if file.size and file.size > ACCORDO_MAX_BYTES:
        raise ValidationError({"accordo_file": [_(MSG_ACCORDO_GRANDE)]})
    content: bytes = file.read()
    if len(content) > ACCORDO_MAX_BYTES:
        raise ValidationError({"accordo_file": [_(MSG_ACCORDO_GRANDE)]})
    # Parsed, not sniffed: active content and polyglots are refused (core/pdf.py).
    try:
        check_pdf_passivo(content)
    except PdfNonValido:
        raise ValidationError({"accordo_file": [_(MSG_ACCORDO_NON_PDF)]}) from None
    except PdfAttivo as exc:
        raise ValidationError({"accordo_file": [_(MSG_ACCORDO_ATTIVO).format(trovato=exc.trovato)]}) from None
    return content


def _store_accordo(domanda: Domanda, content: bytes) -> None:
    domanda.accordo_sha256 = hashlib.sha256(content).hexdigest()
    domanda.accordo_file.save(f"accordo-{domanda.pk}.pdf", ContentFile(content), save=False)
    domanda.save(update_fields=["accordo_file", "accordo_sha256", "updated_at"])


@transaction.atomic
def domanda_attach_accordo(
    *, actor: User, domanda: Domanda, file: UploadedFile, accordo_data: dt.date | None = None
) -> Domanda:
    """Store the union agreement of a draft: a real PDF of at most 10 MB, kept with its SHA-256 in
    private storage and served only to those who may see the domanda."""
    domanda = _lock(domanda)
    check_can_act_for(actor, domanda.azienda_id)
    if domanda.stato != StatoDomanda.BOZZA:
        raise NotAllowed(_(MSG_SOLO_BOZZA).format(stato=domanda.get_stato_display()))
    _store_accordo(domanda, _read_pdf(file))
    if accordo_data is not None:
        domanda.accordo_data = accordo_data
    domanda.save()
    return domanda


# --- submission --------------------------------------------------------------------------------


def domanda_snapshot(domanda: Domanda) -> dict[str, Any]:
    """The data as transmitted: what the receipt's fingerprint and the prospetto are made from."""
    azienda, sede = domanda.azienda, domanda.sede
    return {
        "azienda": {
            "codice_fiscale": azienda.codice_fiscale,
            "partita_iva": azienda.partita_iva,
            "ragione_sociale": azienda.ragione_sociale,
            "matricola_inps": azienda.matricola_inps,
            "codice_ateco": azienda.codice_ateco,
        },
        "sede": {
            "id": sede.pk,
            "denominazione": sede.denominazione,
            "indirizzo": sede.indirizzo,
            "comune": sede.comune.nome,
            "cap": sede.cap,
        },
        "misura": {"codice": domanda.misura.codice, "nome": domanda.misura.nome},
        "data_inizio": domanda.data_inizio.isoformat(),
        "data_fine": domanda.data_fine.isoformat(),
        "settimane": str(domanda.settimane),
        "referente": {
            "nome": domanda.referente_nome,
            "email": domanda.referente_email,
            "telefono": domanda.referente_telefono,
        },
        "numero_dipendenti": domanda.numero_dipendenti,
        "accordo": {
            "data": domanda.accordo_data.isoformat() if domanda.accordo_data else None,
            "sha256": domanda.accordo_sha256,
        },
        "dichiarazioni": {
            "danno_subito": domanda.dichiara_danno,
            "assenza_altri_ammortizzatori": domanda.dichiara_assenza_altri_ammortizzatori,
            "veridicita": domanda.dichiara_veridicita,
        },
        "lavoratori": [
            {
                "codice_fiscale": lav.codice_fiscale,
                "cognome": lav.cognome,
                "nome": lav.nome,
                "qualifica": lav.qualifica,
                "tipo_contratto": lav.tipo_contratto,
                "ore_settimanali": str(lav.ore_settimanali),
                "ore_richieste": str(lav.ore_richieste),
                "data_assunzione": lav.data_assunzione.isoformat(),
                "giorni_settimana": lav.giorni_settimana,
                "giorni_richiesti": lav.giorni_richiesti,
            }
            for lav in domanda.lavoratori.all()
        ],
        "ore_totali": str(sum((lav.ore_richieste for lav in domanda.lavoratori.all()), start=0)),
        "sostituisce": domanda.sostituisce_id,
    }


def _riferimento(domanda: Domanda) -> str:
    """How a note names a domanda: its protocol number, or its submission date while it has none."""
    if domanda.protocollo:
        return _("protocollo {segnatura}").format(segnatura=domanda.protocollo)
    if domanda.presentata_il:
        return _("presentata il {data}").format(
            data=formats.date_format(timezone.localtime(domanda.presentata_il))
        )
    return _("in bozza")


def _firmatario(actor: User, domanda: Domanda) -> dict[str, str]:
    """Who submits, as the receipt must name them for good (a receipt is never rewritten): name,
    codice fiscale and the role they act in for the company at this moment."""
    legale = bool(actor.codice_fiscale) and actor.codice_fiscale == domanda.azienda.lr_codice_fiscale
    return {
        "nome": actor.get_full_name() or actor.get_username(),
        "codice_fiscale": actor.codice_fiscale or "",
        "ruolo": RuoloFirmatario.LEGALE_RAPPRESENTANTE if legale else RuoloFirmatario.INTERMEDIARIO,
    }


def _present(
    domanda: Domanda,
    *,
    actor: User,
    rettifica_di: Domanda | None = None,
    note: str = "",
    azienda: Azienda | None = None,
) -> Domanda:
    # The counting rules read the company's other live domande (weeks per site, one worker per day,
    # days in agriculture): the company's row lock keeps two submissions from both taking the last
    # weeks of a site. Always taken after the domanda's own lock (`azienda`: already taken).
    domanda.azienda = azienda or Azienda.objects.select_for_update().get(pk=domanda.azienda_id)
    errors = check_submission(domanda, oggi=timezone.localdate(), rettifica_di=rettifica_di)
    if errors:
        raise ValidationError(errors)
    domanda.presentata_il = timezone.now()
    domanda.presentata_da = actor
    domanda.dati_presentati = domanda_snapshot(domanda) | {"presentata_da": _firmatario(actor, domanda)}
    protocollo_prepare(domanda)
    _transition(
        domanda,
        StatoDomanda.PRESENTATA,
        actor=actor,
        lato=Lato.IMPRESA,
        note=note,
        altri_campi=("presentata_il", "presentata_da", "dati_presentati", *CAMPI_PREPARATI),
    )
    protocollo_request(domanda)
    return domanda


def _lock_per_presentare(domanda: Domanda) -> Domanda:
    # What the rules, the snapshot and the answer read, with the locked row: two queries in all.
    return (
        Domanda.objects.select_for_update(of=("self",))
        .select_related("sede__comune", "misura", "registrazione", "sostituita_da")
        .prefetch_related("lavoratori")
        .get(pk=domanda.pk)
    )


@transaction.atomic
def domanda_delete_draft(*, actor: User, domanda: Domanda) -> Domanda:
    """BOZZA → ELIMINATA: the company throws a draft away. It leaves every list at once and cannot be
    reopened; the rows themselves go at the next retention run (the history is append-only, and only
    the anonymiser may delete it). Only a draft can go."""
    domanda = _lock(domanda)
    check_can_act_for(actor, domanda.azienda_id)
    if domanda.stato != StatoDomanda.BOZZA:
        raise NotAllowed(_(MSG_SOLO_BOZZA).format(stato=domanda.get_stato_display()))
    return _transition(
        domanda, StatoDomanda.ELIMINATA, actor=actor, lato=Lato.IMPRESA, note=_(MSG_NOTA_ELIMINATA)
    )


@transaction.atomic
def domanda_submit(*, actor: User, domanda: Domanda) -> Domanda:
    """BOZZA → PRESENTATA after every rule of `claims.rules`. Idempotent: a double click or a retried
    request finds the domanda already submitted and returns it unchanged. The protocol number and the
    receipt follow from the worker (DPR 445/2000 art. 57). About ten statements whatever the number of
    workers (tests/claims/test_presentazione_query.py)."""
    domanda = _lock_per_presentare(domanda)
    azienda = azienda_lock_for(actor, domanda.azienda_id)  # the permission and the company's lock
    if domanda.presentata_il is not None:
        return domanda
    return _present(domanda, actor=actor, azienda=azienda)


# --- rettifica ---------------------------------------------------------------------------------


@transaction.atomic
def domanda_rettifica(
    *,
    actor: User,
    domanda: Domanda,
    lavoratori: Iterable[dict[str, Any]] | None = None,
    accordo_file: UploadedFile | None = None,
    **campi: Any,
) -> Domanda:
    """A correction by the company side, only from PRESENTATA or VERIFICATA - DA RETTIFICARE: a new
    domanda with the corrected data is submitted (new protocol, new receipt) and the old one becomes
    RETTIFICATA, pointing to it. Everything an officer may ask to correct can change: period, workers,
    headcount, declarations or self-declaration, union agreement (a new PDF), referente; site and
    misura cannot. It keeps the modalities of the domanda it corrects ("le modalità … rimangono le
    stesse"), so a submission window since moved or closed does not stop it; every other rule applies.
    Consuntivi stay with the old domanda and are not carried over: they must be entered again on the
    new protocol. The row lock makes two concurrent rettifiche of the same domanda produce exactly one
    successor; the other is refused."""
    vecchia = _lock(domanda)
    check_can_act_for(actor, vecchia.azienda_id)
    if vecchia.stato not in RETTIFICABILI:
        raise NotAllowed(_(MSG_RETTIFICA).format(stato=vecchia.get_stato_display()))
    accordo = _read_pdf(accordo_file) if accordo_file is not None else None
    nuova = Domanda(
        azienda=vecchia.azienda,
        sede=vecchia.sede,
        misura=vecchia.misura,
        creata_da=actor,
        sostituisce=vecchia,
        accordo_file=vecchia.accordo_file.name,
        accordo_sha256=vecchia.accordo_sha256,
        **{field: getattr(vecchia, field) for field in CAMPI_DOMANDA},
    )
    _apply(nuova, campi)
    nuova.save()
    if accordo is not None:
        _store_accordo(nuova, accordo)
    EventoDomanda.objects.create(
        domanda=nuova,
        actor=actor,
        da="",
        a=StatoDomanda.BOZZA,
        note=_(MSG_NOTA_RETTIFICA).format(domanda=_riferimento(vecchia)),
    )
    if lavoratori is None:
        lavoratori = vecchia.lavoratori.values(*CAMPI_LAVORATORE)
    _replace_lavoratori(nuova, lavoratori)
    _present(
        nuova,
        actor=actor,
        rettifica_di=vecchia,
        note=_(MSG_NOTA_RETTIFICA).format(domanda=_riferimento(vecchia)),
    )
    _transition(
        vecchia,
        StatoDomanda.RETTIFICATA,
        actor=actor,
        lato=Lato.IMPRESA,
        note=_(MSG_NOTA_SOSTITUITA),
        dati={"sostituita_da": nuova.pk},
    )
    return nuova


# --- decisions of the Region -------------------------------------------------------------------


@transaction.atomic
def domanda_transition(*, actor: User, domanda: Domanda, to: str, note: str = "") -> Domanda:
    """A decision of a regional officer (istruttoria, rettifica richiesta, ammissibilità,
    autorizzazione, non ammissibilità, annullamento). The referente is e-mailed after commit."""
    _check_regione(actor)
    if to in AUTORIZZATE:
        raise NotAllowed(_(MSG_SOLO_CON_ATTO).format(a=StatoDomanda(to).label))
    domanda = _lock(domanda)
    note = note.strip()
    if to in NOTA_OBBLIGATORIA and not note and TRANSITIONS[domanda.stato].get(to) == Lato.REGIONE:
        raise ValidationError({"note": [_(MSG_NOTA).format(a=StatoDomanda(to).label)]})
    _transition(domanda, to, actor=actor, lato=Lato.REGIONE, note=note)
    transaction.on_commit(lambda: notifiche.accoda_stato(domanda.pk))
    return domanda


# --- requests to the Region --------------------------------------------------------------------


def tipi_richiesta(stato: str) -> list[str]:
    """The requests a company may send the Region about a domanda in `stato`: annullamento in every
    submitted state the Region can still cancel (PRESENTATA and DA RETTIFICARE included); modifica
    where a rettifica is no longer possible."""
    possibili = ((TipoRichiesta.MODIFICA, STATI_MODIFICA), (TipoRichiesta.ANNULLAMENTO, STATI_ANNULLAMENTO))
    return [str(tipo) for tipo, stati in possibili if stato in stati]


def _check_tipo_richiesta(domanda: Domanda, tipo: str) -> None:
    if tipo in tipi_richiesta(domanda.stato):
        return
    if domanda.stato == StatoDomanda.BOZZA:
        come = _("modificala")
    elif domanda.stato in RETTIFICABILI:
        come = _("usa la funzione Rettifica")
    else:
        come = _("la domanda non è più attiva")
    raise NotAllowed(_(MSG_RICHIESTA_STATO).format(stato=domanda.get_stato_display(), come=come))


@transaction.atomic
def richiesta_create(*, actor: User, domanda: Domanda, tipo: str, motivo: str) -> RichiestaRegione:
    """The company asks the Region to cancel the domanda (in any submitted state) or, where rettifica
    is not possible, to change it. The officers hear of it in their digest and backoffice counter."""
    domanda = _lock(domanda)
    check_can_act_for(actor, domanda.azienda_id)
    _check_tipo_richiesta(domanda, tipo)
    motivo = motivo.strip()
    if not motivo:
        raise ValidationError({"motivo": [_("Indicare il motivo della richiesta.")]})
    richiesta = RichiestaRegione(domanda=domanda, tipo=tipo, motivo=motivo, richiedente=actor)
    richiesta.full_clean()
    richiesta.save()
    return richiesta


@transaction.atomic
def richiesta_answer(
    *,
    actor: User,
    richiesta: RichiestaRegione,
    esito: str,
    risposta: str,
    rimanda_in_rettifica: bool = False,
) -> RichiestaRegione:
    """An officer answers a request. Accepting an annullamento cancels the domanda in the same
    transaction; accepting a modifica never cancels it, but may send it back to VERIFICATA - DA
    RETTIFICARE with the answer as the note, so the company corrects it by rettifica."""
    _check_regione(actor)
    richiesta = RichiestaRegione.objects.select_for_update().get(pk=richiesta.pk)
    if richiesta.esito != EsitoRichiesta.IN_ATTESA:
        raise NotAllowed(_(MSG_RICHIESTA_GIA_RISPOSTA))
    risposta = risposta.strip()
    if not risposta:
        raise ValidationError({"risposta": [_("Scrivere la risposta per l'azienda.")]})
    if rimanda_in_rettifica and (richiesta.tipo != TipoRichiesta.MODIFICA or esito != EsitoRichiesta.ACCOLTA):
        raise ValidationError({"rimanda_in_rettifica": [_(MSG_RIMANDA_SOLO_MODIFICA)]})
    richiesta.esito, richiesta.risposta = esito, risposta
    richiesta.risposta_da, richiesta.risposta_il = actor, timezone.now()
    richiesta.full_clean()
    richiesta.save()
    if esito == EsitoRichiesta.ACCOLTA and richiesta.tipo == TipoRichiesta.ANNULLAMENTO:
        domanda_transition(actor=actor, domanda=richiesta.domanda, to=StatoDomanda.ANNULLATA, note=risposta)
    elif rimanda_in_rettifica:
        domanda_transition(
            actor=actor, domanda=richiesta.domanda, to=StatoDomanda.DA_RETTIFICARE, note=risposta
        )
    transaction.on_commit(lambda: notifiche.accoda_risposta(richiesta.pk))
    return richiesta


# --- authorisation, Flusso B, INPS outcome (called by autorizzazioni.services) ----------------------


def _lock_con_lavoratori(domanda: Domanda) -> Domanda:
    # The workers come with the locked row: the hours are computed, written and read back (by the
    # act's annex) on the same instances, without a query per step.
    return Domanda.objects.select_for_update(of=("self",)).prefetch_related("lavoratori").get(pk=domanda.pk)


def _domanda_ref(domanda: Domanda) -> str:
    return domanda.protocollo or f"n. {domanda.pk}"


def _nuove_ore(
    domanda: Domanda, ore: Mapping[str, Decimal], *, rettifica: bool
) -> list[tuple[Lavoratore, Decimal]]:
    """The authorised hours of every worker: `ore` (by codice fiscale) where given, otherwise the
    current authorised hours, or the requested ones on the first authorisation."""
    lavoratori = {lav.codice_fiscale: lav for lav in domanda.lavoratori.all()}
    ref = _domanda_ref(domanda)
    errori = [_(MSG_ORE_LAVORATORE_IGNOTO).format(cf=cf, domanda=ref) for cf in ore if cf not in lavoratori]
    nuove = []
    for cf, lav in lavoratori.items():
        attuali = lav.ore_autorizzate if lav.ore_autorizzate is not None else lav.ore_richieste
        valore = Decimal(ore.get(cf, attuali)).quantize(Decimal("0.1"))
        limite = conteggi.ore_massime(lav.ore_settimanali, domanda.settimane)
        if valore < 0:
            errori.append(_(MSG_ORE_NEGATIVE).format(domanda=ref, cf=cf))
        elif not rettifica and valore > lav.ore_richieste:
            errori.append(
                _(MSG_ORE_OLTRE_RICHIESTE).format(domanda=ref, cf=cf, ore=valore, richieste=lav.ore_richieste)
            )
        elif rettifica and valore > limite:
            errori.append(_(MSG_ORE_OLTRE_LIMITE).format(domanda=ref, cf=cf, ore=valore, limite=limite))
        nuove.append((lav, valore))
    if errori:
        raise ValidationError({"ore": errori})
    return nuove


def _scrivi_ore(nuove: list[tuple[Lavoratore, Decimal]]) -> dict[str, list[str | None]]:
    """Store the hours and return what changed: {codice fiscale: [before, after]} for the history."""
    cambiate: dict[str, list[str | None]] = {}
    for lav, valore in nuove:
        if lav.ore_autorizzate != valore:
            prima = None if lav.ore_autorizzate is None else str(lav.ore_autorizzate)
            cambiate[lav.codice_fiscale] = [prima, str(valore)]
            lav.ore_autorizzate = valore
    Lavoratore.objects.bulk_update([lav for lav, _v in nuove], ["ore_autorizzate"])
    return cambiate


@transaction.atomic
def domanda_autorizza(
    *, actor: User, domanda: Domanda, ore: Mapping[str, Decimal], note: str, motivo: str = ""
) -> Domanda:
    """VERIFICATA - AMMISSIBILE → AUTORIZZATA inside a determinazione (DOMAIN.md, "Authorisation and
    the hand-off to INPS"): each worker's authorised hours default to the requested ones; the officer
    may only reduce them, and a reduction needs its reason. Runs in the act's transaction; the
    returned domanda's `lavoratori.all()` carries the hours just written."""
    _check_regione(actor)
    domanda = _lock_con_lavoratori(domanda)
    nuove = _nuove_ore(domanda, ore, rettifica=False)
    ridotte = any(valore < lav.ore_richieste for lav, valore in nuove)
    if ridotte and not motivo.strip():
        raise ValidationError({"motivo": [_(MSG_RIDUZIONE_SENZA_MOTIVO)]})
    if TRANSITIONS[domanda.stato].get(StatoDomanda.AUTORIZZATA) != Lato.REGIONE:
        raise NotAllowed(
            _(MSG_TRANSIZIONE).format(da=domanda.get_stato_display(), a=StatoDomanda.AUTORIZZATA.label)
        )
    cambiate = _scrivi_ore(nuove)
    if ridotte:
        note = f"{note} – ore ridotte: {motivo.strip()}"
    return _transition(
        domanda, StatoDomanda.AUTORIZZATA, actor=actor, lato=Lato.REGIONE, note=note, dati={"ore": cambiate}
    )


@transaction.atomic
def domanda_rettifica_ore(
    *, actor: User, domanda: Domanda, ore: Mapping[str, Decimal], note: str, motivo: str
) -> Domanda:
    """A correction act changes the authorised hours of a domanda already authorised ("rettifiche ad
    integrazione del monte ore"), up to the contractual limit of the period. The state does not change;
    the history gets a row with the hours before and after."""
    _check_regione(actor)
    domanda = _lock_con_lavoratori(domanda)
    if domanda.stato not in AUTORIZZATE:
        raise NotAllowed(
            _(MSG_NON_RETTIFICABILE_ORE).format(
                domanda=_domanda_ref(domanda), stato=domanda.get_stato_display()
            )
        )
    if not motivo.strip():
        raise ValidationError({"motivo": [_(MSG_RIDUZIONE_SENZA_MOTIVO)]})
    cambiate = _scrivi_ore(_nuove_ore(domanda, ore, rettifica=True))
    EventoDomanda.objects.create(
        domanda=domanda,
        actor=actor,
        da=domanda.stato,
        a=domanda.stato,
        note=f"{note}: {motivo.strip()}",
        dati={"ore": cambiate},
    )
    domanda.save(update_fields=["updated_at"])
    return domanda


@transaction.atomic
def domanda_trasmetti_inps(*, actor: User, domanda: Domanda, note: str) -> Domanda:
    """AUTORIZZATA (or ANOMALIA INPS, after a correction) → TRASMESSA INPS: the act's Flusso B went out."""
    _check_regione(actor)
    domanda = _lock(domanda)
    return _transition(domanda, StatoDomanda.TRASMESSA_INPS, actor=actor, lato=Lato.REGIONE, note=note)


@transaction.atomic
def domanda_esito_inps(
    *, actor: User, domanda: Domanda, codice: str = "", anomalia: str = "", note: str = ""
) -> Domanda:
    """TRASMESSA INPS → ACCOLTA INPS with INPS's authorisation code (the company needs it for the
    SR41), or → ANOMALIA INPS with INPS's reason, back to the officer."""
    _check_regione(actor)
    domanda = _lock(domanda)
    if codice:
        domanda.codice_autorizzazione_inps = codice
        domanda.save(update_fields=["codice_autorizzazione_inps", "updated_at"])
        testo = f"{note} – codice di autorizzazione INPS {codice}"
        dati = {"codice_autorizzazione_inps": codice}
        return _transition(
            domanda, StatoDomanda.ACCOLTA_INPS, actor=actor, lato=Lato.REGIONE, note=testo, dati=dati
        )
    testo = f"{note} – anomalia segnalata da INPS: {anomalia}"
    return _transition(
        domanda,
        StatoDomanda.ANOMALIA_INPS,
        actor=actor,
        lato=Lato.REGIONE,
        note=testo,
        dati={"anomalia": anomalia},
    )
