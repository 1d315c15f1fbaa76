"""Saving and loading models: a float model in one file, a shared model as one file per party."""
import os
import shutil

import numpy as np
import pytest

import nn
import smpc
from nn import serialization


def make_model(hidden=5):
    return nn.Sequential(nn.Linear(6, hidden), nn.Square(), nn.Linear(hidden, 3))


def values(model):
    return [np.array(p.value, copy=True) for p in model.parameters()]


def shares(model):
    return [p.value.shares.copy() for p in model.parameters()]


# -- float models ---------------------------------------------------------------------------

def test_float_round_trip_is_exact(tmp_path):
    smpc.manual_seed(0)
    model = make_model()
    path = tmp_path / "model.npz"
    nn.save(model, path)
    smpc.manual_seed(1)
    other = make_model()
    assert not np.array_equal(values(other)[0], values(model)[0])
    assert nn.load(other, path) is other
    for a, b in zip(values(other), values(model)):
        np.testing.assert_array_equal(a, b)
    assert all(p.requires_grad for p in other.parameters())
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]       # no temporary file left


def test_float_load_checks_names_and_shapes(tmp_path):
    path = tmp_path / "model.npz"
    nn.save(make_model(), path)
    with pytest.raises(ValueError, match=r"'0.weight' has shape \(4, 6\)"):
        nn.load(make_model(hidden=4), path)
    with pytest.raises(KeyError, match="missing.*unexpected"):
        nn.load(nn.Sequential(nn.Linear(6, 5)), path)


def test_save_refuses_a_shared_model(tmp_path):
    alice, bob, cp = smpc.make_parties(seed=0)
    model = make_model().fix_precision().share(alice, bob, crypto_provider=cp)
    with pytest.raises(TypeError, match="save_shares"):
        nn.save(model, tmp_path / "model.npz")
    assert not os.listdir(tmp_path)


