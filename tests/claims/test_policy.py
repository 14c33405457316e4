"""One state policy: every state says what it allows, and the sets the code uses come from it."""

from claims.constants import (
    NON_VIVE,
    POLICY,
    RETTIFICABILI,
    STATI_CONSUNTIVABILI,
    STATI_RICHIESTA,
    TRANSITIONS,
    StatoDomanda,
)

S = StatoDomanda


def test_every_state_has_a_policy_and_a_row_of_transitions():
    assert set(POLICY) == set(StatoDomanda.values)
    assert set(TRANSITIONS) == set(StatoDomanda.values)


def test_the_sets_follow_the_domain_rules():
    assert {S.PRESENTATA, S.DA_RETTIFICARE} == RETTIFICABILI  # DOMAIN.md "Rettifica"
    assert {S.BOZZA, S.RETTIFICATA, S.ANNULLATA, S.NON_AMMISSIBILE} == NON_VIVE
    assert not (STATI_CONSUNTIVABILI & {S.BOZZA, S.RETTIFICATA, S.ANNULLATA, S.NON_AMMISSIBILE})
    assert not (STATI_RICHIESTA & RETTIFICABILI)  # where a rettifica is possible, no request is needed


def test_a_rettificabile_state_can_move_to_rettificata():
    for stato in RETTIFICABILI:
        assert S.RETTIFICATA in TRANSITIONS[stato]
