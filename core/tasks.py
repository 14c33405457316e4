import datetime as dt

from celery import shared_task
from django.utils import timezone

from .models import IdempotencyKey

# A client retries within minutes or hours; a week is ample and keeps the table small.
IDEMPOTENCY_KEY_DAYS = 7


@shared_task(acks_late=True)
def purge_idempotency_keys() -> int:
    """Forget the API's Idempotency-Key answers older than a week (beat, daily)."""
    soglia = timezone.now() - dt.timedelta(days=IDEMPOTENCY_KEY_DAYS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=soglia).delete()
    return deleted
