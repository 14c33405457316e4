"""The demo world of the README: two companies, three company-side people, two backoffice users,
an open measure and a few workers per site. Idempotent: running it again changes nothing but the
measure's window, which is moved to stay open around today."""

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.it import codicefiscale

from anagrafica.constants import Ruolo
from anagrafica.models import Abilitazione, Azienda, CentroImpiego, Comune, Sede, User
from claims.models import FinestraPresentazione, Misura
from claims.services.domande import domanda_create
from consuntivi.models import Massimale, RisorseRegionali

PERSONE = [
    ("RSSMRA80A01L219M", "Mario", "Rossi", "mario.rossi@alfameccanica.example.it"),
    ("BNCLRA85M41L219R", "Laura", "Bianchi", "laura.bianchi@betaservizi.example.it"),
    ("VRDGPP70C15D205L", "Giuseppe", "Verdi", "studio.verdi@consulenti.example.it"),
]
AZIENDE: list[dict[str, Any]] = [
    {
        "codice_fiscale": "09876540015",
        "partita_iva": "09876540015",
        "ragione_sociale": "Alfa Meccanica S.r.l.",
        "forma_giuridica": "Società a responsabilità limitata",
        "codice_ateco": "25.62.00",
        "ccnl": "Metalmeccanica industria",
        "matricola_inps": "8123456789",
        "telefono": "011 5551234",
        "pec": "alfameccanica@pec.example.it",
        "indirizzo": "Via Nizza 150",
        "comune": "Torino",
        "cap": "10126",
        "lr": "RSSMRA80A01L219M",
        "sedi": [
            ("Stabilimento di Torino", "Via Nizza 150", "Torino", "10126"),
            ("Officina di Cuneo", "Corso Nizza 20", "Cuneo", "12100"),
        ],
    },
    {
        "codice_fiscale": "05555550010",
        "partita_iva": "05555550010",
        "ragione_sociale": "Beta Servizi S.n.c.",
        "forma_giuridica": "Società in nome collettivo",
        "codice_ateco": "56.10.11",
        "ccnl": "Turismo e pubblici esercizi",
        "matricola_inps": "1209876543",
        "telefono": "0141 555987",
        "pec": "betaservizi@pec.example.it",
        "indirizzo": "Corso Alfieri 100",
        "comune": "Asti",
        "cap": "14100",
        "lr": "BNCLRA85M41L219R",
        "sedi": [("Ristorante di Asti", "Corso Alfieri 100", "Asti", "14100")],
    },
]
# surname code, name code, birth (year, month letter, day), given names: valid codici fiscali.
LAVORATORI = [
    ("FRR", "LCU", "85C12", "Ferrari", "Luca", "OPERAIO"),
    ("RSS", "GLI", "90D45", "Russo", "Giulia", "IMPIEGATO"),
    ("CLM", "MRC", "78H03", "Colombo", "Marco", "OPERAIO"),
    ("RCC", "FNC", "92E51", "Ricci", "Francesca", "APPRENDISTA"),
]

# The demo officers' TOTP secret (embedded mode only): RFC 6238's test key "12345678901234567890",
# typed in an authenticator app as DEMO_TOTP_SECRET. Documented in the README; never in production.
DEMO_TOTP_KEY = b"12345678901234567890".hex()
# Published on purpose, for the demo only.
DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # noqa: S105  # nosec B105


def cf_lavoratore(cognome: str, nome: str, nascita: str) -> str:
    body = f"{cognome}{nome}{nascita}L219"
    return body + codicefiscale.calc_check_digit(body)


