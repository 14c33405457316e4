"""Sections an upper app adds to a lower app's page, so that templates too only point down.

The company page (anagrafica) shows the company's domande (claims); the domanda page (claims) links to
its consuntivi (consuntivi). The lower page names a slot, `{% sezioni "azienda" %}`; each upper app
registers its template for the slot in its `AppConfig.ready()`. Each template is rendered with the
page's context.
"""

from collections import defaultdict

_sezioni: dict[str, list[str]] = defaultdict(list)


def register(slot: str, template_name: str) -> None:
    if template_name not in _sezioni[slot]:
        _sezioni[slot].append(template_name)


def templates(slot: str) -> list[str]:
    return list(_sezioni[slot])
