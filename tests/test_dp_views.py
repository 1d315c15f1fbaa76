"""View audit of a DP-SGD step: no party sees an unclipped or un-noised gradient.

One DP-SGD step of the audit's 20-16-4 MLP on shares (batch 12, clip norm 1, noise
multiplier 1, the dealer drawing the noise).  Two checks on everything each party
receives (``network.record_views()``), with what it can compute from it: each payload,
the sum of two consecutive shares from different senders, and, for the holders, each
opened value (the share it sent plus the share it received):

1. the views do not depend on the secret data (the general audit of
   ``test_view_audit.py``, run on a DP step);
2. none of them decodes to a gradient that DP-SGD must keep secret: the unclipped batch
   gradient (sum or mean), the clipped sum before the noise, or that sum divided by
   the expected batch size.  The model owner ``me`` is audited too: with a public model
   it receives the noised gradient, which must differ from the clipped one by noise of
   the stated size.

A leaky variant that reveals the clipped sum to alice before adding the noise shows
that the check can fail.
"""
import numpy as np
import pytest

import nn
import smpc
import nn.dp.dp_sgd as dp_sgd
from autograd import Tensor
from nn.dp import DPSGD, clipped_gradient_sums
from test_view_audit import audit, large_random_data, zeros_data

ENC = smpc.DEFAULT_ENCODER
EXPECTED_BATCH = 8.0
BATCH = 12


def model_for(seed=11):
    smpc.manual_seed(seed)
    return nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 4))


def first(make_data):
    x, y = make_data(np.random.default_rng(99))
    return x[:BATCH], y[:BATCH]


def dp_step_views(make_data, mode="encrypted", seed=11):
    alice, bob, cp = smpc.make_parties(seed=seed)
    x, y = first(make_data)
    model = model_for(seed)
    if mode == "encrypted":
        model.fix_precision().share(alice, bob, crypto_provider=cp, requires_grad=True)
    privacy = DPSGD(model, 1.0, 1.0, EXPECTED_BATCH, np.random.default_rng(5),
                    parties=((alice, bob), cp))
    with alice.network.record_views() as views:
        xs = Tensor(x).fix_precision().share(alice, bob, crypto_provider=cp)
        ys = Tensor(y).fix_precision().share(alice, bob, crypto_provider=cp)
        privacy.private_gradients(xs, ys)
        if mode == "public-model":
            for p in model.parameters():
                p.grad = p.grad.get().float_precision()     # the model owner receives it
    return {name: list(messages) for name, messages in views.items()}, model


def secret_gradients(make_data):
    """The gradients DP-SGD must not reveal, per parameter, as floats."""
    x, y = first(make_data)
    model = model_for()
    out = nn.dp.summed_squared_error(model(Tensor(x)), Tensor(y))
    out.backward()
    unclipped = {name: p.grad.copy() for name, p in model.named_parameters()}
    _, _, clipped = clipped_gradient_sums(model_for(), Tensor(x), Tensor(y), 1.0)
    secrets = {}
    for name in unclipped:
        secrets[f"unclipped sum {name}"] = unclipped[name]
        secrets[f"unclipped mean {name}"] = unclipped[name] / BATCH
        secrets[f"clipped sum {name}"] = clipped[name]
        secrets[f"clipped mean {name}"] = clipped[name] / EXPECTED_BATCH
    return secrets


def learnable(views):
    """(party, description, int64 array) for every value a party can compute from its view."""
    found = []
    for party, view in views.items():
        rings = [m for m in view if m.payload.dtype.itemsize == 8]
        for i, m in enumerate(rings):
            found.append((party, f"message {i} ({m.protocol})", m.payload.view(np.int64)))
            if i and rings[i - 1].sender != m.sender and rings[i - 1].payload.shape == m.payload.shape:
                found.append((party, f"pair sum {i} ({m.protocol})",
                              rings[i - 1].payload.view(np.int64) + m.payload.view(np.int64)))
    to_alice = [m for m in views.get("alice", []) if m.sender == "bob" and m.payload.dtype.itemsize == 8]
    to_bob = [m for m in views.get("bob", []) if m.sender == "alice" and m.payload.dtype.itemsize == 8]
    for k, (m, n) in enumerate(zip(to_alice, to_bob)):
        if m.payload.shape == n.payload.shape:
            opened = m.payload.view(np.int64) + n.payload.view(np.int64)
            found += [("alice", f"opening {k} ({m.protocol})", opened),
                      ("bob", f"opening {k} ({m.protocol})", opened)]
    return found


def matches(candidate, secret, tolerance=1e-2):
    """True if ``candidate`` decodes to ``secret`` (or its transpose) on most entries of a block."""
    decoded = ENC.decode(candidate.ravel())
    size = secret.size
    for target in {secret.ravel().tobytes(): secret.ravel(), secret.T.ravel().tobytes(): secret.T.ravel()}.values():
        for start in range(0, decoded.size - size + 1, size):
            if np.mean(np.abs(decoded[start:start + size] - target) < tolerance) > 0.5:
                return True
    return False


def leaks(views, secrets):
    return [f"{party}: {what} is the {name}" for party, what, value in learnable(views)
            for name, secret in secrets.items() if matches(value, secret)]


def test_dp_step_views_do_not_depend_on_the_secret_data():
    views_a, _ = dp_step_views(zeros_data)
    views_b, _ = dp_step_views(large_random_data)
    protocols = {m.protocol for m in views_a["alice"]}
    assert {"dp_noise", "beaver_mul", "beaver_matmul"} <= protocols   # the step ran on shares
    assert "private_compare" in {m.protocol for m in views_a["crypto_provider"]}
    assert "me" not in views_a                                        # nothing is revealed
    assert audit(views_a, views_b) == []


@pytest.mark.parametrize("mode", ["encrypted", "public-model"])
def test_no_view_holds_an_unclipped_or_un_noised_gradient(mode):
    secrets = secret_gradients(large_random_data)
    views, model = dp_step_views(large_random_data, mode)
    assert len(learnable(views)) > 100
    assert leaks(views, secrets) == []
    if mode == "public-model":      # what the owner received is the clipped mean plus noise
        noise = model[0].weight.grad - secrets["clipped mean 0.weight"]
        assert 0.8 < noise.std() / (1.0 / EXPECTED_BATCH) < 1.2


def reveal_before_noise(monkeypatch, receiver):
    real_add_noise = dp_sgd.add_noise

    def leaky_add_noise(value, *args, **kwargs):
        value.get(receiver=receiver(value))
        return real_add_noise(value, *args, **kwargs)

    monkeypatch.setattr(dp_sgd, "add_noise", leaky_add_noise)


def test_the_dp_audit_catches_a_clipped_sum_revealed_before_the_noise(monkeypatch):
    reveal_before_noise(monkeypatch, lambda value: value.crypto_provider)
    views, _ = dp_step_views(large_random_data)
    found = leaks(views, secret_gradients(large_random_data))
    assert found and all(f.startswith("crypto_provider: pair sum") and "clipped sum" in f
                         for f in found), found
    assert len(found) == 4                          # every parameter's clipped sum


def test_a_reveal_to_a_holder_breaks_the_pairwise_openings(monkeypatch):
    """A holder combines the other's share with its own, which no view shows; the
    general audit refuses any holder-to-holder message that is not half of an opening."""
    reveal_before_noise(monkeypatch, lambda value: value.holders[0])
    problems = audit(dp_step_views(zeros_data)[0], dp_step_views(large_random_data)[0])
    assert "holders: the messages between alice and bob are not pairwise openings" in problems
