"""What the API reads and writes for domande. Field names are the domain's, in Italian.

Serializers only parse and shape data: every rule lives in `claims.services.domande` and
`claims.rules`, which the endpoints call, so the API refuses exactly what the browser refuses and with
the same messages.
"""

from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anagrafica.models import Sede
from anagrafica.selectors import sedi_for
from anagrafica.validators import normalize_telefono
from core.api import MAX_ID

from .constants import EsitoRichiesta, Qualifica, StatoDomanda, TipoContratto, TipoRichiesta
from .models import Domanda, EventoDomanda, FinestraPresentazione, Lavoratore, Misura, RichiestaRegione

MSG_SEDE_NON_TROVATA = _("Sede non trovata tra quelle delle aziende per cui operi.")
MSG_MISURA_NON_TROVATA = _("Misura inesistente.")
MSG_NON_MODIFICABILE = _("Non si può cambiare in una domanda esistente: crea una nuova domanda.")
MSG_PERIODO = _("La data di fine non può precedere la data di inizio.")


class LavoratoreSerializer(serializers.Serializer):
    codice_fiscale = serializers.CharField(max_length=16)
    cognome = serializers.CharField(max_length=100)
    nome = serializers.CharField(max_length=100)
    qualifica = serializers.ChoiceField(choices=Qualifica.choices)
    tipo_contratto = serializers.ChoiceField(choices=TipoContratto.choices)
    ore_settimanali = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("48"),
        help_text=_("Ore settimanali da contratto (al massimo 48)."),
    )
    ore_richieste = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        min_value=Decimal("0"),
        help_text=_("Ore di integrazione richieste per l'intero periodo."),
    )
    data_assunzione = serializers.DateField()
    giorni_settimana = serializers.ChoiceField(
        choices=[5, 6],
        required=False,
        allow_null=True,
        help_text=_("Aziende agricole (ATECO sezione A): giorni lavorativi a settimana, 5 o 6."),
    )
    giorni_richiesti = serializers.IntegerField(
        min_value=0,
        max_value=366,
        required=False,
        allow_null=True,
        help_text=_("Aziende agricole: giornate di integrazione richieste nel periodo."),
    )


class SedeField(serializers.PrimaryKeyRelatedField):
    """A site of a company the user acts for; any other id reads as not found."""

    default_error_messages = {
        "does_not_exist": MSG_SEDE_NON_TROVATA,
        "incorrect_type": MSG_SEDE_NON_TROVATA,
    }

    def get_queryset(self):
        return sedi_for(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, int) and not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class MisuraField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": MSG_MISURA_NON_TROVATA,
        "incorrect_type": MSG_MISURA_NON_TROVATA,
    }

    def to_internal_value(self, data):
        if isinstance(data, int) and not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class DomandaScritturaSerializer(serializers.Serializer):
    """The body of POST /domande/: a draft, possibly incomplete until it is submitted."""

    sede = SedeField(queryset=Sede.objects.none())
    misura = MisuraField(queryset=Misura.objects.all())
    data_inizio = serializers.DateField()
    data_fine = serializers.DateField()
    referente_nome = serializers.CharField(max_length=200, required=False, allow_blank=True)
    referente_email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    referente_telefono = serializers.CharField(max_length=30, required=False, allow_blank=True)
    accordo_data = serializers.DateField(required=False, allow_null=True)
    numero_dipendenti = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_("Dipendenti dell'azienda: decide se serve l'accordo sindacale o l'autodichiarazione."),
    )
    dichiara_danno = serializers.BooleanField(
        required=False, help_text=str(Domanda._meta.get_field("dichiara_danno").verbose_name)
    )
    dichiara_assenza_altri_ammortizzatori = serializers.BooleanField(
        required=False,
        help_text=str(Domanda._meta.get_field("dichiara_assenza_altri_ammortizzatori").verbose_name),
    )
    dichiara_veridicita = serializers.BooleanField(
        required=False, help_text=str(Domanda._meta.get_field("dichiara_veridicita").verbose_name)
    )
    lavoratori = LavoratoreSerializer(many=True, required=False)

    def validate_referente_telefono(self, value: str) -> str:
        try:
            return normalize_telefono(value) if value else value
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate(self, attrs):
        inizio = attrs.get("data_inizio", getattr(self.instance, "data_inizio", None))
        fine = attrs.get("data_fine", getattr(self.instance, "data_fine", None))
        if inizio and fine and fine < inizio:
            raise serializers.ValidationError({"data_fine": [MSG_PERIODO]})
        return attrs


class DomandaModificaSerializer(DomandaScritturaSerializer):
    """The body of PATCH /domande/{id}/ and of rettifica/: only the fields to change. `lavoratori`,
    when present, replaces the whole list. Sede and misura may be repeated but not changed."""

    sede = SedeField(queryset=Sede.objects.none(), required=False)
    misura = MisuraField(queryset=Misura.objects.all(), required=False)
    data_inizio = serializers.DateField(required=False)
    data_fine = serializers.DateField(required=False)

    def validate(self, attrs):
        domanda = cast(Domanda, self.instance)
        for field in ("sede", "misura"):
            if field in attrs and attrs.pop(field).pk != getattr(domanda, f"{field}_id"):
                raise serializers.ValidationError({field: [MSG_NON_MODIFICABILE]})
        return super().validate(attrs)


