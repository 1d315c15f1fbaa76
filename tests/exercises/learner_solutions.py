"""Plain solutions of the exercises as a learner writes them, each with the usual mistakes.

Every function takes a ``mistake`` keyword: ``None`` gives a correct solution (written
from the exercise's docstring, NumPy only), any other value one deliberately wrong
variant, named for the mistake a learner makes: a missing mask, a sign, a missing modular
reduction, both parties rounding the same way, a public term added by every party, a
forgotten unbroadcast, a gradient nobody needs. ``test_learner_mistakes.py`` plugs each
into the exercise tests and checks that it fails with a message that says what is wrong.
``solution(exercise, mistake)`` gives the module-like object the tests expect as ``impl``.
"""
import functools
from types import SimpleNamespace

import numpy as np

P = 67
L_MINUS_1 = np.uint64(2 ** 64 - 1)


def _rng(rng):
    return rng if rng is not None else np.random.default_rng()


# -- exercise 1 ----------------------------------------------------------------------------
def share(secret, n_parties=2, rng=None, mistake=None):
    secret = np.asarray(secret, dtype=np.int64)
    low, high = (0, 2 ** 32) if mistake == "masks too small" else (-2 ** 63, 2 ** 63)
    masks = _rng(rng).integers(low, high, size=(n_parties - 1,) + secret.shape, dtype=np.int64)
    if mistake == "missing mask":
        masks = np.zeros_like(masks)
    with np.errstate(over="ignore"):
        total = masks.sum(axis=0, dtype=np.int64)
        last = secret + total if mistake == "sign" else secret - total
    return np.concatenate([masks, last[None]])


def reconstruct(shares, mistake=None):
    if mistake == "no wrap modulo 2^64":
        with np.errstate(invalid="ignore"):
            return np.sum(np.asarray(shares, dtype=np.float64), axis=0).astype(np.int64)
    return np.sum(shares, axis=0, dtype=np.int64)


def refresh(shares, rng=None, mistake=None):
    rng = _rng(rng)
    masks = rng.integers(-2 ** 63, 2 ** 63, size=shares.shape, dtype=np.int64)
    if mistake != "zero-sharing that does not sum to zero":
        masks[-1] = -masks[:-1].sum(axis=0, dtype=np.int64)
    return shares + masks


# -- exercise 2 ----------------------------------------------------------------------------
def beaver_multiply(x_shares, y_shares, triple, open, product=np.multiply, mistake=None):
    a, b, c = triple
    if mistake == "missing mask":             # opens x and y themselves
        x, y = open(x_shares), open(y_shares)
        out = np.zeros((x_shares.shape[0],) + np.shape(product(x, y)), dtype=np.int64)
        out[0] = product(x, y)
        return out
    e = open(a - x_shares if mistake == "sign" else x_shares - a)
    f = open(y_shares - b)
    if mistake == "wrong order":
        out = c + product(b, e) + product(f, a)
    else:
        out = c + product(e, b) + product(a, f)
    if mistake == "public term added by every party":
        out = out + product(e, f)
    else:
        out[0] += product(e, f)
    return out


# -- exercise 3 ----------------------------------------------------------------------------
def _check_two(shares):
    if shares.shape[0] != 2:
        raise ValueError("local truncation works for exactly two parties")


def truncate(shares, f, mistake=None):
    _check_two(shares)
    out = np.empty_like(shares)
    out[0] = shares[0] >> f
    if mistake == "both parties round the same way":
        out[1] = shares[1] >> f
    elif mistake == "sign":
        out[1] = (-shares[1]) >> f
    else:
        out[1] = -((-shares[1]) >> f)
    return out


