"""Deploying the constraint on a database where an officer already made a company user a regional
officer (the hole of issue 14): the account goes back to the company side, then the constraint holds."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from anagrafica.constants import Ruolo
from anagrafica.models import User

PRIMA = [("anagrafica", "0002_reference_data")]


def migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_company_user_made_an_officer_is_sent_back_to_the_company_side():
    try:
        vecchie = migrate(PRIMA)
        VecchioUser = vecchie.get_model("anagrafica", "User")
        promosso = VecchioUser.objects.create(
            username="RSSMRA80A01L219M", codice_fiscale="RSSMRA80A01L219M", ruolo="funzionario", is_staff=True
        )
        ufficio = VecchioUser.objects.create(username="funzionario", ruolo="funzionario", is_staff=True)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    promosso = User.objects.get(pk=promosso.pk)
    assert (promosso.ruolo, promosso.is_staff, promosso.is_funzionario) == (Ruolo.IMPRESA, False, False)
    assert User.objects.get(pk=ufficio.pk).is_funzionario
