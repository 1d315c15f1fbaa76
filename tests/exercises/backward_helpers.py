"""Shared helpers of the exercise 6 and 7 tests: values in float and on shares."""
import numpy as np

import smpc


def parties():
    return smpc.make_parties(seed=7)


def shared(values, alice, bob, crypto_provider):
    return smpc.share(np.asarray(values, dtype=np.float64), alice, bob, crypto_provider=crypto_provider)


def revealed(value):
    return value.get().float_precision()


def central_difference(f, x, eps=1e-6):
    """d(sum of weights * f(x))/dx numerically, for a scalar-valued f of one array."""
    x = np.array(x, dtype=np.float64)
    out = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += eps
        down[index] -= eps
        out[index] = (f(up) - f(down)) / (2 * eps)
    return out
