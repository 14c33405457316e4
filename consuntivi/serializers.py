"""What the API reads and writes for consuntivi. Numbers are parsed here only as numbers: every rule
(workers of the domanda, hours per month and in total, one consuntivo per month) is
`consuntivi.rules`, through `consuntivo_send`, with the same messages as the browser."""

import datetime as dt
import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Consuntivo, RigaConsuntivo

MSG_MESE = _("Indicare il mese nel formato AAAA-MM, per esempio 2020-04.")
MESE_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2020-04"})
class MeseField(serializers.Field):
    """A month as "YYYY-MM"; internally the first day of the month."""

    default_error_messages = {"invalid": MSG_MESE}

    def to_internal_value(self, data) -> dt.date:
        match = MESE_RE.match(data) if isinstance(data, str) else None
        if not match or int(match.group(1)) < 1:
            self.fail("invalid")
        return dt.date(int(match.group(1)), int(match.group(2)), 1)

    def to_representation(self, value: dt.date) -> str:
        return f"{value:%Y-%m}"


class RigaScritturaSerializer(serializers.Serializer):
    codice_fiscale = serializers.CharField(
        max_length=16, help_text=_("Codice fiscale di un lavoratore della domanda.")
    )
    ore = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        help_text=_("Ore di integrazione utilizzate nel mese (un decimale)."),
    )
    retribuzione_mensile = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        required=False,
        allow_null=True,
        help_text=_("Retribuzione mensile lorda, facoltativa (serve alla stima degli importi)."),
    )


class ConsuntivoScritturaSerializer(serializers.Serializer):
    mese = MeseField()
    righe = RigaScritturaSerializer(many=True, allow_empty=True)


class RigaSerializer(serializers.ModelSerializer):
    codice_fiscale = serializers.CharField(source="lavoratore.codice_fiscale")
    cognome = serializers.CharField(source="lavoratore.cognome")
    nome = serializers.CharField(source="lavoratore.nome")

    class Meta:
        model = RigaConsuntivo
        fields = ["codice_fiscale", "cognome", "nome", "ore", "retribuzione_mensile"]
        read_only_fields = fields


class ConsuntivoSerializer(serializers.ModelSerializer):
    mese = MeseField()
    protocollo = serializers.CharField(
        allow_null=True, help_text=_("Numero di protocollo «AAAA/NNNNNNN»; null finché non è assegnato.")
    )
    inviato_da = serializers.SerializerMethodField()
    righe = RigaSerializer(many=True)
    ore_totali = serializers.SerializerMethodField()

    class Meta:
        model = Consuntivo
        fields = ["id", "domanda", "mese", "inviato_il", "inviato_da", "protocollo", "righe", "ore_totali"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_inviato_da(self, consuntivo: Consuntivo) -> str:
        return consuntivo.inviato_da.get_full_name() or consuntivo.inviato_da.username

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=1))
    def get_ore_totali(self, consuntivo: Consuntivo) -> str:
        return f"{sum((r.ore for r in consuntivo.righe.all()), start=Decimal(0)):.1f}"
