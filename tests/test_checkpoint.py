"""Checkpoints: resume equals the uninterrupted run bit for bit; crashes while
saving leave the previous checkpoint intact; every wrong load is refused."""
import json
import os

import numpy as np
import pytest

import nn
import smpc
from autograd import Tensor
from nn import checkpoint, serialization

STEPS, SAVE_AT = 6, 3


def setup(seed):
    parties = smpc.make_parties(seed=seed)
    alice, bob, cp = parties
    model = nn.Sequential(nn.Linear(6, 5), nn.Square(), nn.Linear(5, 3))
    model.fix_precision().share(alice, bob, crypto_provider=cp, requires_grad=True)
    opt = nn.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3).fix_precision()
    return parties, model, opt


# Plaintext batches from their own generator; they are shared inside each step, so the
# sharing draws from smpc's source exactly where an uninterrupted run would.
_rng = np.random.default_rng(42)
BATCHES = [(_rng.normal(size=(8, 6)), _rng.normal(size=(8, 3))) for _ in range(STEPS)]


def train_step(parties, model, opt, k):
    alice, bob, cp = parties
    x, t = BATCHES[k]
    xs = Tensor(x).fix_precision().share(alice, bob, crypto_provider=cp)
    ts = Tensor(t).fix_precision().share(alice, bob, crypto_provider=cp)
    opt.zero_grad()
    nn.mse_loss(model(xs), ts).backward()
    opt.step()


def snapshot(model, opt):
    """Every share of every parameter and momentum buffer, and the random source's state."""
    params = [p.value.shares.copy() for p in model.parameters()]
    velocity = [None if v is None else v.shares.copy() for v in opt.velocity]
    return params, velocity, smpc.default_source.generator.bit_generator.state


def assert_identical(a, b):
    (pa, va, ra), (pb, vb, rb) = a, b
    assert len(pa) == len(pb) and len(va) == len(vb)
    for x, y in zip(pa + va, pb + vb):
        assert (x is None) == (y is None)
        if x is not None:
            assert x.dtype == y.dtype == np.int64 and np.array_equal(x, y)
    assert ra == rb


def files(directory):
    """{relative path: bytes} of everything under ``directory``."""
    out = {}
    for root, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            out[os.path.relpath(path, directory)] = open(path, "rb").read()
    return out


def resume(directory, seed=12345):
    """A new process: new parties, a differently initialised model, then the checkpoint."""
    parties, model, opt = setup(seed)
    state = nn.load_checkpoint(directory, model, opt, parties[:2], parties[2])
    return parties, model, opt, state


@pytest.fixture(scope="module")
def uninterrupted():
    parties, model, opt = setup(0)
    after = {}
    for k in range(STEPS):
        train_step(parties, model, opt, k)
        after[k + 1] = snapshot(model, opt)
    return after


@pytest.fixture
def saved(tmp_path):
    """A run that trained SAVE_AT steps and saved a checkpoint; returns (dir, run, snapshot)."""
    parties, model, opt = setup(0)
    for k in range(SAVE_AT):
        train_step(parties, model, opt, k)
    directory = str(tmp_path / "ckpt")
    before = snapshot(model, opt)
    path = nn.save_checkpoint(directory, model, opt, step=SAVE_AT, epoch=0, batch=SAVE_AT,
                              extra={"note": "mid-epoch"})
    assert path == os.path.join(directory, "ckpt-00000003")
    assert_identical(snapshot(model, opt), before)       # saving draws no randomness
    return directory, (parties, model, opt), before


# -- resume equals the uninterrupted run ------------------------------------------------------

def test_resume_equals_the_uninterrupted_run_bit_for_bit(saved, uninterrupted):
    directory, _, at_save = saved
    assert_identical(at_save, uninterrupted[SAVE_AT])
    parties, model, opt, state = resume(directory)
    assert (state.step, state.epoch, state.batch) == (SAVE_AT, 0, SAVE_AT)
    assert state.extra == {"note": "mid-epoch"}
    assert_identical(snapshot(model, opt), uninterrupted[SAVE_AT])
    for k in range(state.batch, STEPS):
        train_step(parties, model, opt, k)
        assert_identical(snapshot(model, opt), uninterrupted[k + 1])


