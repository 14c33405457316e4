import datetime as dt

import pytest
from django.utils import timezone

from core.models import IdempotencyKey
from core.tasks import purge_idempotency_keys
from tests.anagrafica.factories import UserFactory


@pytest.mark.django_db
def test_idempotency_keys_older_than_a_week_are_forgotten():
    user = UserFactory()
    vecchia = IdempotencyKey.objects.create(user=user, key="vecchia", request_hash="a" * 64)
    IdempotencyKey.objects.filter(pk=vecchia.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    recente = IdempotencyKey.objects.create(user=user, key="recente", request_hash="b" * 64)

    assert purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.all()) == [recente]
