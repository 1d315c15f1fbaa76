"""Shared test helpers: encoders, tolerances, hypothesis strategies and the backends.

Tolerances.  Every operation is checked against the plaintext float result computed
from the *original* floats, so the tolerance is the encoding error plus what the
protocol adds.  With ``u`` one unit in the last place (ulp) of the encoder
(2^-16 or 0.001), each encoded operand is off by at most ``u/2``, and the local
truncation of a product or quotient by at most one more unit:

==================  ==========================================================
operation           |result - float result| <= (per element)
==================  ==========================================================
``+ -`` float       ``u/2`` per fixed-point operand (``u`` for two of them)
``+ - *`` int       ``u/2`` (``|k| u/2`` for ``* k``): integers are exact
``neg`` and moves   ``u/2`` (transpose, reshape, indexing, concatenation)
``x * y``           ``u + (|x| + |y|) u/2 + u^2/4``  (one truncation)
``x @ y``           ``u + (sum_k |x_ik| + sum_k |y_kj|) u/2 + k u^2/4``
``x ** 2``          ``u + |x| u + u^2/4``
``x / d``           ``u + u/(2d)``
``sum`` over n      ``n u/2``;  ``mean`` over n: ``u + u/2``
==================  ==========================================================

plus a relative ``1e-12`` for the float arithmetic of the reference itself.  The
products hold only while the local truncation does not fail "wildly", which
happens with probability ``|x y| scale^2 / 2^64`` per element (see
test_truncation.py); product tests keep ``|x y| scale^2 <= 2^40`` (a failure
chance below 1e-7 per element, and the examples are derandomised).

The backend mixin (as in CrypTen's tests): the arithmetic suites in
test_shared_tensor.py are written once against a *backend*, and run on
:class:`PlainBackend` (float NumPy, ``u = 0``: the suite must hold exactly, which
checks the tests themselves) and on :class:`SharedBackend` for each encoder.
"""
import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import smpc
from smpc.fixed_point import DEFAULT_ENCODER, FixedPointEncoder

#: The two encoders of the design: base 2 with 16 bits, and the reference's base 10 with 3 digits.
REFERENCE_ENCODER = FixedPointEncoder(base=10, precision=3)
ENCODERS = [DEFAULT_ENCODER, REFERENCE_ENCODER]
ENCODER_IDS = ["base2-16", "base10-3"]

#: Deterministic, no deadline (first calls pay for imports), few examples.
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.differing_executors])

REL = 1e-12


# -- tolerances ---------------------------------------------------------------------------
def tol_linear(u, operands=1):
    return operands * u / 2


def tol_mul(u, x, y):
    return u + (np.abs(x) + np.abs(y)) * u / 2 + u * u / 4


def tol_matmul(u, x, y):
    ones_x, ones_y = np.ones_like(x), np.ones_like(y)
    k = x.shape[-1]
    return u + (np.abs(x) @ ones_y + ones_x @ np.abs(y)) * u / 2 + k * u * u / 4


def tol_square(u, x):
    return u + np.abs(x) * u + u * u / 4


def tol_div(u, d):
    return u + u / (2 * d)


def assert_close(actual, expected, tol):
    """Elementwise ``|actual - expected| <= tol + REL |expected|``, with a readable failure."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"shape {actual.shape} != expected {expected.shape}"
    bound = np.broadcast_to(tol + REL * np.abs(expected), expected.shape)
    error = np.abs(actual - expected)
    bad = error > bound
    if np.any(bad):
        i = np.argwhere(bad)[0]
        raise AssertionError(f"{bad.sum()} of {bad.size} elements off; at {tuple(i)}: got "
                             f"{actual[tuple(i)]!r}, expected {expected[tuple(i)]!r}, "
                             f"error {error[tuple(i)]:.3g} > tolerance {bound[tuple(i)]:.3g}")


# -- strategies -----------------------------------------------------------------------------
def edge_values(bound, u):
    """Zero, one ulp, the bound itself (the largest encodable value for linear ops), signs."""
    values = [0.0, -0.0, u, -u, 1.0, -1.0, bound, -bound]
    return [v for v in values if abs(v) <= bound]


def float_arrays(shape, bound, u=0.0):
    """Float64 arrays in [-bound, bound], with edge values mixed in."""
    elements = st.one_of(st.floats(-bound, bound, allow_nan=False, allow_infinity=False),
                         st.sampled_from(edge_values(bound, u) or [0.0]))
    return hnp.arrays(np.float64, shape, elements=elements)


def small_shapes(min_dims=0, max_dims=3):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=4)


@st.composite
def broadcast_pairs(draw, bound, u=0.0):
    """Two float arrays whose shapes broadcast (a batch and a bias, a column and a row)."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
    x_shape, y_shape = shapes.input_shapes
    return draw(float_arrays(x_shape, bound, u)), draw(float_arrays(y_shape, bound, u))