def test_without_the_random_state_the_shares_differ(saved, uninterrupted):
    # The bitwise comparison is not vacuous: one extra draw after loading changes every
    # later share, though the values agree within the fixed-point tolerance.
    directory, _, _ = saved
    parties, model, opt, state = resume(directory)
    parties[0].network.local.source.ring((1,))    # the owner's stream: batches are shared from it
    for k in range(state.batch, STEPS):
        train_step(parties, model, opt, k)
    params, _, _ = snapshot(model, opt)
    expected = uninterrupted[STEPS][0]
    assert not any(np.array_equal(a, b) for a, b in zip(params, expected))
    for a, b in zip(params, expected):
        np.testing.assert_allclose(a.sum(axis=0) / 2 ** 16, b.sum(axis=0) / 2 ** 16, atol=1e-3)


def test_a_checkpoint_before_the_first_step_has_no_momentum(tmp_path, uninterrupted):
    parties, model, opt = setup(0)
    nn.save_checkpoint(tmp_path, model, opt, step=0)
    parties, model, opt, state = resume(tmp_path)
    assert state.step == 0 and opt.velocity == [None] * 4
    for k in range(STEPS):
        train_step(parties, model, opt, k)
    assert_identical(snapshot(model, opt), uninterrupted[STEPS])


def test_each_party_file_holds_only_its_shares(saved):
    directory, (_, model, opt), _ = saved
    path = nn.latest_checkpoint(directory)
    assert sorted(os.listdir(path)) == ["rng.alice.json", "rng.bob.json", "rng.crypto_provider.json",
                                        "rng.json", "rng.me.json", "shares.alice.npz",
                                        "shares.bob.npz", "state.json"]
    tensors = [p.value for p in model.parameters()] + opt.velocity
    for j, party in enumerate(["alice", "bob"]):
        with np.load(os.path.join(path, f"shares.{party}.npz")) as data:
            stored = [data[n] for n in data.files if n != "__meta__"]
            assert len(stored) == 8                              # 4 parameters, 4 momentum buffers
            for t in tensors:
                assert any(np.array_equal(s, t.shares[j]) for s in stored)
                assert not any(np.array_equal(s, t.shares[1 - j]) for s in stored)
    state = json.load(open(os.path.join(path, "state.json")))
    assert state["step"] == SAVE_AT and state["optimizer"]["momentum"] == 0.9


# -- crash safety -----------------------------------------------------------------------------

def crash_after_first_party_file(monkeypatch):
    real, calls = serialization.atomic_savez, []

    def flaky(path, **arrays):
        if calls:
            raise OSError("simulated crash while saving")
        calls.append(path)
        real(path, **arrays)
    monkeypatch.setattr(serialization, "atomic_savez", flaky)
    return calls


def test_a_crash_mid_save_leaves_the_previous_checkpoint(saved, monkeypatch):
    directory, (parties, model, opt), at_save = saved
    before = files(directory)
    train_step(parties, model, opt, SAVE_AT)
    calls = crash_after_first_party_file(monkeypatch)
    with pytest.raises(OSError, match="simulated crash"):
        nn.save_checkpoint(directory, model, opt, step=SAVE_AT + 1)
    assert calls and calls[0].endswith("shares.alice.npz")      # one party file was written
    monkeypatch.undo()
    assert files(directory) == before                              # byte for byte
    _, model2, opt2, state = resume(directory)
    assert state.step == SAVE_AT
    assert_identical(snapshot(model2, opt2), at_save)


def test_a_crash_before_the_pointer_moves(saved, monkeypatch, uninterrupted):
    directory, (parties, model, opt), at_save = saved
    train_step(parties, model, opt, SAVE_AT)

    def crash(*args):
        raise OSError("simulated crash before LATEST")
    monkeypatch.setattr(checkpoint, "_write_latest", crash)
    with pytest.raises(OSError):
        nn.save_checkpoint(directory, model, opt, step=SAVE_AT + 1)
    monkeypatch.undo()
    assert os.path.isdir(os.path.join(directory, "ckpt-00000004"))   # complete, not of record
    parties, model, opt, state = resume(directory)
    assert state.step == SAVE_AT
    assert_identical(snapshot(model, opt), at_save)
    # Resuming and saving the same step again replaces the leftover and prunes the old one.
    train_step(parties, model, opt, SAVE_AT)
    nn.save_checkpoint(directory, model, opt, step=SAVE_AT + 1)
    assert sorted(os.listdir(directory)) == ["LATEST", "ckpt-00000004"]
    _, model, opt, state = resume(directory)
    assert state.step == SAVE_AT + 1
    assert_identical(snapshot(model, opt), uninterrupted[SAVE_AT + 1])


