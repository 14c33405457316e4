"""Sections an upper app adds to a lower app's page, so that templates too only point down.

The company page (anagrafica) shows the company's domande (claims); the domanda page (claims) links to
its consuntivi (consuntivi). The lower page names a slot, `{% sezioni "azienda" %}`; each upper app
registers its template for the slot in its `AppConfig.ready()`. Each template is rendered with the
page's context.
"""

from collections import defaultdict

_sezioni: dict[str, dict[str, int]] = defaultdict(dict)


def register(slot: str, template_name: str, ordine: int = 0) -> None:
    """`ordine` places the section among the others of the slot (lower first; ties keep app order)."""
    _sezioni[slot].setdefault(template_name, ordine)


def templates(slot: str) -> list[str]:
    return sorted(_sezioni[slot], key=lambda nome: _sezioni[slot][nome])
