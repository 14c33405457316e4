"""Italian and consistency on the company's side (issue 18), read as a user reads it: every date in
the project's two styles ("2 novembre 2026" or 02/11/2026) on the pages and in the PDFs read back,
the measure's public name and never its code name, no doubled punctuation in any message, alone or
composed into another sentence."""

import datetime as dt
import html
import importlib
import io
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from pypdf import PdfReader

from anagrafica.forms import RateLimitedLoginMixin
from consuntivi.models import Consuntivo
from consuntivi.services import caricamento_create, consuntivo_send
from protocollo.services import protocollo_register_documento, ricevuta_create
from tests.claims.factories import misura_dell_anno
from tests.consuntivi.factories import APRILE, MAGGIO, MARZO, domanda_consuntivabile, righe

pytestmark = pytest.mark.django_db

MESI = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
]
MESE_MAIUSCOLO = re.compile(r"\b(" + "|".join(m.capitalize() for m in MESI) + r")\b")
# Any date in figures (1 or 2 digits, a separator, …) and any date in words with its year.
DATA_IN_CIFRE = re.compile(
    r"(?<![\d/.-])(\d{1,4}[/-]\d{1,2}[/-]\d{2,4}|\d{1,2}\.\d{1,2}\.\d{4})(?![\d/.-])"  # not ATECO 25.62.00
)
DATA_IN_LETTERE = re.compile(
    r"\b\d{1,2}[°º]? ((?:gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic|jan|may|jun|jul|aug|sep|oct|dec)"
    r"[a-zà-ù]*\.?) \d{4}\b",
    flags=re.IGNORECASE,
)  # a day, a month's name or abbreviation, a year (not "Covid-19 Piemonte 2020")
CODICE_MISURA = "CIGD-CODICE-INTERNO-7"


def leggi_pagina(response) -> str:
    assert response.status_code == 200, response
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(strip_tags(body))


def leggi_pdf(contenuto: bytes) -> str:
    assert contenuto.startswith(b"%PDF")
    return "\n".join(pagina.extract_text() for pagina in PdfReader(io.BytesIO(contenuto)).pages)


def date_fuori_stile(testo: str) -> list[str]:
    """Dates not written as the Region writes them: dd/mm/yyyy, or "2 novembre 2026"."""
    sbagliate = [
        m.group(0)
        for m in DATA_IN_CIFRE.finditer(testo)
        if not re.fullmatch(r"\d{2}/\d{2}/\d{4}", m.group(0))
    ]
    sbagliate += [m.group(0) for m in DATA_IN_LETTERE.finditer(testo) if m.group(1) not in MESI]
    sbagliate += [m.group(0) for m in MESE_MAIUSCOLO.finditer(testo)]
    return sbagliate


@pytest.fixture
def mondo(client, time_machine):
    """A company's submitted domanda under a measure with a code name, registered with its receipt,
    two consuntivi sent and registered with theirs and an upload, all on 2 November (a day of one
    figure, that "j/m/Y" would print as 2/11/2026); the client signed in as the company."""
    time_machine.move_to(dt.datetime(2026, 11, 2, 9, 5, tzinfo=ZoneInfo("Europe/Rome")))
    misura = misura_dell_anno(2026, codice=CODICE_MISURA, nome="CIGD in deroga 2026")
    domanda = domanda_consuntivabile(misura=misura)
    if domanda.registrazione_id is None:
        ricevuta_create(registrazione=protocollo_register_documento(domanda))
    consuntivi = []
    for mese in (MARZO, APRILE):
        consuntivo = consuntivo_send(
            actor=domanda.creata_da, domanda=domanda, mese=mese, righe=righe(domanda)
        )
        ricevuta_create(registrazione=protocollo_register_documento(consuntivo))
        consuntivi.append(Consuntivo.objects.get(pk=consuntivo.pk))
    csv = "codice_fiscale;ore\n" + "\n".join(f"{r['codice_fiscale']};8" for r in righe(domanda))
    caricamento = caricamento_create(
        actor=domanda.creata_da,
        domanda=domanda,
        mese=MAGGIO,
        file=SimpleUploadedFile("maggio.csv", csv.encode()),
    )
    domanda.caricamento = caricamento
    client.force_login(domanda.creata_da)
    domanda.refresh_from_db()
    return domanda, consuntivi


