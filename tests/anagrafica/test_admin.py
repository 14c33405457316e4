import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from anagrafica.constants import StatoCensimento, TipoCensimento
from anagrafica.models import Abilitazione, ModificaAnagrafica, RichiestaCensimento
from anagrafica.services import censimento_request
from tests.anagrafica.factories import (
    AbilitazioneFactory,
    AziendaFactory,
    SedeFactory,
    UserFactory,
    comune,
    cpi,
)


def backoffice(**kwargs):
    user = UserFactory(**kwargs)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="anagrafica"))
    return user


@pytest.fixture
def operatore_torino(db):
    return backoffice(operatore_cpi=True, cpi=cpi("Torino"))


@pytest.fixture
def operatore_asti(db):
    return backoffice(operatore_cpi=True, cpi=cpi("Asti"))


@pytest.fixture
def sede_torino(db):
    return SedeFactory(azienda=AziendaFactory(ragione_sociale="Alfa Meccanica S.r.l."))


@pytest.fixture
def sede_asti(db):
    azienda = AziendaFactory(ragione_sociale="Beta Servizi S.n.c.", comune=comune("Asti"), cap="14100")
    return SedeFactory(azienda=azienda, comune=comune("Asti"), cap="14100", denominazione="Ristorante")


def test_cpi_operator_sees_only_the_companies_of_their_territory(
    client, operatore_torino, sede_torino, sede_asti
):
    client.force_login(operatore_torino)

    changelist = client.get(reverse("admin:anagrafica_azienda_changelist")).content.decode()

    assert "Alfa Meccanica" in changelist
    assert "Beta Servizi" not in changelist
    foreign = client.get(reverse("admin:anagrafica_azienda_change", args=[sede_asti.azienda.pk]))
    assert foreign.status_code == 302  # the admin's answer to an object outside the queryset
    assert client.get(reverse("admin:anagrafica_sede_change", args=[sede_asti.pk])).status_code == 302


def test_cpi_operator_cannot_see_users_nor_edit_the_cpi_mapping(client, operatore_torino):
    client.force_login(operatore_torino)

    assert client.get(reverse("admin:anagrafica_user_changelist")).status_code == 403
    response = client.get(reverse("admin:anagrafica_centroimpiego_change", args=[operatore_torino.cpi.pk]))
    assert 'name="comuni"' not in response.content.decode()


def test_funzionario_edits_which_comuni_a_cpi_covers(client, db):
    funzionaria = backoffice(funzionario=True)
    client.force_login(funzionaria)

    response = client.get(reverse("admin:anagrafica_centroimpiego_change", args=[cpi("Asti").pk]))

    assert response.status_code == 200
    assert 'name="comuni"' in response.content.decode()


def test_admin_grants_an_abilitazione_through_the_service(client, operatore_torino, sede_torino):
    client.force_login(operatore_torino)
    consulente = UserFactory()

    response = client.post(
        reverse("admin:anagrafica_abilitazione_add"),
        {
            "azienda": sede_torino.azienda.pk,
            "codice_fiscale": consulente.codice_fiscale,
            "denominazione": "Studio Verdi",
            "valida_dal": dt.date.today().isoformat(),
            "valida_al": "",
        },
    )

    assert response.status_code == 302, response.content.decode()
    abilitazione = Abilitazione.objects.get()
    assert (abilitazione.cpi, abilitazione.concessa_da) == (operatore_torino.cpi, operatore_torino)


def test_admin_refuses_an_abilitazione_outside_the_territory(client, operatore_torino, sede_asti):
    client.force_login(operatore_torino)

    response = client.post(
        reverse("admin:anagrafica_abilitazione_add"),
        {
            "azienda": sede_asti.azienda.pk,
            "codice_fiscale": UserFactory().codice_fiscale,
            "denominazione": "Studio Verdi",
            "valida_dal": dt.date.today().isoformat(),
        },
    )

    assert response.status_code == 200
    assert not Abilitazione.objects.exists()