def divide(shares, d, mistake=None):
    _check_two(shares)
    if d <= 0:
        raise ValueError("divide by a positive integer")
    out = np.empty_like(shares)
    out[0] = shares[0] // d
    if mistake == "both parties round the same way":
        out[1] = shares[1] // d
    else:
        out[1] = -((-shares[1]) // d)
    return out


# -- exercise 4 ----------------------------------------------------------------------------
def _bits(values):
    words = np.ascontiguousarray(values, dtype="<u8")
    return np.unpackbits(words.view(np.uint8).reshape(-1, 8), axis=-1,
                         bitorder="little").astype(np.int64)


def private_compare(bit_shares, r, beta, send_to_helper, rng=None, mistake=None):
    rng = _rng(rng)
    r = np.asarray(r, dtype=np.uint64)
    beta = np.asarray(beta).astype(np.int64)
    n = r.shape[0]
    t_bits = _bits(r + beta.astype(np.uint64))
    sigma = np.ones((n, 1), np.int64) if mistake == "sign" else (1 - 2 * beta)[:, None]
    always = (beta == 1) & (r == L_MINUS_1)
    s = rng.integers(1, P, (n, 64))
    z = rng.integers(0, P, (n, 64))
    shift = rng.integers(0, 64, n)
    messages = []
    for j in (0, 1):
        x = bit_shares[j].astype(np.int64)
        k = 1 if mistake == "public term added by every party" else j
        w = x + k * t_bits - 2 * t_bits * x
        above = np.cumsum(w[:, ::-1], axis=1)[:, ::-1] - w
        c = sigma * (k * t_bits - x) + k + above
        c[always] = 0
        if j == 0:
            c[always, 1:] = 1
        if mistake == "missing mask z":
            d = s * c
        elif mistake == "missing multiplier s":
            d = c + (1 - 2 * j) * z
        else:
            d = s * c + (1 - 2 * j) * z
        if mistake != "missing modular reduction":
            d = d % P
        if mistake != "missing permutation":
            d = np.take_along_axis(d, (np.arange(64)[None, :] + shift[:, None]) % 64, axis=1)
        messages.append(d.astype(np.uint8))
    received = send_to_helper(np.stack(messages))
    total = (received[0].astype(np.int64) + received[1]) % P
    return (total == 0).any(axis=1)


# -- exercise 5 ----------------------------------------------------------------------------
def _add_lm1(a, b):
    total = a + b
    total += total < a
    return np.where(total == L_MINUS_1, np.uint64(0), total)


def _xor_public(shares, bit, mistake=None):
    flip = np.asarray(bit).astype(bool)
    out = np.where(flip, -shares, shares)
    if mistake == "public term added by every party":
        out = out + flip.astype(np.int64)
    else:
        out[0] += flip.astype(np.int64)
    return out


def compute_msb(a_shares, tools, mistake=None):
    n = a_shares.shape[1]
    x_shares, x_bits, x0 = tools.deal_mask(n)
    beta = tools.coin(n)
    if mistake == "missing modular reduction":
        r_shares = 2 * a_shares + x_shares            # wraps modulo 2^64, not L - 1
    else:
        r_shares = np.stack([_add_lm1(_add_lm1(a_shares[j], a_shares[j]), x_shares[j])
                             for j in (0, 1)])
    r = tools.open_lm1(r_shares)
    beta_p = tools.private_compare(x_bits, r, beta)
    gamma = _xor_public(beta_p, beta, mistake)
    delta = _xor_public(x0, r & np.uint64(1), mistake)
    theta = tools.multiply(gamma, delta)
    msb = gamma + delta - 2 * theta
    if mistake != "missing mask":
        msb = msb + tools.zero_shares(n)
    return msb


def drelu(a_shares, tools, mistake=None):
    doubled = a_shares if mistake == "no doubling" else 2 * a_shares
    msb = compute_msb(tools.share_convert(doubled), tools)
    if mistake == "sign":
        return msb
    bit = -msb
    if mistake == "public term added by every party":
        return bit + 1
    bit[0] += 1
    return bit


# -- exercises 6 and 7 ---------------------------------------------------------------------
def _unbroadcast(grad, shape):
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape)))) if grad.ndim > len(shape) else grad
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


def mul_backward(grad, a, b, needs=(True, True), mistake=None):
    everything = mistake == "gradient nobody needs"
    grad_a = grad_b = None
    if needs[0] or everything:
        grad_a = grad * (a if mistake == "inputs swapped" else b)
        if mistake == "sign":
            grad_a = -grad_a
    if needs[1] or everything:
        grad_b = grad * (b if mistake == "inputs swapped" else a)
    if mistake != "forgotten unbroadcast":
        grad_a = None if grad_a is None else _unbroadcast(grad_a, np.shape(a))
        grad_b = None if grad_b is None else _unbroadcast(grad_b, np.shape(b))
    return grad_a, grad_b


def _transpose(value):
    """Swap the last two axes (of an array or a SharedTensor)."""
    axes = list(range(value.ndim))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return value.transpose(*axes)


def matmul_backward(grad, a, b, needs=(True, True), mistake=None):
    everything = mistake == "gradient nobody needs"
    grad_a = grad_b = None
    if needs[0] or everything:
        grad_a = grad @ (b if mistake == "missing transpose" else _transpose(b))
    if needs[1] or everything:
        grad_b = _transpose(grad) @ a if mistake == "wrong order" else _transpose(a) @ grad
    if mistake != "forgotten unbroadcast":
        grad_a = None if grad_a is None else _unbroadcast(grad_a, np.shape(a))
        grad_b = None if grad_b is None else _unbroadcast(grad_b, np.shape(b))
    return grad_a, grad_b


# -- as the tests' ``impl`` ----------------------------------------------------------------
_FUNCTIONS = {
    "ex1_sharing": ("share", "reconstruct", "refresh"),
    "ex2_beaver": ("beaver_multiply",),
    "ex3_truncation": ("truncate", "divide"),
    "ex4_private_compare": ("private_compare",),
    "ex5_drelu": ("compute_msb", "drelu"),
    "ex6_mul_backward": ("mul_backward",),
    "ex7_matmul_backward": ("matmul_backward",),
}


def solution(exercise, mistake=None):
    """The plain solution of ``exercise`` (e.g. ``"ex4_private_compare"``), with ``mistake``."""
    functions = {name: functools.partial(globals()[name], mistake=mistake)
                 for name in _FUNCTIONS[exercise]}
    return SimpleNamespace(P=P, **functions)
