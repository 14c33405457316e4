"""E-mails to the company side, called after commit with ids so a rolled-back change sends nothing;
and the officers' digest of new requests, run by Celery beat."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from anagrafica.constants import Ruolo
from anagrafica.models import User

from ..constants import EsitoRichiesta
from ..models import Domanda, RichiestaRegione


def stato_cambiato(domanda_id: int) -> None:
    """Tell the referente of every state change made by the Region, with the officer's note."""
    domanda = Domanda.objects.select_related("azienda", "registrazione").get(pk=domanda_id)
    if not domanda.referente_email:
        return
    evento = domanda.eventi.order_by("-created_at", "-pk").first()
    context = {"domanda": domanda, "evento": evento, "url": _url(domanda)}
    send_mail(
        subject=f"Domanda {domanda.protocollo or domanda.pk}: {domanda.get_stato_display()}",
        message=render_to_string("claims/email/stato_cambiato.txt", context),
        from_email=None,
        recipient_list=[domanda.referente_email],
    )


def richiesta_risposta(richiesta_id: int) -> None:
    richiesta = RichiestaRegione.objects.select_related("domanda", "richiedente").get(pk=richiesta_id)
    destinatari = {e for e in (richiesta.richiedente.email, richiesta.domanda.referente_email) if e}
    if not destinatari:
        return
    send_mail(
        subject=f"Risposta alla {richiesta.get_tipo_display().lower()} – domanda {richiesta.domanda.pk}",
        message=render_to_string(
            "claims/email/richiesta_risposta.txt", {"richiesta": richiesta, "url": _url(richiesta.domanda)}
        ),
        from_email=None,
        recipient_list=sorted(destinatari),
    )


def _url(domanda: Domanda) -> str:
    return f"{settings.AMINDER_PUBLIC_URL.rstrip('/')}/domande/{domanda.pk}/"


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
        destinatari = sorted(
            User.objects.filter(ruolo=Ruolo.FUNZIONARIO, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
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
