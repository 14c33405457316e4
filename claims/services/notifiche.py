"""E-mails: to the company side about the Region's decisions and answers, and the officers' digest of
new requests (beat). Called after commit, with ids, so a rolled-back change sends nothing. They name
the Region that writes and the domanda by its protocol number (what the company has on its receipt),
never by an internal id."""

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from anagrafica.permissions import funzionari
from protocollo.services import publish

from ..constants import EsitoRichiesta
from ..models import Domanda, RichiestaRegione


def accoda_stato(domanda_id: int) -> None:
    """After commit: the e-mail goes through a worker, so that a decision on 500 domande does not wait
    for 500 conversations with the mail server. Without a reachable broker it is sent here, as before."""
    from ..tasks import notifica_stato

    if not publish(notifica_stato, domanda_id):
        stato_cambiato(domanda_id)


def accoda_risposta(richiesta_id: int) -> None:
    from ..tasks import notifica_risposta

    if not publish(notifica_risposta, richiesta_id):
        richiesta_risposta(richiesta_id)


def riferimento(domanda: Domanda) -> str:
    """The domanda as the company knows it: its protocol number, or its submission time until the
    register gives it one (a few seconds, or longer if the worker is down)."""
    if domanda.protocollo:
        return f"protocollo {domanda.protocollo}"
    if domanda.presentata_il:
        return f"presentata il {timezone.localtime(domanda.presentata_il):%d/%m/%Y alle %H:%M}"
    return "in bozza"


def stato_cambiato(domanda_id: int) -> None:
    """Tell the referente of every state change made by the Region, with the officer's note."""
    domanda = Domanda.objects.select_related("azienda", "registrazione").get(pk=domanda_id)
    if not domanda.referente_email:
        return
    evento = domanda.eventi.order_by("-created_at", "-pk").first()
    context = _contesto(domanda, evento=evento)
    send_mail(
        subject=f"{settings.AMINDER_REGIONE} – CIGD, domanda {riferimento(domanda)}: {domanda.get_stato_display()}",
        message=render_to_string("claims/email/stato_cambiato.txt", context),
        from_email=None,
        recipient_list=[domanda.referente_email],
    )


def richiesta_risposta(richiesta_id: int) -> None:
    richiesta = RichiestaRegione.objects.select_related(
        "domanda__azienda", "domanda__registrazione", "richiedente"
    ).get(pk=richiesta_id)
    domanda = richiesta.domanda
    destinatari = {e for e in (richiesta.richiedente.email, domanda.referente_email) if e}
    if not destinatari:
        return
    tipo = richiesta.get_tipo_display().lower()
    send_mail(
        subject=f"{settings.AMINDER_REGIONE} – risposta alla {tipo}, domanda {riferimento(domanda)}",
        message=render_to_string(
            "claims/email/richiesta_risposta.txt", _contesto(domanda, richiesta=richiesta)
        ),
        from_email=None,
        recipient_list=sorted(destinatari),
    )


def richieste_digest() -> int:
    """E-mail the regional officers one digest of the requests of modifica/annullamento that arrived
    since the last one; returns how many it listed. Each request is listed once: it is marked in the
    same transaction, and a failed e-mail leaves it for the next run."""
    with transaction.atomic():
        nuove = list(
            RichiestaRegione.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(segnalata_il__isnull=True)
            .select_related("domanda__azienda", "domanda__registrazione")
            .order_by("created_at", "pk")
        )
        if not nuove:
            return 0
        destinatari = sorted(funzionari().exclude(email="").values_list("email", flat=True))
        if destinatari:
            in_attesa = RichiestaRegione.objects.filter(esito=EsitoRichiesta.IN_ATTESA).count()
            base = settings.AMINDER_PUBLIC_URL.rstrip("/")
            context = {
                "richieste": nuove,
                "in_attesa": in_attesa,
                "url": base + reverse("admin:claims_richiestaregione_changelist") + "?esito__exact=IN_ATTESA",
            }
            send_mail(
                subject=f"Aminder: {len(nuove)} nuove richieste di modifica o annullamento",
                message=render_to_string("claims/email/richieste_digest.txt", context),
                from_email=None,
                recipient_list=destinatari,
            )
        RichiestaRegione.objects.filter(pk__in=[r.pk for r in nuove]).update(segnalata_il=timezone.now())
    return len(nuove)


def _contesto(domanda: Domanda, **extra: Any) -> dict[str, Any]:
    url = f"{settings.AMINDER_PUBLIC_URL.rstrip('/')}/domande/{domanda.pk}/"
    return {
        "domanda": domanda,
        "riferimento": riferimento(domanda),
        "url": url,
        "REGIONE": settings.AMINDER_REGIONE,
        **extra,
    }