class EventoSerializer(serializers.ModelSerializer):
    da = serializers.CharField(help_text=_("Stato di partenza; vuoto alla creazione."))
    a = serializers.CharField()
    actor = serializers.SerializerMethodField(help_text=_("Chi ha compiuto il passaggio."))

    class Meta:
        model = EventoDomanda
        fields = ["da", "a", "actor", "note", "created_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, evento: EventoDomanda) -> str | None:
        if evento.actor is None:
            return None
        return evento.actor.get_full_name() or evento.actor.username


class LavoratoreLetturaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lavoratore
        fields = [
            "codice_fiscale",
            "cognome",
            "nome",
            "qualifica",
            "tipo_contratto",
            "ore_settimanali",
            "ore_richieste",
            "ore_autorizzate",
            "data_assunzione",
            "giorni_settimana",
            "giorni_richiesti",
        ]


class _DomandaBaseSerializer(serializers.ModelSerializer):
    stato_descrizione = serializers.CharField(
        source="get_stato_display", help_text=_("Lo stato come lo vede l'utente.")
    )
    settimane = serializers.IntegerField(
        help_text=_("Settimane del periodo: i giorni / 7 arrotondati per eccesso (messaggio INPS 2825/2020).")
    )
    protocollo = serializers.CharField(
        allow_null=True, help_text=_("Numero di protocollo «AAAA/NNNNNNN»; null finché non è assegnato.")
    )
    sostituita_da = serializers.SerializerMethodField(help_text=_("La domanda che l'ha rettificata."))

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_sostituita_da(self, domanda: Domanda) -> int | None:
        successor = getattr(domanda, "sostituita_da", None)  # reverse one-to-one: absent raises
        return successor.pk if successor else None


COMMON_FIELDS = [
    "id",
    "azienda",
    "sede",
    "misura",
    "stato",
    "stato_descrizione",
    "data_inizio",
    "data_fine",
    "settimane",
    "protocollo",
    "presentata_il",
    "codice_autorizzazione_inps",
    "sostituisce",
    "sostituita_da",
]


class DomandaSintesiSerializer(_DomandaBaseSerializer):
    """One row of the list: the data without workers and history (GET the domanda for those)."""

    ore_totali = serializers.DecimalField(max_digits=14, decimal_places=1, read_only=True)
    numero_lavoratori = serializers.IntegerField(source="num_lavoratori", read_only=True)

    class Meta:
        model = Domanda
        fields = [*COMMON_FIELDS, "ore_totali", "numero_lavoratori", "created_at", "updated_at"]
        read_only_fields = fields


class DomandaSerializer(_DomandaBaseSerializer):
    ore_totali = serializers.SerializerMethodField(help_text=_("Somma delle ore richieste dei lavoratori."))
    referente_email = serializers.CharField(help_text=_("Vuota finché non è indicata."))
    lavoratori = LavoratoreLetturaSerializer(many=True)
    storico = EventoSerializer(many=True, source="eventi")
    accordo_caricato = serializers.SerializerMethodField()

    class Meta:
        model = Domanda
        fields = [
            *COMMON_FIELDS,
            "referente_nome",
            "referente_email",
            "referente_telefono",
            "accordo_data",
            "accordo_caricato",
            "accordo_sha256",
            "numero_dipendenti",
            "dichiara_danno",
            "dichiara_assenza_altri_ammortizzatori",
            "dichiara_veridicita",
            "lavoratori",
            "ore_totali",
            "storico",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=1))
    def get_ore_totali(self, domanda: Domanda) -> str:
        totale = sum((lav.ore_richieste for lav in domanda.lavoratori.all()), start=Decimal(0))
        return f"{totale:.1f}"

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_accordo_caricato(self, domanda: Domanda) -> bool:
        return bool(domanda.accordo_file)


class RichiestaSerializer(serializers.ModelSerializer):
    tipo = serializers.ChoiceField(choices=TipoRichiesta.choices)
    motivo = serializers.CharField(max_length=5000)
    esito = serializers.ChoiceField(choices=EsitoRichiesta.choices, read_only=True)

    class Meta:
        model = RichiestaRegione
        fields = ["id", "tipo", "motivo", "esito", "risposta", "risposta_il", "created_at"]
        read_only_fields = ["id", "esito", "risposta", "risposta_il", "created_at"]


class AccordoSerializer(serializers.Serializer):
    accordo_file = serializers.FileField(help_text=_("L'accordo sindacale in PDF, al massimo 10 MB."))
    accordo_data = serializers.DateField(required=False, allow_null=True)


class FinestraSerializer(serializers.ModelSerializer):
    class Meta:
        model = FinestraPresentazione
        fields = ["id", "nome", "presentazione_dal", "presentazione_al", "periodo_dal", "periodo_al"]


class MisuraSerializer(serializers.ModelSerializer):
    finestre = FinestraSerializer(
        many=True, source="finestre_aperte", help_text=_("Le finestre aperte oggi.")
    )

    class Meta:
        model = Misura
        fields = [
            "id",
            "codice",
            "nome",
            "base_giuridica",
            "periodo_dal",
            "periodo_al",
            "max_settimane_per_sede",
            "max_settimane_prima_domanda",
            "min_giorni_prima_domanda",
            "data_assunzione_entro",
            "dipendenti_senza_accordo",
            "finestre",
        ]


class DomandaFiltroSerializer(serializers.Serializer):
    """Query parameters of GET /domande/."""

    stato = serializers.ChoiceField(choices=StatoDomanda.choices, required=False)
    azienda = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    sede = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    presentata_dal = serializers.DateField(
        required=False, help_text=_("Presentate da questo giorno (incluso).")
    )
    presentata_al = serializers.DateField(
        required=False, help_text=_("Presentate fino a questo giorno (incluso).")
    )

    def validate(self, attrs):
        dal, al = attrs.get("presentata_dal"), attrs.get("presentata_al")
        if dal and al and al < dal:
            raise serializers.ValidationError({"presentata_al": [_("Deve seguire «presentata_dal».")]})
        return attrs
