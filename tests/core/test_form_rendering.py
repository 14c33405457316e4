"""`{{ form }}` renders Bootstrap Italia markup with accessible errors (FORM_RENDERER templates)."""

from django import forms
from django.template import engines


class DemoForm(forms.Form):
    nome = forms.CharField(label="Nome", help_text="Come sul documento d'identità.")
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)
    provincia = forms.ChoiceField(label="Provincia", choices=[("", "Scegli"), ("TO", "Torino")])
    qualifica = forms.ChoiceField(
        label="Qualifica",
        choices=[("operaio", "Operaio"), ("impiegato", "Impiegato")],
        widget=forms.RadioSelect,
    )
    dichiarazione = forms.BooleanField(label="Dichiaro")

    def clean(self):
        raise forms.ValidationError("Periodo fuori dalla finestra di presentazione.")


def render(template: str, **context) -> str:
    return engines["django"].from_string(template).render(context)


def test_field_error_is_next_to_the_field_and_described_by_it():
    form = DemoForm(data={})
    form.is_valid()

    html = str(form)

    assert (
        '<input type="text" name="nome" class="form-control is-invalid" required aria-invalid="true" '
        'aria-describedby="id_nome_helptext id_nome_error" id="id_nome">'
    ) in html
    assert '<label for="id_nome" class="form-label">Nome</label>' in html
    assert '<p class="form-text mt-0 mb-2" id="id_nome_helptext">' in html
    assert '<div class="invalid-feedback d-block ms-0" id="id_nome_error">' in html
    assert 'class="form-select is-invalid"' in html


def test_optional_field_is_labelled_facoltativo():
    html = str(DemoForm())

    assert 'Note <span class="fw-normal">(facoltativo)</span>' in html
    assert 'class="form-control"' in html
    assert "is-invalid" not in html


def test_radio_group_is_a_fieldset_with_legend_and_checkbox_label_follows_the_box():
    form = DemoForm(data={})
    form.is_valid()

    html = str(form)

    assert (
        '<fieldset class="aminder-field mb-4 aminder-field-invalid" aria-describedby="id_qualifica_error">'
        in html
    )
    assert '<legend class="form-label h6 mb-2">Qualifica</legend>' in html
    assert '<label for="id_qualifica_0">Operaio</label>' in html
    assert 'id="id_dichiarazione">\n    <label for="id_dichiarazione">Dichiaro</label>' in html


def test_error_summary_counts_and_links_every_error():
    form = DemoForm(data={"nome": ""})
    form.is_valid()

    html = render('{% include "includes/error_summary.html" with form=form %}', form=form)

    assert 'role="alert" tabindex="-1"' in html
    assert "Il modulo contiene 5 errori" in html
    assert '<a href="#errori-modulo">Periodo fuori dalla finestra di presentazione.</a>' in html
    assert '<a href="#id_nome">Nome: Campo obbligatorio.</a>' in html
    assert '<a href="#id_qualifica_0">Qualifica: Campo obbligatorio.</a>' in html
    assert 'id="errori-modulo"' in str(form)


def test_error_summary_is_absent_when_the_form_has_no_errors():
    html = render('{% include "includes/error_summary.html" with form=form %}', form=DemoForm())

    assert html.strip() == ""


def test_admin_keeps_django_error_lists_and_widgets():
    """Only the form and field templates are overridden: the admin's own markup is untouched."""
    form = DemoForm(data={})
    form.is_valid()

    assert str(form["nome"].errors).startswith('<ul class="errorlist" id="id_nome_error">')
    assert str(form["qualifica"].field.widget.render("qualifica", None)).startswith(
        "<div><div>\n    <label><input"
    )
