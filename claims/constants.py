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
    NON_AMMISSIBILE = "NON_AMMISSIBILE", _("NON AMMISSIBILE")
    ANNULLATA = "ANNULLATA", _("ANNULLATA")
    RETTIFICATA = "RETTIFICATA", _("RETTIFICATA")


class Lato(models.TextChoices):
    """Who may fire a transition."""

    IMPRESA = "impresa", _("azienda (legale rappresentante o intermediario)")
    REGIONE = "regione", _("funzionario regionale")


S = StatoDomanda

# from-state -> {to-state: who may fire it}. Everything not listed is refused.
TRANSITIONS: dict[str, dict[str, str]] = {
    S.BOZZA: {S.PRESENTATA: Lato.IMPRESA},
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
        S.AUTORIZZATA: Lato.REGIONE,
        S.NON_AMMISSIBILE: Lato.REGIONE,
        S.ANNULLATA: Lato.REGIONE,
    },
    S.AUTORIZZATA: {S.ANNULLATA: Lato.REGIONE},
    S.NON_AMMISSIBILE: {},
    S.ANNULLATA: {},
    S.RETTIFICATA: {},
}


@dataclass(frozen=True)
class Regole:
    """What a state allows. One row per state, so that a new state cannot be forgotten anywhere."""

    modificabile: bool  # the company edits it freely (a draft)
    rettificabile: bool  # the company may correct it with a rettifica (DOMAIN.md "Rettifica")
    richiesta: bool  # the company may write to the Region (richiesta di modifica/annullamento)
    consuntivi: bool  # consuntivi may be sent on it
    viva: bool  # counts toward the weeks of its site and blocks its workers elsewhere


POLICY: dict[str, Regole] = {
    #                                 modificabile rettificabile richiesta consuntivi viva
    S.BOZZA: Regole(True, False, False, False, False),
    S.PRESENTATA: Regole(False, True, False, True, True),
    S.IN_ISTRUTTORIA: Regole(False, False, True, True, True),
    S.DA_RETTIFICARE: Regole(False, True, False, True, True),
    S.AMMISSIBILE: Regole(False, False, True, True, True),
    S.AUTORIZZATA: Regole(False, False, True, True, True),
    S.NON_AMMISSIBILE: Regole(False, False, True, False, False),
    S.ANNULLATA: Regole(False, False, False, False, False),
    S.RETTIFICATA: Regole(False, False, False, False, False),
}


def _stati(regola: str) -> frozenset[str]:
    return frozenset(stato for stato, regole in POLICY.items() if getattr(regole, regola))


RETTIFICABILI = _stati("rettificabile")
STATI_RICHIESTA = _stati("richiesta")
STATI_CONSUNTIVABILI = _stati("consuntivi")
VIVE = _stati("viva")
NON_VIVE = frozenset(StatoDomanda.values) - VIVE
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
