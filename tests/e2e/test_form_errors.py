"""The form renderer and the error summary, on a demonstration form served by a test-only URL."""

import pytest
from django import forms
from django.shortcuts import render
from django.urls import include, path
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.urls(__name__)]


class DemoForm(forms.Form):
    ragione_sociale = forms.CharField(label="Ragione sociale", help_text="Come nel registro delle imprese.")
    email = forms.EmailField(label="Email del referente")
    qualifica = forms.ChoiceField(
        label="Qualifica",
        choices=[("operaio", "Operaio"), ("impiegato", "Impiegato")],
        widget=forms.RadioSelect,
    )
    provincia = forms.ChoiceField(label="Provincia", choices=[("", "Scegli una provincia"), ("TO", "Torino")])
    data_inizio = forms.DateField(
        label="Data di inizio", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    accordo = forms.FileField(label="Accordo sindacale (PDF)", required=False)
    dichiarazione = forms.BooleanField(label="Dichiaro che i dati sono veritieri")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("provincia") == "TO" and cleaned.get("qualifica") == "operaio":
            raise forms.ValidationError("La combinazione scelta non è ammessa da questa prova.")
        return cleaned


def demo_form_view(request):
    form = DemoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        return render(request, "base.html", {})
    return render(request, "tests/demo_form.html", {"form": form})


urlpatterns = [
    path("prova/modulo/", demo_form_view, name="demo_form"),
    path("", include("aminder.urls")),
]


@pytest.fixture(autouse=True)
def demo_template(settings, tmp_path):
    """The page template lives with the test: a page as any view would write it."""
    folder = tmp_path / "templates" / "tests"
    folder.mkdir(parents=True)
    (folder / "demo_form.html").write_text(
        '{% extends "base.html" %}{% load aminder %}'
        "{% block title %}Modulo di prova{% endblock %}"
        '{% block breadcrumbs %}{% crumb "Modulo di prova" %}{% endblock %}'
        "{% block content %}<h1>Modulo di prova</h1>"
        '{% include "includes/error_summary.html" with form=form %}'
        '<form method="post" enctype="multipart/form-data" novalidate>{% csrf_token %}{{ form }}'
        '<button type="submit" class="btn btn-primary">Salva</button></form>{% endblock %}',
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]


def test_failed_submission_lists_errors_linked_to_fields(page, axe_check, screenshot):
    page.goto("/prova/modulo/")
    page.get_by_label("Email del referente").fill("non-una-email")

    page.get_by_role("button", name="Salva").click()

    summary = page.get_by_role("alert").filter(has_text="Il modulo contiene")
    expect(summary).to_contain_text("Il modulo contiene 6 errori")
    expect(summary).to_be_focused()
    # The typed data stay on the page.
    expect(page.get_by_label("Email del referente")).to_have_value("non-una-email")
    email = page.get_by_label("Email del referente")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Inserisci un indirizzo email valido.")
    expect(page.get_by_label("Ragione sociale")).to_have_accessible_description(
        "Come nel registro delle imprese. Campo obbligatorio."
    )
    axe_check(page)
    screenshot(page, "modulo-con-errori")

    summary.get_by_role("link", name="Email del referente: Inserisci un indirizzo email valido.").click()
    expect(email).to_be_focused()
    summary.get_by_role("link", name="Qualifica: Campo obbligatorio.").click()
    expect(page.get_by_label("Operaio")).to_be_focused()


def test_non_field_error_is_summarised_and_shown_above_the_fields(page, axe_check):
    page.goto("/prova/modulo/")
    page.get_by_label("Ragione sociale").fill("Rossi S.r.l.")
    page.get_by_label("Email del referente").fill("referente@example.it")
    # Bootstrap Italia draws the box on the label, which covers the (transparent) input.
    page.get_by_label("Operaio").check(force=True)
    page.get_by_label("Provincia").select_option("TO")
    page.get_by_label("Data di inizio").fill("2020-03-02")
    page.get_by_label("Dichiaro che i dati sono veritieri").check(force=True)

    page.get_by_role("button", name="Salva").click()

    summary = page.get_by_role("alert").filter(has_text="Il modulo contiene")
    expect(summary).to_contain_text("Il modulo contiene 1 errore")
    summary.get_by_role("link", name="La combinazione scelta non è ammessa da questa prova.").click()
    expect(page.locator("#errori-modulo")).to_be_focused()
    expect(page.get_by_label("Data di inizio")).to_have_value("2020-03-02")
    axe_check(page)
