"""One state policy: every state says what it allows, and the sets the code uses come from it."""

from claims.constants import (
    NON_VIVE,
    POLICY,
    RETTIFICABILI,
    STATI_ANNULLAMENTO,
    STATI_CONSUNTIVABILI,
    STATI_MODIFICA,
    TRANSITIONS,
    StatoDomanda,
)

S = StatoDomanda


def test_every_state_has_a_policy_and_a_row_of_transitions():
    assert set(POLICY) == set(StatoDomanda.values)
    assert set(TRANSITIONS) == set(StatoDomanda.values)


def test_the_sets_follow_the_domain_rules():
    assert {S.PRESENTATA, S.DA_RETTIFICARE} == RETTIFICABILI  # DOMAIN.md "Rettifica"
    assert {S.BOZZA, S.ELIMINATA, S.RETTIFICATA, S.ANNULLATA, S.NON_AMMISSIBILE} == NON_VIVE
    assert not (STATI_CONSUNTIVABILI & {S.BOZZA, S.ELIMINATA, S.RETTIFICATA, S.ANNULLATA, S.NON_AMMISSIBILE})
    assert not (STATI_MODIFICA & RETTIFICABILI)  # where a rettifica is possible, it is the way to change
    # the Region can cancel in every state the company may ask it to
    assert all(S.ANNULLATA in TRANSITIONS[stato] for stato in STATI_ANNULLAMENTO)


def test_a_rettificabile_state_can_move_to_rettificata():
    for stato in RETTIFICABILI:
        assert S.RETTIFICATA in TRANSITIONS[stato]
