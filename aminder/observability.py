"""Health endpoints and Prometheus metrics: project wiring over every app, like urls.py.

- `/health/live/`: the process answers (liveness; restarts a stuck pod, never depends on others);
- `/health/ready/`: database, cache (Redis), private storage and disk; a web pod out of these gets no
  traffic. It does not wait for Celery: a submission is saved without a worker and numbered later;
- `/health/`: all of the above plus the broker and a Celery worker answering a ping (monitoring,
  and the worker's own health check).
- `/metrics`: request metrics of django-prometheus, the length of the Celery queues and the backlog
  of the protocol outbox, for a scraper holding METRICS_TOKEN.
"""

import datetime as dt
import hmac
import os
from collections.abc import Iterator
from typing import Any

import prometheus_client
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from health_check import Cache, Database, Storage
from health_check.contrib.celery import Ping
from health_check.contrib.psutil import Disk
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from redis.asyncio import Redis as AsyncRedis

# The queues the worker consumes; Celery's Redis transport keeps each as a list of that name.
CELERY_QUEUES = ("celery",)


def ready_checks() -> list[Any]:
    return [
        Database,
        Cache,
        Storage,
        (Disk, {"path": str(settings.PRIVATE_MEDIA_ROOT), "max_disk_usage_percent": 90.0}),
    ]


def full_checks() -> list[Any]:
    return [
        *ready_checks(),
        (Redis, {"client_factory": lambda: AsyncRedis.from_url(settings.CELERY_BROKER_URL)}),
        (Ping, {"timeout": dt.timedelta(seconds=3), "limit": 1}),
    ]


def health_live():
    return HealthCheckView.as_view(checks=[])


def health_ready():
    return HealthCheckView.as_view(checks=ready_checks())


def health_full():
    return HealthCheckView.as_view(checks=full_checks())


class BacklogCollector:
    """Read at each scrape: what waits in the broker and in the outbox right now."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield self._queue_lengths()
        yield self._outbox()

    def _queue_lengths(self) -> GaugeMetricFamily:
        from aminder.celery import app

        gauge = GaugeMetricFamily(
            "aminder_celery_queue_length", "Messaggi in coda nel broker", labels=["queue"]
        )
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return gauge
        with app.connection_for_read() as connection:
            client = connection.default_channel.client
            for queue in CELERY_QUEUES:
                gauge.add_metric([queue], client.llen(queue))
        return gauge

    def _outbox(self) -> GaugeMetricFamily:
        from claims.constants import StatoDomanda
        from claims.models import Domanda
        from consuntivi.models import Consuntivo

        gauge = GaugeMetricFamily(
            "aminder_outbox_backlog", "Documenti presentati in attesa di protocollo", labels=["documento"]
        )
        domande = Domanda.objects.filter(registrazione__isnull=True, presentata_il__isnull=False).exclude(
            stato=StatoDomanda.BOZZA
        )
        consuntivi = Consuntivo.objects.filter(registrazione__isnull=True, inviato_il__isnull=False)
        gauge.add_metric(["domanda"], domande.count())
        gauge.add_metric(["consuntivo"], consuntivi.count())
        return gauge


def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not token or not hmac.compare_digest(sent.encode(), token.encode()):
        raise Http404
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # gunicorn workers: each writes its own files
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.CollectorRegistry()
        registry.register(_ProcessRegistry())
    registry.register(BacklogCollector())
    return HttpResponse(
        prometheus_client.generate_latest(registry), content_type=prometheus_client.CONTENT_TYPE_LATEST
    )


class _ProcessRegistry:
    """The default registry's metrics (django-prometheus's), next to ours in one answer."""

    def collect(self) -> Iterator[Any]:
        yield from prometheus_client.REGISTRY.collect()
