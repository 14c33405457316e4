from django.db import models
from django.utils.translation import gettext_lazy as _


class Ruolo(models.TextChoices):
    IMPRESA = "impresa", _("Legale rappresentante o intermediario")
    FUNZIONARIO = "funzionario", _("Funzionario regionale")
    OPERATORE_CPI = "operatore_cpi", _("Operatore CPI")


class TipoCensimento(models.TextChoices):
    AZIENDA = "azienda", _("Azienda con la sua sede")
    SEDE = "sede", _("Sede di un'azienda già censita")


class StatoCensimento(models.TextChoices):
    IN_ATTESA = "IN_ATTESA", _("In attesa")
    APPROVATA = "APPROVATA", _("Approvata")
    RIFIUTATA = "RIFIUTATA", _("Rifiutata")


# Fields of Azienda the company side corrects itself ("Gestione Anagrafica Azienda");
# every other field changes only through the CPI.
CAMPI_MODIFICABILI_DALL_AZIENDA = ("telefono", "fax", "cap", "codice_ateco")


class MotivoAccessoNegato(models.TextChoices):
    PASSWORD = "PASSWORD", _("Credenziali errate")
    CODICE = "CODICE", _("Codice di verifica errato")
    BLOCCATO = "BLOCCATO", _("Tentativo durante il blocco")