def test_a_crash_while_writing_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    model = make_model()
    nn.save(model, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        nn.save(make_model(), path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]


# -- shared models --------------------------------------------------------------------------

@pytest.fixture
def saved(tmp_path):
    """A shared model saved under ``tmp_path/model``; returns (parties, model, stem)."""
    alice, bob, cp = smpc.make_parties(seed=0)
    model = make_model().fix_precision().share(alice, bob, crypto_provider=cp, requires_grad=True)
    stem = str(tmp_path / "model")
    files = nn.save_shares(model, stem)
    assert files == [stem + ".alice.npz", stem + ".bob.npz"]
    return (alice, bob, cp), model, stem


def fresh_shared(parties, encoder=None, hidden=5):
    alice, bob, cp = parties
    return make_model(hidden).fix_precision(encoder).share(alice, bob, crypto_provider=cp)


def test_shared_round_trip_restores_the_very_shares(saved):
    parties, model, stem = saved
    other = fresh_shared(parties)
    nn.load_shares(other, stem, parties[:2], parties[2])
    for a, b in zip(shares(other), shares(model)):
        np.testing.assert_array_equal(a, b)
    for p in other.parameters():
        assert p.requires_grad and p.value.holders == parties[:2] and p.value.crypto_provider is parties[2]
    other.get().float_precision()
    model.get().float_precision()
    for a, b in zip(values(other), values(model)):
        np.testing.assert_array_equal(a, b)


def test_each_file_holds_only_its_partys_shares(saved):
    parties, model, stem = saved
    for j, name in enumerate(["alice", "bob"]):
        with np.load(f"{stem}.{name}.npz") as data:
            assert sorted(data.files) == sorted(["__meta__", "0.weight", "0.bias", "2.weight", "2.bias"])
            for pname, p in model.named_parameters():
                np.testing.assert_array_equal(data[pname], p.value.shares[j])
                assert not np.array_equal(data[pname], p.value.shares[1 - j])


def test_a_resumed_process_with_new_parties_can_load(saved):
    # Loading needs parties with the same names, not the same objects.
    _, model, stem = saved
    parties = smpc.make_parties(seed=99)
    other = fresh_shared(parties)
    nn.load_shares(other, stem, parties[:2], parties[2])
    for a, b in zip(shares(other), shares(model)):
        np.testing.assert_array_equal(a, b)


def swap_files(stem):
    a, b, tmp = f"{stem}.alice.npz", f"{stem}.bob.npz", f"{stem}.tmp"
    os.replace(a, tmp)
    os.replace(b, a)
    os.replace(tmp, b)


def refused(saved, error, message, prepare=None, encoder=None, hidden=5, workers=None):
    """Load after ``prepare(stem, parties)``; expect ``error``; the model must be untouched."""
    parties, _, stem = saved
    if prepare:
        prepare(stem, parties)
    target = fresh_shared(parties, encoder, hidden)
    before = shares(target)
    with pytest.raises(error, match=message):
        nn.load_shares(target, stem, workers or parties[:2], parties[2], encoder)
    for a, b in zip(shares(target), before):
        np.testing.assert_array_equal(a, b)


def test_swapped_files_are_refused(saved):
    refused(saved, ValueError, r"holds the shares of 'bob'.*loaded for 'alice'",
            prepare=lambda stem, parties: swap_files(stem))


def test_workers_in_the_wrong_order_are_refused(saved):
    parties = saved[0]
    refused(saved, ValueError, r"holds the shares of 'bob' among \['alice', 'bob'\]",
            workers=(parties[1], parties[0]))


def test_loading_for_another_party_is_refused(saved):
    parties, _, stem = saved
    carol = smpc.Worker("carol", parties[0].network)
    refused(saved, FileNotFoundError, "no share file for carol", workers=(carol, parties[1]))
    # alice's own file does not name carol as the other holder
    refused(saved, ValueError, r"'alice' among \['alice', 'bob'\], but it was loaded for 'alice' "
            r"among \['alice', 'carol'\]", workers=(parties[0], carol))
    shutil.copy(f"{stem}.alice.npz", f"{stem}.carol.npz")     # alice's shares under carol's name
    refused(saved, ValueError, r"shares of 'alice'.*loaded for 'carol'", workers=(carol, parties[1]))


def test_a_different_model_is_refused(saved):
    refused(saved, ValueError, r"'0.weight' has shape \[5, 6\], the model expects \[4, 6\]", hidden=4)


@pytest.mark.parametrize("saved_as, loaded_as", [
    (smpc.DEFAULT_ENCODER, smpc.FixedPointEncoder(10, 3)),
    (smpc.FixedPointEncoder(10, 3), smpc.DEFAULT_ENCODER),
    (smpc.DEFAULT_ENCODER, smpc.FixedPointEncoder(2, 20)),
])
def test_a_different_encoding_is_refused(tmp_path, saved_as, loaded_as):
    alice, bob, cp = smpc.make_parties(seed=0)
    model = make_model().fix_precision(saved_as).share(alice, bob, crypto_provider=cp)
    stem = str(tmp_path / "model")
    nn.save_shares(model, stem)
    message = (rf"saved with encoder base {saved_as.base}, precision {saved_as.precision}, "
               rf"but FixedPointEncoder\(base={loaded_as.base}, precision={loaded_as.precision}\)")
    refused(((alice, bob, cp), model, stem), ValueError, message, encoder=loaded_as)
    other = fresh_shared((alice, bob, cp), saved_as)
    nn.load_shares(other, stem, (alice, bob), cp, saved_as)       # the right one loads
    assert other.parameters()[0].value.encoder == saved_as


def test_a_missing_file_is_refused(saved):
    refused(saved, FileNotFoundError, r"no share file for bob at .*model\.bob\.npz",
            prepare=lambda stem, parties: os.remove(f"{stem}.bob.npz"))


def test_a_float_model_file_is_not_a_share_file(saved):
    def prepare(stem, parties):
        nn.save(make_model(), f"{stem}.alice.npz")
    refused(saved, ValueError, "not a share file", prepare=prepare)


def test_garbage_is_not_a_share_file(saved):
    def prepare(stem, parties):
        with open(f"{stem}.alice.npz", "w") as f:
            f.write("these are not the shares you are looking for")
    refused(saved, ValueError, "not a NumPy .npz file", prepare=prepare)


def test_a_foreign_npz_with_metadata_is_refused(saved):
    def prepare(stem, parties):
        np.savez(f"{stem}.alice.npz", __meta__=np.array('{"format": "someone else v9"}'))
    refused(saved, ValueError, "not a share file of this project", prepare=prepare)


def test_files_of_two_different_saves_are_refused(saved):
    # One party's file rewritten by a later save (say, one that crashed before the next file):
    # the shares would no longer add up to the model.
    def prepare(stem, parties):
        keep = open(f"{stem}.bob.npz", "rb").read()
        nn.save_shares(fresh_shared(parties), stem)
        open(f"{stem}.bob.npz", "wb").write(keep)
    refused(saved, ValueError, "different save", prepare=prepare)


def test_load_refuses_a_share_file(saved):
    _, _, stem = saved
    with pytest.raises(ValueError, match="load_shares"):
        nn.load(make_model(), f"{stem}.alice.npz")


def test_load_refuses_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        nn.load(make_model(), tmp_path / "nothing.npz")


def test_save_shares_refuses_a_float_model(tmp_path):
    with pytest.raises(TypeError, match="needs a shared model"):
        nn.save_shares(make_model(), str(tmp_path / "model"))


def test_one_file_per_party_needs_one_sharing(tmp_path):
    alice, bob, cp = smpc.make_parties(seed=0)
    a = smpc.share(np.ones(2), alice, bob, crypto_provider=cp)
    b = smpc.share(np.ones(2), alice, bob, crypto_provider=cp, encoder=smpc.FixedPointEncoder(10, 3))
    with pytest.raises(ValueError, match="one sharing"):
        serialization.save_share_arrays(str(tmp_path / "x"), {"a": a, "b": b})
