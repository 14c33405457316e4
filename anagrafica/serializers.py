"""What the API reads back for companies and their sites."""

from rest_framework import serializers

from .models import Azienda, Sede


class AziendaSerializer(serializers.ModelSerializer):
    comune = serializers.CharField(source="comune_id", help_text="Codice ISTAT del comune della sede legale.")
    comune_nome = serializers.CharField(source="comune.nome")
    provincia = serializers.CharField(source="comune.provincia_id")

    class Meta:
        model = Azienda
        fields = [
            "id",
            "codice_fiscale",
            "partita_iva",
            "ragione_sociale",
            "forma_giuridica",
            "codice_ateco",
            "ccnl",
            "matricola_inps",
            "telefono",
            "fax",
            "pec",
            "indirizzo",
            "comune",
            "comune_nome",
            "provincia",
            "cap",
            "lr_codice_fiscale",
            "lr_nome",
            "lr_cognome",
        ]
        read_only_fields = fields


class SedeSerializer(serializers.ModelSerializer):
    comune = serializers.CharField(source="comune_id", help_text="Codice ISTAT del comune.")
    comune_nome = serializers.CharField(source="comune.nome")
    provincia = serializers.CharField(source="comune.provincia_id")

    class Meta:
        model = Sede
        fields = ["id", "azienda", "denominazione", "indirizzo", "comune", "comune_nome", "provincia", "cap"]
        read_only_fields = fields