def pagine_e_pdf(client, domanda, consuntivi) -> dict[str, str]:
    """What the company reads: its pages (domande, the domanda, the consuntivi, the profile) and the
    PDFs it downloads (prospetto, receipts of the domanda and of a consuntivo), as text."""
    d = domanda.pk
    pagine = {
        "domande": reverse("claims:domanda_list"),
        "domanda": reverse("claims:domanda_detail", args=[d]),
        "domande dell'azienda": reverse("claims:azienda_domande", args=[domanda.azienda_id]),
        "azienda": reverse("anagrafica:azienda_detail", args=[domanda.azienda_id]),
        "profilo": reverse("anagrafica:profilo"),
        "consuntivi": reverse("consuntivi:lista", args=[d]),
        "nuovo consuntivo": reverse("consuntivi:nuovo", args=[d]) + "?mese=2026-05",
        "carica consuntivo": reverse("consuntivi:carica", args=[d]),
        "consuntivo": reverse("consuntivi:dettaglio", args=[consuntivi[0].pk]),
        "caricamento": reverse("consuntivi:caricamento", args=[d, domanda.caricamento.pk]),
    }
    testi = {nome: leggi_pagina(client.get(url)) for nome, url in pagine.items()}
    pdf = {
        "prospetto": reverse("claims:domanda_prospetto", args=[d]),
        "ricevuta della domanda": reverse("claims:domanda_ricevuta", args=[d]),
        "ricevuta del consuntivo": reverse("consuntivi:ricevuta", args=[consuntivi[0].pk]),
    }
    for nome, url in pdf.items():
        response = client.get(url)
        assert response.status_code == 200, nome
        testi[nome] = leggi_pdf(b"".join(response) if response.streaming else response.content)
    return testi


