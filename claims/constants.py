from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatoDomanda(models.TextChoices):
    BOZZA = "BOZZA", _("BOZZA")
    PRESENTATA = "PRESENTATA", _("PRESENTATA")
    IN_ISTRUTTORIA = "IN_ISTRUTTORIA", _("IN ISTRUTTORIA")
    DA_RETTIFICARE = "DA_RETTIFICARE", _("VERIFICATA - DA RETTIFICARE")
    AMMISSIBILE = "AMMISSIBILE", _("VERIFICATA - AMMISSIBILE")
    AUTORIZZATA = "AUTORIZZATA", _("AUTORIZZATA")
    TRASMESSA_INPS = "TRASMESSA_INPS", _("TRASMESSA INPS")
    ACCOLTA_INPS = "ACCOLTA_INPS", _("ACCOLTA INPS")
    ANOMALIA_INPS = "ANOMALIA_INPS", _("ANOMALIA INPS")
    NON_AMMISSIBILE = "NON_AMMISSIBILE", _("NON AMMISSIBILE")
    ANNULLATA = "ANNULLATA", _("ANNULLATA")
    RETTIFICATA = "RETTIFICATA", _("RETTIFICATA")
    # A draft the company threw away: never submitted, kept only because its history is append-only.
    ELIMINATA = "ELIMINATA", _("BOZZA ELIMINATA")


class RuoloFirmatario(models.TextChoices):
    """The capacity in which the signed-in person submits for the company (printed on the receipt)."""

    LEGALE_RAPPRESENTANTE = "legale_rappresentante", _("legale rappresentante")
    INTERMEDIARIO = "intermediario", _("intermediario abilitato")


class Lato(models.TextChoices):
    """Who may fire a transition."""

    IMPRESA = "impresa", _("azienda (legale rappresentante o intermediario)")
    REGIONE = "regione", _("funzionario regionale")


S = StatoDomanda

# from-state -> {to-state: who may fire it}. Everything not listed is refused.
TRANSITIONS: dict[str, dict[str, str]] = {
    S.BOZZA: {S.PRESENTATA: Lato.IMPRESA, S.ELIMINATA: Lato.IMPRESA},
    S.PRESENTATA: {
        S.IN_ISTRUTTORIA: Lato.REGIONE,
        S.RETTIFICATA: Lato.IMPRESA,
        S.ANNULLATA: Lato.REGIONE,
    },
    S.IN_ISTRUTTORIA: {
        S.DA_RETTIFICARE: Lato.REGIONE,
        S.AMMISSIBILE: Lato.REGIONE,
        S.NON_AMMISSIBILE: Lato.REGIONE,
        S.ANNULLATA: Lato.REGIONE,
    },
    S.DA_RETTIFICARE: {
        S.RETTIFICATA: Lato.IMPRESA,
        S.IN_ISTRUTTORIA: Lato.REGIONE,
        S.ANNULLATA: Lato.REGIONE,
    },
    S.AMMISSIBILE: {
        S.DA_RETTIFICARE: Lato.REGIONE,
        S.AUTORIZZATA: Lato.REGIONE,
        S.NON_AMMISSIBILE: Lato.REGIONE,
        S.ANNULLATA: Lato.REGIONE,
    },
    # Back to the company for a correction only until the act is sent to INPS; onward only through a
    # determinazione and its Flusso B (autorizzazioni.services), never by hand.
    S.AUTORIZZATA: {
        S.DA_RETTIFICARE: Lato.REGIONE,
        S.TRASMESSA_INPS: Lato.REGIONE,
        S.ANNULLATA: Lato.REGIONE,
    },
    S.TRASMESSA_INPS: {S.ACCOLTA_INPS: Lato.REGIONE, S.ANOMALIA_INPS: Lato.REGIONE},
    S.ACCOLTA_INPS: {S.ANNULLATA: Lato.REGIONE},
    # An anomaly is back in the officer's hands: fixed by a correction act and sent again, or cancelled.
    S.ANOMALIA_INPS: {S.TRASMESSA_INPS: Lato.REGIONE, S.ANNULLATA: Lato.REGIONE},
    S.NON_AMMISSIBILE: {},
    S.ANNULLATA: {},
    S.RETTIFICATA: {},
    S.ELIMINATA: {},
}