def test_admin_action_revokes_at_once(client, operatore_torino, sede_torino):
    consulente = UserFactory()
    abilitazione = AbilitazioneFactory(azienda=sede_torino.azienda, codice_fiscale=consulente.codice_fiscale)
    client.force_login(operatore_torino)

    client.post(
        reverse("admin:anagrafica_abilitazione_changelist"),
        {"action": "revoca", "_selected_action": [abilitazione.pk]},
    )

    abilitazione.refresh_from_db()
    assert abilitazione.revocata_da == operatore_torino


def test_census_requests_are_handled_by_the_competent_cpi_only(
    client, operatore_torino, operatore_asti, sede_asti
):
    richiedente = UserFactory()
    richiesta = censimento_request(
        actor=richiedente,
        tipo=TipoCensimento.SEDE,
        azienda_codice_fiscale=sede_asti.azienda.codice_fiscale,
        sede={
            "denominazione": "Magazzino",
            "indirizzo": "Via Roma 2",
            "comune": comune("Asti"),
            "cap": "14100",
        },
    )
    changelist = reverse("admin:anagrafica_richiestacensimento_changelist")

    client.force_login(operatore_torino)
    assert "Magazzino" not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "approva", "_selected_action": [richiesta.pk]})
    richiesta.refresh_from_db()
    assert richiesta.stato == StatoCensimento.IN_ATTESA

    client.force_login(operatore_asti)
    assert "Magazzino" in client.get(changelist).content.decode()
    client.post(changelist, {"action": "approva", "_selected_action": [richiesta.pk]})
    richiesta.refresh_from_db()
    assert richiesta.stato == StatoCensimento.APPROVATA
    assert richiesta.sede.denominazione == "Magazzino"


def test_census_refusal_asks_for_the_reason(client, operatore_asti, sede_asti):
    richiesta = censimento_request(
        actor=UserFactory(),
        tipo=TipoCensimento.SEDE,
        azienda_codice_fiscale=sede_asti.azienda.codice_fiscale,
        sede={
            "denominazione": "Magazzino",
            "indirizzo": "Via Roma 2",
            "comune": comune("Asti"),
            "cap": "14100",
        },
    )
    client.force_login(operatore_asti)
    changelist = reverse("admin:anagrafica_richiestacensimento_changelist")

    page = client.post(changelist, {"action": "rifiuta", "_selected_action": [richiesta.pk]})
    assert 'name="motivo"' in page.content.decode()
    client.post(
        changelist, {"action": "rifiuta", "_selected_action": [richiesta.pk], "motivo": "Sede inesistente."}
    )

    richiesta = RichiestaCensimento.objects.get(pk=richiesta.pk)
    assert (richiesta.stato, richiesta.motivo_rifiuto) == (StatoCensimento.RIFIUTATA, "Sede inesistente.")


def test_admin_site_change_is_recorded(client, operatore_torino, sede_torino):
    client.force_login(operatore_torino)

    response = client.post(
        reverse("admin:anagrafica_sede_change", args=[sede_torino.pk]),
        {
            "denominazione": "Stabilimento nord",
            "indirizzo": sede_torino.indirizzo,
            "comune": sede_torino.comune_id,
            "cap": sede_torino.cap,
        },
    )

    assert response.status_code == 302, response.content.decode()
    sede_torino.refresh_from_db()
    assert sede_torino.denominazione == "Stabilimento nord"
    modifica = ModificaAnagrafica.objects.get(azienda=sede_torino.azienda)
    assert (modifica.campo, modifica.valore_nuovo, modifica.actor) == (
        f"sede {sede_torino.pk}: denominazione",
        "Stabilimento nord",
        operatore_torino,
    )


def test_officer_cannot_raise_privileges_or_change_identity_or_password_of_an_account(db, client):
    from django.urls import reverse

    from tests.anagrafica.factories import UserFactory

    officer = UserFactory(username="franca", funzionario=True)
    officer.user_permissions.set(Permission.objects.filter(codename__in=["view_user", "change_user"]))
    target = UserFactory(username="altro")
    client.force_login(officer)
    change = client.get(reverse("admin:anagrafica_user_change", args=[target.pk]))
    assert change.status_code == 200
    readonly = change.context["adminform"].readonly_fields
    assert {"is_superuser", "is_staff", "groups", "codice_fiscale", "password"} <= set(readonly)
    password = client.get(reverse("admin:auth_user_password_change", args=[target.pk]))
    assert password.status_code == 403


