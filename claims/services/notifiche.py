"""E-mails to the company side. Called after commit, with ids, so a rolled-back change sends nothing."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

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