@dataclass(frozen=True)
class Regole:
    """What a state allows. One row per state, so that a new state cannot be forgotten anywhere."""

    modificabile: bool  # the company edits it freely (a draft)
    rettificabile: bool  # the company may correct it with a rettifica (DOMAIN.md "Rettifica")
    modifica: bool  # the company may ask the Region for a change (where a rettifica no longer can)
    annullamento: bool  # the company may ask the Region to cancel it
    consuntivi: bool  # consuntivi may be sent on it
    viva: bool  # counts toward the weeks of its site and blocks its workers elsewhere


POLICY: dict[str, Regole] = {
    #                   modificabile rettificabile modifica annullamento consuntivi viva
    S.BOZZA: Regole(True, False, False, False, False, False),
    S.PRESENTATA: Regole(False, True, False, True, True, True),
    S.IN_ISTRUTTORIA: Regole(False, False, True, True, True, True),
    S.DA_RETTIFICARE: Regole(False, True, False, True, True, True),
    S.AMMISSIBILE: Regole(False, False, True, True, True, True),
    S.AUTORIZZATA: Regole(False, False, True, True, True, True),
    S.TRASMESSA_INPS: Regole(False, False, True, False, True, True),
    S.ACCOLTA_INPS: Regole(False, False, True, True, True, True),
    S.ANOMALIA_INPS: Regole(False, False, True, True, True, True),
    S.NON_AMMISSIBILE: Regole(False, False, False, False, False, False),
    S.ANNULLATA: Regole(False, False, False, False, False, False),
    S.RETTIFICATA: Regole(False, False, False, False, False, False),
    S.ELIMINATA: Regole(False, False, False, False, False, False),
}


def _stati(regola: str) -> frozenset[str]:
    return frozenset(stato for stato, regole in POLICY.items() if getattr(regole, regola))


RETTIFICABILI = _stati("rettificabile")
STATI_MODIFICA = _stati("modifica")
STATI_ANNULLAMENTO = _stati("annullamento")
STATI_CONSUNTIVABILI = _stati("consuntivi")
VIVE = _stati("viva")
NON_VIVE = frozenset(StatoDomanda.values) - VIVE
# Never submitted: invisible to the Region (and a discarded draft to the company as well).
NON_PRESENTATE = frozenset({S.BOZZA, S.ELIMINATA})
# Authorised by a determinazione: the hours are the authorised ones, the cost weighs on the budget.
# Moves into these states are made only by the act's services, never from the "Cambia stato" page.
AUTORIZZATE = frozenset({S.AUTORIZZATA, S.TRASMESSA_INPS, S.ACCOLTA_INPS, S.ANOMALIA_INPS})
# Still on an officer's desk: taken in charge, assigned, or waiting for a decision.
STATI_SULLA_SCRIVANIA = frozenset({S.PRESENTATA, S.IN_ISTRUTTORIA, S.DA_RETTIFICARE, S.AMMISSIBILE})
# The Region's decisions are e-mailed to the referente; these carry the officer's note.
NOTA_OBBLIGATORIA = frozenset({S.DA_RETTIFICARE, S.NON_AMMISSIBILE, S.ANNULLATA})


class Qualifica(models.TextChoices):
    OPERAIO = "OPERAIO", _("Operaio")
    IMPIEGATO = "IMPIEGATO", _("Impiegato")
    QUADRO = "QUADRO", _("Quadro")
    APPRENDISTA = "APPRENDISTA", _("Apprendista")


class TipoContratto(models.TextChoices):
    INDETERMINATO = "INDETERMINATO", _("Tempo indeterminato")
    DETERMINATO = "DETERMINATO", _("Tempo determinato")
    APPRENDISTATO = "APPRENDISTATO", _("Apprendistato")
    INTERMITTENTE = "INTERMITTENTE", _("Intermittente")


class TipoRichiesta(models.TextChoices):
    MODIFICA = "MODIFICA", _("Richiesta di modifica")
    ANNULLAMENTO = "ANNULLAMENTO", _("Richiesta di annullamento")


class EsitoRichiesta(models.TextChoices):
    IN_ATTESA = "IN_ATTESA", _("In attesa di risposta")
    ACCOLTA = "ACCOLTA", _("Accolta")
    RESPINTA = "RESPINTA", _("Respinta")