def test_backoffice_account_acts_for_no_company(db):
    from anagrafica.selectors import aziende_for
    from tests.anagrafica.factories import AziendaFactory, UserFactory

    officer = UserFactory(funzionario=True)
    AziendaFactory(lr_codice_fiscale="RSSMRA80A01L219M")
    # Even if the codice fiscale were set behind the database's back (the constraint forbids it).
    officer.codice_fiscale = "RSSMRA80A01L219M"
    assert not aziende_for(officer).exists()


# --- roles and territory (issue 14) -----------------------------------------------------------------


def _user_change_data(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "ruolo": user.ruolo,
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_officer_cannot_make_a_company_user_a_regional_officer(db, client):
    from anagrafica.constants import Ruolo
    from anagrafica.models import User

    officer = backoffice(username="franca", funzionario=True)
    company_user = UserFactory(username="impresa")
    client.force_login(officer)

    response = client.post(
        reverse("admin:anagrafica_user_change", args=[company_user.pk]),
        _user_change_data(company_user, ruolo=Ruolo.FUNZIONARIO, is_staff="on", first_name="Gino"),
    )

    assert response.status_code == 302
    company_user = User.objects.get(pk=company_user.pk)
    assert company_user.first_name == "Gino"  # what an officer may change
    assert (company_user.ruolo, company_user.is_staff) == (Ruolo.IMPRESA, False)
    assert not company_user.is_funzionario


def test_officer_cannot_deactivate_or_move_a_cpi_operator(db, client, operatore_torino):
    from anagrafica.models import User

    officer = backoffice(username="franca", funzionario=True)
    client.force_login(officer)

    client.post(
        reverse("admin:anagrafica_user_change", args=[operatore_torino.pk]),
        _user_change_data(operatore_torino, is_active="", cpi=cpi("Asti").pk),
    )

    operatore = User.objects.get(pk=operatore_torino.pk)
    assert operatore.is_active and operatore.cpi == cpi("Torino")
    readonly = (
        client.get(reverse("admin:anagrafica_user_change", args=[operatore.pk]))
        .context["adminform"]
        .readonly_fields
    )
    assert {"ruolo", "cpi", "is_staff", "is_active"} <= set(readonly)


def test_a_new_account_made_by_an_officer_has_no_role(db, client):
    officer = backoffice(username="franca", funzionario=True)
    client.force_login(officer)
    form = client.get(reverse("admin:anagrafica_user_add")).context["adminform"].form
    assert not {"ruolo", "cpi", "is_staff", "is_superuser"} & set(form.fields)


def test_superuser_grants_the_officer_role(db, client):
    from anagrafica.constants import Ruolo
    from anagrafica.models import User

    root = UserFactory(username="root", codice_fiscale=None, is_staff=True, is_superuser=True)
    target = UserFactory(username="nuovo", codice_fiscale=None)
    client.force_login(root)
    response = client.post(
        reverse("admin:anagrafica_user_change", args=[target.pk]),
        _user_change_data(target, ruolo=Ruolo.FUNZIONARIO, is_staff="on"),
    )
    assert response.status_code == 302, response.content.decode()
    assert User.objects.get(pk=target.pk).is_funzionario


def test_database_refuses_an_office_role_on_a_company_side_account(db):
    from django.db import IntegrityError, transaction

    from anagrafica.constants import Ruolo

    company_user = UserFactory(username="impresa")
    for ruolo in (Ruolo.FUNZIONARIO, Ruolo.OPERATORE_CPI):
        company_user.ruolo, company_user.cpi = ruolo, cpi("Torino")
        with pytest.raises(IntegrityError), transaction.atomic():
            company_user.save()


def test_cpi_operator_cannot_change_the_legal_representative(client, operatore_torino, sede_torino):
    azienda = sede_torino.azienda
    client.force_login(operatore_torino)
    data = {
        field: getattr(azienda, field)
        for field in (
            "codice_fiscale",
            "partita_iva",
            "ragione_sociale",
            "forma_giuridica",
            "codice_ateco",
            "indirizzo",
            "cap",
            "lr_nome",
            "lr_cognome",
        )
    }
    data.update(comune=azienda.comune_id, lr_codice_fiscale="BNCLRA85M41L219R")
    data.update(
        {
            f"{prefix}-{key}": value
            for prefix in ("sedi", "modifiche")
            for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
        }
    )
    page = client.get(reverse("admin:anagrafica_azienda_change", args=[azienda.pk]))
    assert "lr_codice_fiscale" in page.context["adminform"].readonly_fields
    client.post(reverse("admin:anagrafica_azienda_change", args=[azienda.pk]), data)

    azienda.refresh_from_db()
    assert azienda.lr_codice_fiscale != "BNCLRA85M41L219R"
    assert not ModificaAnagrafica.objects.filter(azienda=azienda, campo="lr_codice_fiscale").exists()


def test_service_refuses_a_cpi_operator_changing_the_legal_representative(operatore_torino, sede_torino):
    from anagrafica.services import MSG_LR_SOLO_FUNZIONARIO, azienda_update
    from core.exceptions import NotPermitted

    with pytest.raises(NotPermitted, match=str(MSG_LR_SOLO_FUNZIONARIO)[:40]):
        azienda_update(
            actor=operatore_torino, azienda=sede_torino.azienda, lr_codice_fiscale="BNCLRA85M41L219R"
        )


def test_funzionario_changes_the_legal_representative(db, sede_torino):
    from anagrafica.services import azienda_update

    officer = UserFactory(funzionario=True)
    azienda_update(actor=officer, azienda=sede_torino.azienda, lr_codice_fiscale="BNCLRA85M41L219R")
    sede_torino.azienda.refresh_from_db()
    assert sede_torino.azienda.lr_codice_fiscale == "BNCLRA85M41L219R"


def test_cpi_operator_cannot_move_a_site_out_of_the_territory(client, operatore_torino, sede_torino):
    # The company keeps its registered office in Torino: the old check on the company let this through.
    client.force_login(operatore_torino)
    response = client.post(
        reverse("admin:anagrafica_sede_change", args=[sede_torino.pk]),
        {
            "denominazione": sede_torino.denominazione,
            "indirizzo": "Corso Alfieri 1",
            "comune": comune("Asti").pk,
            "cap": "14100",
        },
    )

    assert response.status_code == 200
    assert "comune" in response.context["adminform"].form.errors  # Asti is not among the choices
    sede_torino.refresh_from_db()
    assert sede_torino.comune == comune("Torino")


def test_service_refuses_a_cpi_operator_moving_a_site_out_of_the_territory(operatore_torino, sede_torino):
    from anagrafica.services import sede_update
    from core.exceptions import NotPermitted

    with pytest.raises(NotPermitted, match="non è coperto dal tuo Centro per l'Impiego"):
        sede_update(actor=operatore_torino, sede=sede_torino, comune=comune("Asti"), cap="14100")
    sede_torino.refresh_from_db()
    assert sede_torino.comune == comune("Torino")


def test_company_search_goes_to_the_key_typed(client, sede_torino, sede_asti):
    """Issue 19: each shape of term reads an index; a part of the name still finds the company."""
    client.force_login(backoffice(funzionario=True))
    alfa = sede_torino.azienda
    url = reverse("admin:anagrafica_azienda_changelist")
    for chiave in (
        "meccanica",
        alfa.partita_iva,
        f"IT{alfa.partita_iva}",
        alfa.codice_fiscale,
        alfa.lr_codice_fiscale.lower(),
    ):
        trovate = [a.pk for a in client.get(url, {"q": chiave}).context["cl"].result_list]
        assert trovate == [alfa.pk], chiave
