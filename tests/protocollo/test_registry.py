"""A new document type touches only its own app: a throw-away type, registered here, is numbered,
swept and receipted by the register without a line of `protocollo` knowing it."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, models
from django.utils import timezone
from pypdf import PdfReader

from protocollo import registry
from protocollo.models import DocumentoProtocollato, RegistrazioneProtocollo
from protocollo.registry import ContenutoRicevuta, Destinatario
from protocollo.services import protocollo_register, registro_giornaliero
from protocollo.tasks import sweep_outbox


class Verbale(DocumentoProtocollato):
    testo = models.CharField(max_length=200)
    inviato_il = models.DateTimeField(null=True)
    email = models.EmailField(blank=True)

    class Meta:
        app_label = "protocollo"
        managed = False  # the test makes its table
        db_table = "test_verbale_di_prova"


class VerbaleProtocollabile:
    tipo = "VERBALE"
    etichetta = "Verbale di prova"
    model = Verbale

    def in_attesa(self, prima_di):
        return Verbale.objects.filter(registrazione__isnull=True, inviato_il__lte=prima_di).order_by("pk")

    def blocca(self, pk):
        return Verbale.objects.select_for_update().get(pk=pk)

    def presentato(self, documento):
        return documento.inviato_il is not None

    def oggetto(self, documento):
        return f"Verbale di prova – {documento.testo}"

    def dati_trasmessi(self, documento):
        return {"testo": documento.testo}

    def ricevuta(self, documento):
        return ContenutoRicevuta(
            titolo="Verbale di prova", presentato_il=documento.inviato_il, righe=[("Testo", documento.testo)]
        )

    def destinatario(self, documento):
        return Destinatario(
            email=documento.email, nome="Ufficio prove", descrizione="il verbale di prova è stato registrato"
        )


@pytest.fixture
def verbali(db):
    with connection.schema_editor() as editor:
        editor.create_model(Verbale)  # rolled back with the test's transaction
    registry.register(VerbaleProtocollabile())
    yield
    registry.unregister("VERBALE")


def pdf_text(registrazione: RegistrazioneProtocollo) -> str:
    with registrazione.ricevuta.pdf.open("rb") as file:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages)


def test_a_new_document_type_is_swept_numbered_and_receipted(verbali):
    verbale = Verbale.objects.create(testo="collaudo", inviato_il=timezone.now(), email="prove@example.it")
    Verbale.objects.create(testo="ancora una bozza")  # not submitted: not in the outbox

    fatto = sweep_outbox(older_than_seconds=0)

    verbale.refresh_from_db()
    registrazione = verbale.registrazione
    assert fatto["VERBALE"] == 1
    assert registrazione.tipo_documento == "VERBALE"
    assert registrazione.tipo_documento_etichetta == "Verbale di prova"
    assert registrazione.oggetto == "Verbale di prova – collaudo"
    testo = pdf_text(registrazione)
    assert registrazione.segnatura in testo
    assert "Verbale di prova" in testo and "collaudo" in testo
    (email,) = mail.outbox
    assert email.to == ["prove@example.it"]
    assert registrazione.segnatura in email.subject
    assert "il verbale di prova è stato registrato" in email.body
    _pdf, csv_testo = registro_giornaliero(giorno=timezone.localdate())
    assert "Verbale di prova" in csv_testo


def test_the_command_sweep_numbers_a_new_type_in_process(verbali):
    verbale = Verbale.objects.create(testo="a mano", inviato_il=timezone.now(), email="prove@example.it")

    call_command("protocollo_sweep", stdout=io.StringIO())

    verbale.refresh_from_db()
    assert verbale.protocollo is not None
    assert verbale.registrazione.ricevuta.inviata_il is not None


def test_an_unregistered_type_is_refused_by_name(db):
    with pytest.raises(registry.TipoSconosciuto, match="VERBALE"):
        protocollo_register(tipo="VERBALE", pk=1)
