"""Exercise 2: Beaver multiplication (tutorial 02). Marker: ex_beaver."""
import numpy as np
import pytest

from checks import call, check, check_dtype, check_equal, check_shape

EXERCISE = "ex2_beaver"
pytestmark = pytest.mark.ex_beaver


def ring_values(rng, shape):
    return rng.integers(-2 ** 63, 2 ** 63, size=shape, dtype=np.int64)


def split(rng, value, n_parties):
    """Stacked additive shares (written out here so the tests do not rely on exercise 1)."""
    masks = ring_values(rng, (n_parties - 1,) + value.shape)
    return np.concatenate([masks, (value - masks.sum(axis=0))[None]])


def make_triple(rng, n_parties, shape_x, shape_y, product):
    a, b = ring_values(rng, shape_x), ring_values(rng, shape_y)
    return a, b, tuple(split(rng, v, n_parties) for v in (a, b, product(a, b)))


class Opener:
    """The ``open`` function handed to beaver_multiply: reveals a value and logs it."""

    def __init__(self):
        self.opened = []

    def __call__(self, shares):
        value = np.sum(np.asarray(shares), axis=0, dtype=np.int64)
        self.opened.append(value)
        return value


def run(impl, rng, n_parties, shape_x, shape_y, product=np.multiply):
    x, y = ring_values(rng, shape_x), ring_values(rng, shape_y)
    a, b, triple = make_triple(rng, n_parties, shape_x, shape_y, product)
    opener = Opener()
    z = call(impl.beaver_multiply, split(rng, x, n_parties), split(rng, y, n_parties), triple,
             opener, product=product, hint="keep each product's operands in the order of "
             "z_j = c_j + e*b_j + a_j*f: a matrix product does not commute")
    return x, y, a, b, z, opener


@pytest.mark.parametrize("n_parties", [2, 3])
@pytest.mark.parametrize("shape", [(1,), (5,), (3, 4)])
def test_elementwise_product(impl, n_parties, shape):
    rng = np.random.default_rng(10)
    x, y, _, _, z, _ = run(impl, rng, n_parties, shape, shape)
    check_shape(z, (n_parties,) + shape, "beaver_multiply's result", "one share per party, party axis first")
    check_dtype(z, np.int64, "beaver_multiply's result")
    check_equal(z.sum(axis=0), x * y, f"the product x * y for {n_parties} parties",
                axes=["row", "column"], hint="z_j = c_j + e*b_j + a_j*f for every party j, and e*f added by party 0 only; e = x - a and f = y - b (not a - x)")  # exact modulo 2^64


@pytest.mark.parametrize("n_parties", [2, 3])
def test_matrix_product_keeps_the_order(impl, n_parties):
    rng = np.random.default_rng(11)
    x, y, _, _, z, _ = run(impl, rng, n_parties, (3, 4), (4, 2), product=np.matmul)
    check_shape(z, (n_parties, 3, 2), "beaver_multiply's matrix product")
    check_equal(z.sum(axis=0), x @ y, f"the matrix product x @ y for {n_parties} parties",
                axes=["row", "column"],
                hint="use product(...) for every term and keep the order: product(e, b_j), "
                     "product(a_j, f), product(e, f); a matrix product does not commute")


def test_only_the_masked_differences_are_opened(impl):
    """Exactly two openings, e = x - a and f = y - b: never x, y, a or b themselves."""
    rng = np.random.default_rng(12)
    x, y, a, b, _, opener = run(impl, rng, 2, (6,), (6,))
    check(len(opener.opened) == 2, f"open was called {len(opener.opened)} times, expected 2",
          "open e = x - a and f = y - b, once each, and nothing else")
    for opened, expected, name in zip(opener.opened, (x - a, y - b), ("e = x - a", "f = y - b")):
        check(not np.array_equal(opened, x) and not np.array_equal(opened, y),
              f"open revealed the secret {'x' if np.array_equal(opened, x) else 'y'} itself",
              "never open x or y: open them masked by the triple, e = x - a, f = y - b")
        check_equal(opened, expected, f"the opened value {name}", axes=["element"],
                    hint="each party opens its share of x minus its share of a (in that order)")


def test_fixed_point_product_then_truncation(impl):
    """With fixed-point encodings the product carries the scale twice (2^32 here)."""
    rng = np.random.default_rng(13)
    scale = 2 ** 16
    xf, yf = np.array([1.5, -2.0, 0.25]), np.array([4.0, 3.0, -8.0])
    x, y = np.rint(xf * scale).astype(np.int64), np.rint(yf * scale).astype(np.int64)
    _, _, triple = make_triple(rng, 2, x.shape, y.shape, np.multiply)
    z = impl.beaver_multiply(split(rng, x, 2), split(rng, y, 2), triple, Opener())
    check_equal(z.sum(axis=0) / scale ** 2, xf * yf, "the fixed-point product / scale^2",
                axes=["element"], inputs={"x": xf, "y": yf},
                hint="beaver_multiply does not truncate: the product carries the scale twice")


def test_public_term_added_once(impl):
    """A triple of zeros (a = b = c = 0, never do this for real): then e = x, f = y and the
    whole product is the public term e*f, which must be added by exactly one party."""
    rng = np.random.default_rng(14)
    n, shape = 3, (4,)
    zeros = np.zeros((n,) + shape, dtype=np.int64)
    x, y = ring_values(rng, shape), ring_values(rng, shape)
    z = impl.beaver_multiply(split(rng, x, n), split(rng, y, n), (zeros, zeros, zeros), Opener())
    check_equal(z.sum(axis=0), x * y, "the product with a zero triple (only e*f remains)",
                axes=["element"],
                hint="the public term e*f must be added by exactly one party (party 0), "
                     "not by every party")
