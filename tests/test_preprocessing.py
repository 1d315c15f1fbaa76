"""The dealer ahead (smpc.preprocessing): prepared triples are right, used once, and in order.

A step's first run records its plan; later steps of the same key run on triples prepared
at the start of the step before.  Every prepared triple must still be a triple (c = a * b
over the ring), each must serve only the request it was prepared for, and a step that
leaves its plan must fall back to dealing inline, still correct.  The same code with the
parties in processes is tested in test_processes.py (bit-identical to the simulation).
"""
import numpy as np
import pytest

import smpc
from smpc import ring
from smpc.errors import ProtocolError, TripleReuseError


@pytest.fixture
def parties():
    return smpc.make_parties(seed=5)


def reconstructed(triple):
    return [v.sum(axis=0) for v in triple.consume()]


def check_mul(triple):
    a, b, c = reconstructed(triple)
    with np.errstate(over="ignore"):
        assert np.array_equal(c, a * b)


def check_matmul(triple):
    a, b, c = reconstructed(triple)
    assert np.array_equal(c, ring.matmul(a, b))


def run_step(parties, key, next_key, asks):
    """One step that asks for the given triples; returns them (unchecked)."""
    alice, bob, cp = parties
    out = []
    with cp.network.preprocessing.step(key, next_key):
        for kind, shapes in asks:
            deal = cp.mul_triple if kind == "mul" else cp.matmul_triple
            out.append(deal([alice, bob], *shapes))
    return out


STEP = [("mul", ((3, 4), (3, 4))), ("matmul", ((5, 6), (6, 2))), ("mul", ((7,), (7,)))]


def test_steps_after_the_first_run_on_prepared_triples_that_are_triples(parties):
    pre = parties[0].network.preprocessing
    for step in range(4):
        triples = run_step(parties, "train", "train" if step < 3 else None, STEP)
        check_mul(triples[0])
        check_matmul(triples[1])
        check_mul(triples[2])
    assert list(pre.plans) == ["train"] and len(pre.plans["train"]) == 3
    assert pre.prepared_steps == 3 and pre.rerecorded == 0


def test_prepared_triples_are_fresh_and_used_once(parties):
    firsts = []
    for step in range(3):
        triple = run_step(parties, "train", "train", STEP[:1])[0]
        a, _, _ = reconstructed(triple)
        firsts.append(a)
        with pytest.raises(TripleReuseError):
            triple.consume()
    assert not np.array_equal(firsts[1], firsts[2])   # each step its own randomness


def test_a_prepared_step_counts_the_dealers_bytes_as_an_inline_one():
    inline, ahead = smpc.make_parties(seed=1), smpc.make_parties(seed=1)
    alice, bob, cp = inline
    with cp.network.measure() as without:
        for _ in range(3):
            for kind, shapes in STEP:
                (cp.mul_triple if kind == "mul" else cp.matmul_triple)([alice, bob], *shapes)
    with ahead[2].network.measure() as with_steps:
        for _ in range(3):
            run_step(ahead, "train", "train", STEP)
    assert with_steps.offline_bytes == without.offline_bytes == 3 * 8 * (12 + 10 + 7)
    assert with_steps.by_link == without.by_link


def test_a_step_that_leaves_its_plan_is_recorded_again_and_stays_correct(parties):
    pre = parties[0].network.preprocessing
    run_step(parties, "train", "train", STEP)
    changed = STEP[:1] + [("mul", ((2, 2), (2, 2)))] + STEP[2:]   # second deal differs
    triples = run_step(parties, "train", "train", changed)
    assert pre.rerecorded == 1
    check_mul(triples[0])
    check_mul(triples[1])
    check_mul(triples[2])
    # The plan is now what the step really asked for, and the next step runs on it.
    triples = run_step(parties, "train", None, changed)
    assert pre.rerecorded == 1 and pre.prepared_steps == 1
    for triple in triples:
        check_mul(triple)


def test_a_step_with_fewer_deals_than_its_plan_is_recorded_again(parties):
    pre = parties[0].network.preprocessing
    run_step(parties, "train", "train", STEP)
    run_step(parties, "train", "train", STEP[:2])
    assert pre.rerecorded == 1 and len(pre.plans["train"]) == 2
    triples = run_step(parties, "train", None, STEP[:2])
    check_mul(triples[0])
    check_matmul(triples[1])
    assert pre.prepared_steps == 1


def test_a_deal_for_other_parameters_is_not_served_a_prepared_one(parties):
    """Same shapes, different derivation (a truncation pair for another divisor): a
    prepared deal serves only the request it was made for."""
    from smpc.safe_truncation import masked_pair
    from smpc.sharing import reconstruct

    alice, bob, cp = parties
    pre = cp.network.preprocessing
    for divisor in (2 ** 16, 2 ** 17, 2 ** 17):
        with pre.step("train", "train"):
            r, r_div = masked_pair(cp, [alice, bob], (50,), divisor).consume()
        r, r_div = reconstruct(r), reconstruct(r_div)
        assert np.array_equal(r_div, r // divisor)
    assert pre.rerecorded == 1 and pre.prepared_steps == 1


def test_announcing_one_step_and_running_another_is_refused(parties):
    run_step(parties, "train", "train", STEP)
    run_step(parties, "train", "test", STEP)   # "test" has no plan: nothing prepared
    run_step(parties, "test", "train", STEP)   # records "test"; prepares the next "train"
    with pytest.raises(ProtocolError, match="announced step 'train' next but began 'test'"):
        run_step(parties, "test", None, STEP)


def test_steps_do_not_nest(parties):
    pre = parties[0].network.preprocessing
    with pre.step("outer"):
        with pytest.raises(ProtocolError, match="steps do not nest"):
            with pre.step("inner"):
                pass


def test_after_an_error_inside_a_step_every_deal_is_inline_and_correct(parties):
    alice, bob, cp = parties
    pre = cp.network.preprocessing
    run_step(parties, "train", "train", STEP)
    with pytest.raises(ValueError, match="cannot matrix-multiply"):
        with pre.step("train", "train"):
            cp.matmul_triple([alice, bob], (2, 3), (4, 5))
    assert not pre.enabled
    for triple in run_step(parties, "train", "train", STEP[:1]):
        check_mul(triple)


def test_deals_outside_steps_are_inline(parties):
    alice, bob, cp = parties
    check_mul(cp.mul_triple([alice, bob], (4,), (4,)))
    assert cp.network.preprocessing.plans == {}


def test_training_runs_its_steps_on_prepared_triples():
    from experiments import train_mnist

    args = train_mnist.parse_args(["--epochs", "2", "--train-size", "192", "--test-size", "128",
                                   "--quiet"])
    parties = smpc.make_parties(seed=1)
    train, test, _ = train_mnist.load_data(args)
    history, _ = train_mnist.run(args, "encrypted", train, test, log=lambda *a, **k: None,
                                 parties=parties)
    plain, _ = train_mnist.run(args, "plaintext", train, test, log=lambda *a, **k: None)
    pre = parties[0].network.preprocessing
    # 6 training and 4 test steps; the first of each key records its plan.
    assert pre.prepared_steps == 8 and pre.rerecorded == 0
    assert set(pre.plans) == {("train", 64), ("test", 64)}
    assert np.allclose(history.losses, plain.losses, atol=2e-3)
    assert history.accuracies == plain.accuracies
