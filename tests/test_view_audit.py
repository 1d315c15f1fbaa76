"""View audit: what each party receives in one training step does not depend on the data.

One full SGD step of a small shared MLP (20-16-4, ReLU through SecureNN, MSE on
one-hot targets, batch 32): the data owner ``me`` shares the batch, the holders run
forward, loss, backward and the update, and the loss is revealed to ``me``.  We
record every message each party receives (``network.record_views()``) in two runs
with the same seed but very different secret data -- all-zero images with every
label 0, against large random images (uniform in [-8, 8]) with random labels -- and
check, for the helper (``crypto_provider``) and for each holder (alice, bob):

1. the same messages: count, order, senders, protocols, phases, dtypes and sizes;
2. per message, the same distribution of byte values (all bytes pooled, and the top
   4 bits of each 8-byte ring element, where unmasked small values would show as
   0x0 or 0xF): chi-square two-sample test, p > 1e-6;
3. per pair of consecutive messages from *different* senders with the same shape
   (a party's two incoming shares of one value, like the helper's a_0 + r_0 and
   a_1 + r_1 in ShareConvert), the same distribution of their sum (mod 2^64 for
   ring elements, mod p = 67 for Z_p elements): a party that receives both shares
   of something learns their sum, which each share alone would not show;
4. per opening between the holders, the same distribution of the opened value: each
   holder sends its share to the other, so each learns the sum of the message it
   sent (in the other's view) and the one it received.  A view alone cannot show
   what its owner learns by adding its own share; this check does.

Excluded by design: the view of the local party ``me``, which receives the revealed
loss (the one value the protocol reveals per step) and, at the end, what ``get()``
returns.  The masked truncation opens ``z = x + 2^47 + r`` to the holders, which
hides ``x`` only statistically (distance below 2^-15 per value, far below what a
histogram of a few thousand bytes can see); the test runs with each truncation
method.  The two leaky variants at the end show that the audit can fail: a dealer
that hands out zero masks for the masked truncation (the holders see x + 2^47), and
holders that also send their raw shares of every truncated value to the helper
(each share alone is uniform; only the pair test catches it).
"""
import numpy as np
import pytest
from scipy import stats

import nn
import smpc
import smpc.shared_tensor
from autograd import Tensor
from smpc.securenn import P

AUDITED = ("alice", "bob", "crypto_provider")
THRESHOLD = 1e-6
MIN_BYTES = 256          # smaller messages are checked for structure only


def zeros_data(rng):
    return np.zeros((32, 20)), np.eye(4)[np.zeros(32, dtype=int)]


def large_random_data(rng):
    return rng.uniform(-8, 8, (32, 20)), np.eye(4)[rng.integers(0, 4, 32)]


def training_step_views(make_data, method, seed=11):
    """Each party's view of one training step, with the secret data from ``make_data``."""
    alice, bob, cp = smpc.make_parties(seed=seed)
    x, y = make_data(np.random.default_rng(99))
    smpc.manual_seed(seed)                      # same model, same randomness in both runs
    model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 4))
    model.fix_precision().share(alice, bob, crypto_provider=cp, requires_grad=True)
    optimizer = nn.SGD(model.parameters(), lr=0.02).fix_precision()
    with smpc.config.using(truncation=method), alice.network.record_views() as views:
        xs = Tensor(x).fix_precision().share(alice, bob, crypto_provider=cp)  # owner: me
        ys = Tensor(y).fix_precision().share(alice, bob, crypto_provider=cp)  # owner: me
        optimizer.zero_grad()
        loss = nn.mse_loss(model(xs), ys)
        loss.backward()
        optimizer.step()
        loss.get().float_precision()             # revealed to "me" only: not audited
    return {name: list(messages) for name, messages in views.items()}


def structure(view):
    return [(m.sender, m.protocol, m.phase, m.nbytes, m.payload.dtype.str, m.payload.shape)
            for m in view]


def histograms(payload):
    """Byte-value counts, and for 8-byte elements the counts of their top 4 bits."""
    raw = np.ascontiguousarray(payload)
    found = [np.bincount(raw.view(np.uint8).ravel(), minlength=256)]
    if raw.dtype.itemsize == 8:
        found.append(np.bincount((raw.view(np.uint64) >> np.uint64(60)).ravel().astype(np.int64),
                                 minlength=16))
    return found


def pair_sum(first, second):
    """What a receiver of both payloads can compute: their sum in the ring they live in."""
    if first.dtype.itemsize == 8:
        return first.view(np.uint64) + second.view(np.uint64)
    if first.dtype == np.uint8 and max(first.max(initial=0), second.max(initial=0)) < P:
        return ((first.astype(np.int64) + second) % P).astype(np.uint8)
    return None


def paired(view):
    """Indices of consecutive messages from different senders with the same shape and dtype."""
    return [i for i in range(len(view) - 1)
            if view[i].sender != view[i + 1].sender
            and view[i].payload.shape == view[i + 1].payload.shape
            and view[i].payload.dtype == view[i + 1].payload.dtype]