def test_every_date_on_the_company_pages_and_pdfs_is_in_the_regions_style(client, mondo):
    domanda, consuntivi = mondo
    testi = pagine_e_pdf(client, domanda, consuntivi)

    for nome, testo in testi.items():
        assert date_fuori_stile(testo) == [], nome
    # The styles are there to be checked: figures and words, with lower-case months.
    assert "aprile 2026" in testi["consuntivi"] and "marzo 2026" in testi["consuntivo"]
    assert re.search(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b", testi["consuntivi"]), "inviato il"
    assert "02/11/2026" in testi["consuntivo"] and "02/11/2026" in testi["caricamento"]
    assert "marzo 2026" in testi["ricevuta del consuntivo"]
    assert DATA_IN_LETTERE.search(testi["domanda"]) and DATA_IN_CIFRE.search(testi["prospetto"])


def test_the_measure_shows_by_its_public_name_never_its_code_name(client, mondo):
    domanda, consuntivi = mondo
    testi = pagine_e_pdf(client, domanda, consuntivi)

    for nome, testo in testi.items():
        assert CODICE_MISURA.lower() not in testo.lower(), nome
    assert "CIGD in deroga 2026" in testi["domanda"]
    assert "CIGD in deroga 2026" in testi["prospetto"]


def test_the_date_checker_finds_what_it_must(db):
    """The checker above is only worth its failures: a test that could not fail would prove nothing."""
    assert date_fuori_stile("inviato il 2/04/2026 alle 10:30") == ["2/04/2026"]
    assert date_fuori_stile("il 2026-04-02") == ["2026-04-02"]
    assert date_fuori_stile("Consuntivo di Aprile 2026") == ["Aprile"]
    assert date_fuori_stile("dal 2 Novembre 2026") == ["2 Novembre 2026", "Novembre"]
    assert date_fuori_stile("il 2.11.2026") == ["2.11.2026"]
    assert date_fuori_stile("il 2 nov. 2026, il 2 November 2026") == ["2 nov. 2026", "2 November 2026"]
    assert date_fuori_stile("Misura Covid-19 Piemonte 2020") == []
    assert (
        date_fuori_stile("dal 02/11/2026 al 2 novembre 2026, ore 10:30:05, 1.234,5 ore, ATECO 25.62.00") == []
    )


# --- punctuation ---------------------------------------------------------------------------------

# Two marks where Italian writes one: "valido..", ".:", "?:", ",." , "volta. (riga 2)", "(riga 2.).".
# A comma after an abbreviation ("S.r.l., via Roma") is Italian and stays allowed.
DOPPIA = re.compile(r"\.\s?[.:;]|[:;,!?…]\s?[.:;,!?]|[.!?]\s*\)\s*[.:;,]|\.\s+\(")
APPS = ("core", "anagrafica", "protocollo", "claims", "consuntivi", "autorizzazioni", "demo")


def doppie(testo: str) -> list[str]:
    return [testo[max(m.start() - 50, 0) : m.end() + 10] for m in DOPPIA.finditer(testo)]


def con_valori(messaggio: str) -> str:
    """A message as shown, its placeholders filled the way the code fills them."""
    messaggio = re.sub(r"\{[a-z_]*\}", "valore", messaggio)
    messaggio = re.sub(r"%\([a-z_]+\)s|%s", "valore", messaggio)
    return re.sub(r"%\([a-z_]+\)d|%d", "3", messaggio)


def test_the_punctuation_checker_finds_what_it_must(db):
    for sbagliato in (
        "«abc» non è valido..",
        "Dichiaro che i dati sono veri.: la dichiarazione è obbligatoria.",
        "Hai dipendenti?: scegli una risposta.",
        "Il codice fiscale compare più di una volta. (già alla riga 2)",
        "Il file non è leggibile: riga non valida.).",
        "Errore: ,",
    ):
        assert doppie(sbagliato), sbagliato
    for giusto in (
        "Riga 3, codice fiscale: il codice compare più di una volta (già alla riga 2).",
        "Officine Subalpine S.r.l., sede di Torino: ore 10:30, 1.234,5 ore.",
        "Vedi https://example.it/verifica/ e il protocollo n. 2026/0000001.",
    ):
        assert not doppie(giusto), giusto


def _messaggi_costanti() -> dict[str, str]:
    """Every message constant (MSG_…) of the apps, translated as shown."""
    import pkgutil

    from django.utils.functional import Promise
    from django.utils.translation import gettext

    trovati = {}
    for app in APPS:
        pacchetto = importlib.import_module(app)
        for modulo in pkgutil.walk_packages(pacchetto.__path__, f"{app}."):
            if ".migrations" in modulo.name:
                continue
            for nome, valore in vars(importlib.import_module(modulo.name)).items():
                if nome.startswith("MSG") and isinstance(valore, str | Promise):
                    trovati[f"{modulo.name}.{nome}"] = gettext(str(valore))
    return trovati


def test_no_message_of_the_apps_or_of_our_catalogue_doubles_its_punctuation(db):
    from django.conf import settings

    messaggi = _messaggi_costanti()
    assert len(messaggi) > 150  # the walk found the apps' messages
    catalogo = (settings.LOCALE_PATHS[0] / "it" / "LC_MESSAGES" / "django.po").read_text()
    for numero, msgstr in enumerate(re.findall(r'^msgstr "(.+)"$', catalogo, flags=re.M)):
        messaggi[f"django.po #{numero}"] = msgstr

    sbagliati = {nome: doppie(con_valori(testo)) for nome, testo in messaggi.items()}
    assert {nome: d for nome, d in sbagliati.items() if d} == {}


def _moduli(domanda) -> dict[type, Callable[..., Any]]:
    """Each form of the apps, made as its view makes it (the keyword arguments it needs)."""
    from anagrafica import forms as anagrafica_forms
    from autorizzazioni import forms as autorizzazioni_forms
    from claims import forms as claims_forms
    from claims.models import Misura
    from consuntivi import forms as consuntivi_forms

    c, a, z, k = claims_forms, anagrafica_forms, autorizzazioni_forms, consuntivi_forms
    periodo = {"settimane": 2, "assunti_entro": dt.date(2026, 1, 1)}
    return {
        c.PeriodoForm: lambda **kw: c.PeriodoForm(misura=domanda.misura, **kw),
        c.NuovaDomandaForm: lambda **kw: c.NuovaDomandaForm(
            sedi=domanda.azienda.sedi.all(), misure=Misura.objects.all(), **kw
        ),
        c.LavoratoreForm: lambda **kw: c.LavoratoreForm(agricola=True, **periodo, **kw),
        c.LavoratoriFileForm: lambda **kw: c.LavoratoriFileForm(**periodo, **kw),
        c.AccordoForm: lambda **kw: c.AccordoForm(soglia=15, **kw),
        c.ReferenteForm: c.ReferenteForm,
        c.DichiarazioniForm: c.DichiarazioniForm,
        c.ConfermaForm: c.ConfermaForm,
        c.RettificaForm: lambda **kw: c.RettificaForm(domanda=domanda, **kw),
        c.RichiestaForm: lambda **kw: c.RichiestaForm(tipi=["MODIFICA", "ANNULLAMENTO"], **kw),
        c.FiltroDomandeForm: c.FiltroDomandeForm,
        k.MeseForm: lambda **kw: k.MeseForm(domanda=domanda, **kw),
        k.RigaForm: k.RigaForm,
        k.CaricamentoForm: lambda **kw: k.CaricamentoForm(domanda=domanda, **kw),
        k.Sr41Form: k.Sr41Form,
        z.IntestazioneForm: z.IntestazioneForm,
        z.AutorizzazioneForm: z.AutorizzazioneForm,
        z.RettificaForm: z.RettificaForm,
        z.EsitoForm: z.EsitoForm,
        a.LoginForm: lambda **kw: a.LoginForm(request=None, **kw),
        a.AdminLoginForm: lambda **kw: a.AdminLoginForm(request=None, **kw),
        a.CodiceVerificaForm: a.CodiceVerificaForm,
        a.AziendaContattiForm: lambda **kw: a.AziendaContattiForm(instance=domanda.azienda, **kw),
        a.CensimentoAziendaForm: a.CensimentoAziendaForm,
        a.CensimentoSedeForm: a.CensimentoSedeForm,
        a.CensimentoAziendaEsistenteForm: a.CensimentoAziendaEsistenteForm,
    }


def _dati_sbagliati(form) -> list[tuple[dict, dict]]:
    """What a hurried user sends: nothing, letters, a very long number, a negative one, an
    impossible date; a file that is not what was asked for."""
    nomi = [form.add_prefix(nome) for nome in form.fields]
    file = [form.add_prefix(n) for n, f in form.fields.items() if isinstance(f, forms.FileField)]
    tentativi: list[tuple[dict, dict]] = [({}, {})]
    for valore in ("x", "9" * 300, "-1", "31/02/2026"):
        data = {nome: valore for nome in nomi} | {f"{nome}_{i}": valore for nome in nomi for i in range(3)}
        files = {nome: SimpleUploadedFile("documento.exe", b"MZ non un documento") for nome in file}
        tentativi.append((data, files))
    return tentativi


def test_every_forms_errors_read_without_doubled_punctuation_in_their_summary(mondo):
    """Each form of the apps with bad input, its errors rendered as the pages render them: next to
    the field, in the one error summary ("Campo: errore") and in a page's list of entries."""
    from claims.templatetags.domande import voci_errori

    domanda, _consuntivi = mondo
    moduli = _moduli(domanda)
    definiti = {
        cls
        for modulo in ("anagrafica.forms", "autorizzazioni.forms", "claims.forms", "consuntivi.forms")
        for cls in vars(importlib.import_module(modulo)).values()
        if isinstance(cls, type) and issubclass(cls, forms.BaseForm) and cls.__module__ == modulo
    }
    assert definiti - set(moduli) == {RateLimitedLoginMixin}  # every form is walked (the mixin is no form)

    errori_visti = 0
    for cls, crea in moduli.items():
        for data, files in _dati_sbagliati(crea()):
            form = crea(data=data, files=files)
            form.is_valid()
            errori_visti += sum(len(e) for e in form.errors.values())
            resa = render_to_string("includes/error_summary.html", {"form": form})
            resa += "".join(render_to_string("includes/field_errors.html", {"field": f}) for f in form)
            resa += "\n".join(voce["testo"] for voce in voci_errori(form))
            assert doppie(html.unescape(strip_tags(resa))) == [], cls.__name__
    assert errori_visti > 300  # the bad input did meet the forms' messages


def test_a_files_errors_read_as_one_sentence_each(db):
    """The messages of an uploaded file are built from parts (row, field, the field's own error, the
    reason a file cannot be read): each reads as one sentence with one full stop."""
    from claims.forms import LavoratoriFileForm
    from consuntivi.services import caricamento_process
    from tests.anagrafica.factories import make_codice_fiscale
    from tests.consuntivi.factories import caricamento_in_coda

    cf = make_codice_fiscale(70001)
    lavoratori = "\n".join(
        [
            "codice_fiscale;cognome;nome;qualifica;tipo_contratto;ore_settimanali;ore_richieste;data_assunzione",
            "RSSMRA80A01L219X;Rossi;Anna;OPERAIO;INDETERMINATO;40;60;15/01/2018",  # check digit wrong
            f"{cf};Neri;Ugo;Operaio;Tempo indeterminato;quaranta;-5;31/02/2018",
            f"{cf};Neri;Ugo;Operaio;Tempo indeterminato;40;9999;15/01/2018",
            f"{cf};Neri;Ugo;Astronauta;Stagionale;40;10;15/01/2030",
            f'{cf};"{"x" * 200_000}";Ugo;Operaio;Tempo indeterminato;40;10;15/01/2018',  # over csv's field limit
        ]
    )
    form = LavoratoriFileForm(
        data={},
        files={"file-file": SimpleUploadedFile("lavoratori.csv", lavoratori.encode())},
        settimane=2,
        assunti_entro=dt.date(2026, 1, 1),
    )
    assert not form.is_valid()
    messaggi = form.errors["file"]
    assert messaggi == ["Il file non è leggibile: la riga 6 non si legge come CSV."]

    form = LavoratoriFileForm(
        data={},
        files={"file-file": SimpleUploadedFile("lavoratori.csv", lavoratori.rsplit("\n", 1)[0].encode())},
        settimane=2,
        assunti_entro=dt.date(2026, 1, 1),
    )
    assert not form.is_valid()
    messaggi = form.errors["file"]
    assert len(messaggi) >= 6 and all(m.startswith("Riga ") for m in messaggi)
    messaggi += LavoratoriFileForm(
        data={}, files={"file-file": SimpleUploadedFile("lavoratori.xlsx", b"PK non un foglio")}
    ).errors["file"]

    altra = domanda_consuntivabile()  # the world's domanda already has an upload in progress
    caricamento = caricamento_in_coda(altra, ["codice_fiscale;ore", f"{cf};otto", f'{cf};"{"x" * 200_000}"'])
    caricamento_process(caricamento_id=caricamento.pk)
    caricamento.refresh_from_db()
    consuntivo = [e["messaggio"] for e in caricamento.errori]
    assert "Il file CSV non è leggibile: la riga 3 non si legge come CSV." in consuntivo

    for messaggio in [*messaggi, *consuntivo]:
        assert doppie(messaggio) == [], messaggio
        assert messaggio.endswith("."), messaggio


def test_the_rules_read_without_doubled_punctuation_inside_their_summary_sentence(client, mondo):
    """The submission rules shown inside "Passo 2, lavoratori (campo): messaggio" on the summary
    step, and a consuntivo's rules next to its hours: one mark where a sentence ends."""
    from tests.claims.factories import LavoratoreFactory, bozza_dal_passo_1

    domanda, _consuntivi = mondo
    bozza = bozza_dal_passo_1(
        sede=domanda.sede,
        misura=domanda.misura,
        creata_da=domanda.creata_da,
        data_inizio=dt.date(2025, 12, 29),
        data_fine=dt.date(2026, 6, 28),
    )
    LavoratoreFactory(domanda=bozza, ore_richieste=9999, data_assunzione=dt.date(2026, 3, 1))
    LavoratoreFactory(domanda=bozza, codice_fiscale=domanda.lavoratori.first().codice_fiscale)
    response = client.post(reverse("claims:domanda_passo", args=[bozza.pk, 6]), {})
    riepilogo = response.content.decode().split('id="errori-presentazione"', 1)[1].split("</ul>", 1)[0]
    voci = [html.unescape(strip_tags(voce)) for voce in re.findall(r"<li>(.*?)</li>", riepilogo, flags=re.S)]
    assert len(voci) >= 8, voci  # the rules did fail: the check below reads their messages
    for voce in voci:
        assert doppie(voce) == [], voce

    lavoratori = list(domanda.lavoratori.order_by("cognome", "nome", "pk"))
    data = {
        "mese": "2026-05",
        "conferma": "1",
        "righe-TOTAL_FORMS": "2",
        "righe-INITIAL_FORMS": "2",
        "righe-MIN_NUM_FORMS": "0",
        "righe-MAX_NUM_FORMS": "2",
    }
    for i, (lav, ore, retribuzione) in enumerate(zip(lavoratori, ("otto", "9999"), ("x", "-1"), strict=True)):
        data |= {
            f"righe-{i}-lavoratore": lav.pk,
            f"righe-{i}-ore": ore,
            f"righe-{i}-retribuzione_mensile": retribuzione,
        }
    pagina = leggi_pagina(client.post(reverse("consuntivi:nuovo", args=[domanda.pk]), data))
    assert "ore superano le ore lavorabili" in pagina and "«otto» non è un numero valido." in pagina
    assert doppie(pagina) == []


def test_the_backoffice_pages_of_a_domanda_write_dates_in_the_same_styles(client, mondo, funzionario):
    domanda, _consuntivi = mondo
    client.force_login(funzionario)
    pagine = {
        "coda": reverse("admin:claims_domanda_changelist"),
        "domanda": reverse("admin:claims_domanda_change", args=[domanda.pk]),
    }
    for nome, url in pagine.items():
        testo = leggi_pagina(client.get(url))
        assert domanda.azienda.ragione_sociale in testo, nome
        assert date_fuori_stile(testo) == [], nome
        assert CODICE_MISURA.lower() not in testo.lower(), nome