class Command(BaseCommand):
    help = "Crea (o aggiorna) il mondo dimostrativo descritto nel README."

    @transaction.atomic
    def handle(self, *args, **options):
        oggi = timezone.localdate()
        persone = {cf: self._persona(cf, nome, cognome, email) for cf, nome, cognome, email in PERSONE}
        self._backoffice()
        misura = self._misura(oggi)
        for dati in AZIENDE:
            azienda = self._azienda(dati)
            if not azienda.domande.exists():
                self._domanda_bozza(persone[dati["lr"]], azienda.sedi.first(), misura, oggi)
        alfa = Azienda.objects.get(codice_fiscale="09876540015")
        Abilitazione.objects.get_or_create(
            azienda=alfa,
            codice_fiscale="VRDGPP70C15D205L",
            defaults={
                "denominazione": "Giuseppe Verdi, consulente del lavoro",
                "cpi": CentroImpiego.objects.get(nome="CPI di Torino"),
                "valida_dal": oggi - dt.timedelta(days=90),
            },
        )
        self._risorse(misura, oggi)
        self.stdout.write(self.style.SUCCESS("Mondo dimostrativo pronto."))

    def _risorse(self, misura, oggi) -> None:
        """The budget of the dashboard: Piemonte's first CIGD allocation of 2020 and its residues."""
        for descrizione, importo in (
            ("Prima assegnazione (accordo quadro 26/03/2020)", Decimal("82506160.00")),
            ("Residui di assegnazioni precedenti", Decimal("5085987.00")),
        ):
            RisorseRegionali.objects.get_or_create(
                anno=oggi.year, misura=misura, descrizione=descrizione, defaults={"importo": importo}
            )
        # A determinazione prices the authorised hours at the year's massimali: the demo year gets 2020's.
        Massimale.objects.get_or_create(
            anno=oggi.year,
            defaults={
                "soglia_retribuzione": Decimal("2159.48"),
                "importo_sotto": Decimal("939.89"),
                "importo_sopra": Decimal("1129.66"),
                "fonte": "come il 2020 (circolare INPS 20/2020), dato dimostrativo",
            },
        )

    def _persona(self, cf, nome, cognome, email) -> User:
        # Company-side people sign in with SPID or CNS only: no password.
        user, created = User.objects.get_or_create(
            username=cf,
            defaults={"codice_fiscale": cf, "first_name": nome, "last_name": cognome, "email": email},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def _backoffice(self) -> None:
        funzionari = self._group(
            "Funzionari regionali", apps=("anagrafica", "claims", "consuntivi", "autorizzazioni")
        )
        operatori = self._group(
            "Operatori CPI",
            models=("abilitazione", "richiestacensimento", "azienda", "sede"),
            apps=("anagrafica",),
        )
        self._staff("funzionario", "Franca", "Funzionaria", Ruolo.FUNZIONARIO, None, funzionari)
        torino = CentroImpiego.objects.get(nome="CPI di Torino")
        self._staff("cpi.torino", "Carlo", "Operatore", Ruolo.OPERATORE_CPI, torino, operatori)

    def _group(self, name, *, apps, models=None) -> Group:
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label__in=apps)
        if models:
            perms = perms.filter(content_type__model__in=models)
        group.permissions.set(perms)
        return group

    def _staff(self, username, nome, cognome, ruolo, cpi, group) -> None:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": nome, "last_name": cognome, "ruolo": ruolo, "cpi": cpi, "is_staff": True},
        )
        user.groups.add(group)
        if created:
            password = settings.DEMO_PASSWORD or secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
            self.stdout.write(f"Utente di backoffice «{username}», password: {password}")
        if not settings.PRODUCTION:
            # The second factor with a published secret: a demo only. In production every officer
            # enrols their own device at the first sign-in.
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="Aminder (demo)", defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
            )
            self.stdout.write(
                f"  secondo fattore di «{username}»: chiave TOTP {DEMO_TOTP_SECRET} ({device.config_url})"
            )

    def _misura(self, oggi) -> Misura:
        misura, _ = Misura.objects.update_or_create(
            codice="cigd-demo",
            defaults={
                "nome": "CIGD – misura dimostrativa",
                "base_giuridica": "DL 18/2020 art. 22 (esempio)",
                "periodo_dal": oggi - dt.timedelta(days=60),
                "periodo_al": oggi + dt.timedelta(days=90),
                "max_settimane_per_sede": 9,
                "data_assunzione_entro": oggi - dt.timedelta(days=60),
                "max_settimane_prima_domanda": 5,
                "min_giorni_prima_domanda": 5,
                "dipendenti_senza_accordo": 5,
            },
        )
        FinestraPresentazione.objects.update_or_create(
            misura=misura,
            nome="Finestra dimostrativa",
            defaults={
                "presentazione_dal": oggi - dt.timedelta(days=7),
                "presentazione_al": oggi + dt.timedelta(days=60),
                "periodo_dal": misura.periodo_dal,
                "periodo_al": misura.periodo_al,
            },
        )
        return misura

    def _azienda(self, dati) -> Azienda:
        comune = Comune.objects.get(nome=dati["comune"], provincia__regione="Piemonte")
        azienda, _ = Azienda.objects.get_or_create(
            codice_fiscale=dati["codice_fiscale"],
            defaults={
                **{k: v for k, v in dati.items() if k not in ("comune", "lr", "sedi")},
                "comune": comune,
                "lr_codice_fiscale": dati["lr"],
                "lr_nome": next(p[1] for p in PERSONE if p[0] == dati["lr"]),
                "lr_cognome": next(p[2] for p in PERSONE if p[0] == dati["lr"]),
            },
        )
        for denominazione, indirizzo, nome_comune, cap in dati["sedi"]:
            Sede.objects.get_or_create(
                azienda=azienda,
                denominazione=denominazione,
                defaults={
                    "indirizzo": indirizzo,
                    "comune": Comune.objects.get(nome=nome_comune, provincia__regione="Piemonte"),
                    "cap": cap,
                },
            )
        return azienda

    def _domanda_bozza(self, actor, sede, misura, oggi) -> None:
        domanda_create(
            actor=actor,
            sede=sede,
            misura=misura,
            data_inizio=oggi - dt.timedelta(days=21),
            data_fine=oggi - dt.timedelta(days=8),
            referente_nome=actor.get_full_name(),
            referente_email=actor.email,
            lavoratori=[
                {
                    "codice_fiscale": cf_lavoratore(c, n, nascita),
                    "cognome": cognome,
                    "nome": nome,
                    "qualifica": qualifica,
                    "tipo_contratto": "INDETERMINATO",
                    "ore_settimanali": Decimal("40"),
                    "ore_richieste": Decimal("64"),
                    "data_assunzione": dt.date(2019, 4, 1),
                }
                for c, n, nascita, cognome, nome, qualifica in LAVORATORI
            ],
        )