def p_value(counts_a, counts_b):
    table = np.array([counts_a, counts_b])
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or np.array_equal(table[0], table[1]):
        return 1.0
    return stats.chi2_contingency(table).pvalue


def audit(views_a, views_b):
    """The list of differences between two runs' views (empty when the audit passes)."""
    problems = []
    for party in AUDITED:
        a, b = views_a.get(party, []), views_b.get(party, [])
        if structure(a) != structure(b):
            problems.append(f"{party}: message structure differs")
            continue
        checks = [(i, "message", m.payload, n.payload) for i, (m, n) in enumerate(zip(a, b))]
        for i in paired(a):
            sum_a, sum_b = pair_sum(a[i].payload, a[i + 1].payload), pair_sum(b[i].payload, b[i + 1].payload)
            if sum_a is not None:
                checks.append((i, "pair sum", sum_a, sum_b))
        for i, what, pa, pb in checks:
            if pa.nbytes < MIN_BYTES:
                continue
            for ha, hb in zip(histograms(pa), histograms(pb)):
                p = p_value(ha, hb)
                if p < THRESHOLD:
                    problems.append(f"{party}: {what} {i} ({a[i].protocol} from {a[i].sender}) "
                                    f"differs, p = {p:.1e}")
    problems += audit_openings(views_a, views_b)
    return problems


def openings(views):
    """What the two holders learn from each opening: the sum of the shares they exchange.

    In an opening each holder sends its share to the other, so what alice knows
    afterwards is her own share (the message in bob's view) plus bob's (in hers).
    """
    to_alice = [m for m in views.get("alice", []) if m.sender == "bob"]
    to_bob = [m for m in views.get("bob", []) if m.sender == "alice"]
    if [(m.protocol, m.payload.shape) for m in to_alice] != [(m.protocol, m.payload.shape) for m in to_bob]:
        return None
    return [(m.protocol, m.payload.view(np.uint64) + n.payload.view(np.uint64))
            for m, n in zip(to_alice, to_bob) if m.payload.dtype.itemsize == 8]


def audit_openings(views_a, views_b):
    opened_a, opened_b = openings(views_a), openings(views_b)
    if opened_a is None or opened_b is None:
        return ["holders: the messages between alice and bob are not pairwise openings"]
    problems = []
    for k, ((protocol, va), (_, vb)) in enumerate(zip(opened_a, opened_b)):
        if va.nbytes < MIN_BYTES:
            continue
        for ha, hb in zip(histograms(va), histograms(vb)):
            p = p_value(ha, hb)
            if p < THRESHOLD:
                problems.append(f"holders: opened value {k} ({protocol}) differs, p = {p:.1e}")
    return problems


@pytest.mark.parametrize("method", smpc.config.TRUNCATION_METHODS)
def test_views_do_not_depend_on_the_secret_data(method):
    views_a = training_step_views(zeros_data, method)
    views_b = training_step_views(large_random_data, method)
    # the step really ran on shares: every audited party received plenty
    for party in AUDITED:
        assert len(views_a[party]) >= 6, party
    protocols = {m.protocol for m in views_a["crypto_provider"]}
    assert {"share_convert", "private_compare"} <= protocols     # ReLU through SecureNN
    if method == "masked":
        assert any(m.protocol == "truncate_masked" for m in views_a["alice"])
    assert "me" in views_a                                          # the revealed loss, excluded
    assert len(openings(views_a)) >= 4                              # Beaver's e and f at least
    assert audit(views_a, views_b) == []


def test_the_audit_catches_unmasked_openings(monkeypatch):
    """A dealer that hands out r = 0 for the masked truncation: the holders open x + 2^47."""
    import smpc.safe_truncation as st
    real_pair = st.masked_pair

    def zero_masks(crypto_provider, holders, shape, divisor):
        pair = real_pair(crypto_provider, holders, shape, divisor)
        return st.Triple(pair.kind, [np.zeros_like(s) for s in pair.consume()])

    monkeypatch.setattr(st, "masked_pair", zero_masks)
    problems = audit(training_step_views(zeros_data, "masked"),
                     training_step_views(large_random_data, "masked"))
    assert any(p.startswith("holders: opened value") and "(truncate_masked)" in p
               for p in problems), problems


def test_the_audit_catches_both_shares_reaching_the_helper(monkeypatch):
    """Each holder also sends its raw share of every truncated value to the helper.

    Each share alone is uniform (the per-message test passes); their sum is the secret.
    """
    real_truncate = smpc.shared_tensor.truncate

    def leaky_truncate(shares, divisor, holders, crypto_provider):
        network = crypto_provider.network
        with network.protocol("leak"), network.round():
            for holder, share in zip(holders, shares):
                network.send(holder, crypto_provider, share)
        return real_truncate(shares, divisor, holders, crypto_provider)

    monkeypatch.setattr(smpc.shared_tensor, "truncate", leaky_truncate)
    problems = audit(training_step_views(zeros_data, "local"),
                     training_step_views(large_random_data, "local"))
    assert problems and all(p.startswith("crypto_provider: pair sum") for p in problems), problems
    assert all("(leak from alice)" in p for p in problems), problems