def test_a_hard_crash_leftover_is_ignored_then_pruned(saved):
    directory, (parties, model, opt), at_save = saved
    leftover = os.path.join(directory, ".tmp-ckpt-deadbeef")
    os.makedirs(leftover)
    open(os.path.join(leftover, "shares.alice.npz"), "wb").write(b"half a file")
    _, model2, opt2, state = resume(directory)
    assert state.step == SAVE_AT
    nn.save_checkpoint(directory, model, opt, step=SAVE_AT + 1)
    assert sorted(os.listdir(directory)) == ["LATEST", "ckpt-00000004"]


def test_keep_several_checkpoints(tmp_path):
    parties, model, opt = setup(0)
    for k in range(4):
        train_step(parties, model, opt, k)
        nn.save_checkpoint(tmp_path, model, opt, step=k + 1, keep=2)
    assert sorted(os.listdir(tmp_path)) == ["LATEST", "ckpt-00000003", "ckpt-00000004"]
    assert open(tmp_path / "LATEST").read().strip() == "ckpt-00000004"
    with pytest.raises(ValueError, match="keep"):
        nn.save_checkpoint(tmp_path, model, opt, step=5, keep=0)
    with pytest.raises(FileExistsError, match="latest checkpoint already"):
        nn.save_checkpoint(tmp_path, model, opt, step=4)


# -- wrong saves and loads --------------------------------------------------------------------

def test_no_checkpoint_yet(tmp_path):
    parties, model, opt = setup(0)
    assert nn.latest_checkpoint(tmp_path) is None
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        nn.load_checkpoint(tmp_path, model, opt, parties[:2], parties[2])


def test_a_float_model_is_refused(tmp_path):
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="needs a shared model"):
        nn.save_checkpoint(tmp_path, model, nn.SGD(model.parameters(), lr=0.1), step=1)
    assert not os.listdir(tmp_path)


def untouched_after_refusal(directory, build, error, message, **kwargs):
    parties, model, opt = build()
    before = snapshot(model, opt)
    with pytest.raises(error, match=message):
        nn.load_checkpoint(directory, model, opt, parties[:2], parties[2], **kwargs)
    assert_identical(snapshot(model, opt), before)


def test_a_different_model_is_refused(saved):
    def build():
        parties, _, _ = setup(5)
        model = nn.Sequential(nn.Linear(6, 4), nn.Square(), nn.Linear(4, 3))
        model.fix_precision().share(*parties[:2], crypto_provider=parties[2])
        return parties, model, nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    untouched_after_refusal(saved[0], build, ValueError, r"'param.0.weight' has shape \[5, 6\]")


def test_a_different_encoding_is_refused(saved):
    untouched_after_refusal(saved[0], lambda: setup(5), ValueError, "encoder base 2, precision 16",
                            encoder=smpc.FixedPointEncoder(10, 3))


def test_a_different_truncation_is_refused(saved):
    current = smpc.config.settings.truncation            # what the fixture saved with
    other = "exact" if current != "exact" else "local"
    with smpc.config.using(truncation=other):
        untouched_after_refusal(saved[0], lambda: setup(5), ValueError, f"truncation {current!r}")


def test_swapped_party_files_are_refused(saved):
    path = nn.latest_checkpoint(saved[0])
    a, b = os.path.join(path, "shares.alice.npz"), os.path.join(path, "shares.bob.npz")
    os.replace(a, a + ".tmp")
    os.replace(b, a)
    os.replace(a + ".tmp", b)
    untouched_after_refusal(saved[0], lambda: setup(5), ValueError, "holds the shares of 'bob'")


def test_share_files_from_another_checkpoint_are_refused(saved, tmp_path):
    directory, (parties, model, opt), _ = saved
    other = tmp_path / "other"
    nn.save_checkpoint(other, model, opt, step=SAVE_AT)
    for party in ("alice", "bob"):
        os.replace(other / "ckpt-00000003" / f"shares.{party}.npz",
                   os.path.join(directory, "ckpt-00000003", f"shares.{party}.npz"))
    untouched_after_refusal(directory, lambda: setup(5), ValueError, "do not belong")


def test_a_pointer_out_of_the_directory_is_refused(saved):
    open(os.path.join(saved[0], "LATEST"), "w").write("../../etc\n")
    untouched_after_refusal(saved[0], lambda: setup(5), ValueError, "not a checkpoint")