@st.composite
def matmul_pairs(draw, bound, u=0.0):
    """(x, y) with x @ y defined: 2-D or with broadcasting batch dimensions."""
    m, k, n = (draw(st.integers(1, 5)) for _ in range(3))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3))
    x_batch, y_batch = batch.input_shapes
    x = draw(float_arrays(x_batch + (m, k), bound, u))
    y = draw(float_arrays(y_batch + (k, n), bound, u))
    return x, y


def product_bound(encoder):
    """A magnitude for both factors so that |x y| scale^2 <= 2^40 (no wild truncation)."""
    return float(np.sqrt(2.0 ** 40) / encoder.scale)


# -- backends ------------------------------------------------------------------------------
class PlainTensor:
    """Float NumPy with the SharedTensor vocabulary: the plaintext backend of the suites."""

    __array_priority__ = 1000

    def __init__(self, values):
        self.values = np.asarray(values, dtype=np.float64)

    @staticmethod
    def _v(other):
        return other.values if isinstance(other, PlainTensor) else np.asarray(other, dtype=np.float64)

    def __add__(self, o): return PlainTensor(self.values + self._v(o))
    def __radd__(self, o): return PlainTensor(self._v(o) + self.values)
    def __sub__(self, o): return PlainTensor(self.values - self._v(o))
    def __rsub__(self, o): return PlainTensor(self._v(o) - self.values)
    def __mul__(self, o): return PlainTensor(self.values * self._v(o))
    def __rmul__(self, o): return PlainTensor(self._v(o) * self.values)
    def __matmul__(self, o): return PlainTensor(self.values @ self._v(o))
    def __rmatmul__(self, o): return PlainTensor(self._v(o) @ self.values)
    def __neg__(self): return PlainTensor(-self.values)
    def __pow__(self, e): return PlainTensor(self.values ** e)
    def __truediv__(self, d): return PlainTensor(self.values / d)
    def __getitem__(self, i): return PlainTensor(self.values[i])
    def square(self): return PlainTensor(self.values ** 2)
    def sum(self, axis=None, keepdims=False): return PlainTensor(self.values.sum(axis, keepdims=keepdims))
    def mean(self, axis=None, keepdims=False): return PlainTensor(self.values.mean(axis, keepdims=keepdims))
    def reshape(self, *s): return PlainTensor(self.values.reshape(*s))
    view = reshape
    def transpose(self, *a): return PlainTensor(self.values.transpose(*a))
    T = property(lambda self: PlainTensor(self.values.T))
    shape = property(lambda self: self.values.shape)
    def refresh(self): return PlainTensor(self.values.copy())
    def get(self): return self
    def float_precision(self): return self.values

    def index_add(self, index, values):
        out = self.values.copy()
        np.add.at(out, index, self._v(values))
        return PlainTensor(out)


class PlainBackend:
    """Plaintext floats: every tolerance collapses to the float reference's own rounding."""
    name = "plain"
    ulp = 0.0
    max_value = 32768.0
    product_bound = 1000.0
    shared = False

    def tensor(self, x):
        return PlainTensor(x)

    def fixed(self, x):
        """A public fixed-point operand (a FixedPrecisionTensor in the shared backend)."""
        return np.asarray(x, dtype=np.float64)

    def concatenate(self, tensors, axis=0):
        return PlainTensor(np.concatenate([t.values for t in tensors], axis=axis))


class SharedBackend:
    """Values secret-shared among ``holders`` workers with one encoder."""
    shared = True

    def __init__(self, encoder, holders=2, seed=1234):
        self.encoder = encoder
        self.ulp = encoder.ulp
        self.max_value = encoder.max_value
        self.product_bound = product_bound(encoder)
        self.name = f"shared-{holders}-{encoder.base}-{encoder.precision}"
        self._holders, self._seed, self._parties = holders, seed, None

    @property
    def parties(self):
        if self._parties is None:
            names = ("alice", "bob", "carol")[:self._holders]
            self._parties = smpc.make_parties(seed=self._seed, names=names)
        return self._parties

    def tensor(self, x):
        *holders, cp = self.parties
        return smpc.share(x, *holders, crypto_provider=cp, encoder=self.encoder)

    def fixed(self, x):
        return smpc.fix_precision(x, self.encoder)

    def concatenate(self, tensors, axis=0):
        return smpc.concatenate(tensors, axis=axis)


def reveal(t):
    """The float value of a backend tensor, through the reference's get().float_precision()."""
    return t.get().float_precision()
