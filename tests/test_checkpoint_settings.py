"""A checkpoint resumes only under the settings it was saved with, and damaged files
are named.  Every refusal leaves the model, the optimiser and the random source as
they were."""
import json
import os

import numpy as np
import pytest

import nn
import smpc
from autograd import Tensor


def setup(seed, lr=0.05, momentum=0.9, prg_seeds=True, encoder=None):
    alice, bob, cp = smpc.make_parties(seed=seed, prg_seeds=prg_seeds)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    model.fix_precision(encoder).share(alice, bob, crypto_provider=cp, requires_grad=True)
    opt = nn.SGD(model.parameters(), lr=lr, momentum=momentum).fix_precision()
    return (alice, bob, cp), model, opt


def step(parties, model, opt):
    alice, bob, cp = parties
    rng = np.random.default_rng(1)
    x = Tensor(rng.normal(size=(3, 4))).fix_precision().share(alice, bob, crypto_provider=cp)
    t = Tensor(rng.normal(size=(3, 2))).fix_precision().share(alice, bob, crypto_provider=cp)
    opt.zero_grad()
    nn.mse_loss(model(x), t).backward()
    opt.step()


@pytest.fixture
def saved(tmp_path):
    parties, model, opt = setup(0)
    step(parties, model, opt)
    directory = str(tmp_path / "ckpt")
    nn.save_checkpoint(directory, model, opt, step=1)
    return directory


def state_of(model, opt):
    return ([p.value.shares.copy() for p in model.parameters()],
            [None if v is None else v.shares.copy() for v in opt.velocity],
            json.dumps(smpc.default_source.generator.bit_generator.state))


def refused(directory, build, error, message, **kwargs):
    parties, model, opt = build()
    before = state_of(model, opt)
    with pytest.raises(error, match=message):
        nn.load_checkpoint(directory, model, opt, parties[:2], parties[2], **kwargs)
    after = state_of(model, opt)
    assert all(np.array_equal(a, b) for a, b in zip(before[0], after[0])) and before[2] == after[2]


def test_the_same_settings_resume(saved):
    parties, model, opt = setup(7)
    state = nn.load_checkpoint(saved, model, opt, parties[:2], parties[2])
    assert state.step == 1


def test_another_comparison_protocol_is_refused_naming_both(saved):
    with smpc.config.using(comparison="binary"):
        refused(saved, lambda: setup(7), ValueError,
                "saved with comparison 'securenn' but this run uses 'binary'")


def test_another_truncation_is_refused_naming_both(saved):
    with smpc.config.using(truncation="masked"):
        refused(saved, lambda: setup(7), ValueError, "truncation 'local' but this run uses 'masked'")


def test_another_precision_is_refused_naming_both(saved):
    enc = smpc.FixedPointEncoder(10, 3)
    refused(saved, lambda: setup(7, encoder=enc), ValueError, "encoder base 2, precision 16",
            encoder=enc)


def test_another_learning_rate_or_momentum_is_refused_naming_both(saved):
    refused(saved, lambda: setup(7, lr=0.1), ValueError, "saved with lr 0.05 but this run uses 0.1")
    refused(saved, lambda: setup(7, momentum=0.5), ValueError,
            "saved with momentum 0.9 but this run uses 0.5")


def test_another_dealer_mode_is_refused(saved):
    refused(saved, lambda: setup(7, prg_seeds=False), ValueError,
            "saved with dealer 'prg seeds' but this run uses 'full shares'")


def _latest(directory):
    return nn.latest_checkpoint(directory)


@pytest.mark.parametrize("name, content, message", [
    ("state.json", "{\"format\": ", r"state.json \(the checkpoint's training state\) is not valid JSON"),
    ("rng.json", "", r"rng.json \(the random source's state\) is not valid JSON"),
    ("state.json", "[1, 2]", "is not a checkpoint of this project"),
])
def test_broken_json_files_are_named(saved, name, content, message):
    open(os.path.join(_latest(saved), name), "w").write(content)
    refused(saved, lambda: setup(7), ValueError, message)


def test_a_missing_state_file_is_named(saved):
    os.remove(os.path.join(_latest(saved), "state.json"))
    refused(saved, lambda: setup(7), FileNotFoundError, "state.json is missing")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_share_file_is_named(saved, damage):
    path = os.path.join(_latest(saved), "shares.bob.npz")
    data = open(path, "rb").read()
    replacement = {"truncate": data[: len(data) // 2], "garbage": b"PK\x03\x04" + bytes(50),
                   "empty": b""}[damage]
    open(path, "wb").write(replacement)
    refused(saved, lambda: setup(7), ValueError, "shares.bob.npz (is damaged|is not a NumPy)")


def test_a_share_file_with_a_corrupt_member_is_named(saved):
    """A zip whose central directory is intact but one member's bytes are not."""
    path = os.path.join(_latest(saved), "shares.alice.npz")
    data = bytearray(open(path, "rb").read())
    middle = len(data) // 3
    data[middle:middle + 40] = bytes(40)
    open(path, "wb").write(bytes(data))
    refused(saved, lambda: setup(7), ValueError, "shares.alice.npz")


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, 10 ** 8])
def test_a_bad_step_number_is_refused_before_anything_is_written(tmp_path, bad):
    parties, model, opt = setup(0)
    with pytest.raises(ValueError, match="step must be a whole number from 0 to 99999999"):
        nn.save_checkpoint(tmp_path / "c", model, opt, step=bad)
    assert not (tmp_path / "c").exists()


def test_a_damaged_float_model_file_is_named(tmp_path):
    model = nn.Sequential(nn.Linear(2, 2))
    path = str(tmp_path / "model.npz")
    nn.save(model, path)
    data = bytearray(open(path, "rb").read())
    data[len(data) // 3: len(data) // 3 + 30] = bytes(30)
    open(path, "wb").write(bytes(data))
    with pytest.raises(ValueError, match="model.npz"):
        nn.load(model, path)
