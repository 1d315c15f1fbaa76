"""Multiplication of secret-shared values with Beaver triples (the SPDZ online phase).

Damgård, Pastro, Smart, Zakarias, "Multiparty computation from somewhat
homomorphic encryption" (SPDZ, CRYPTO 2012), after Beaver, "Efficient
multiparty protocols using circuit randomization" (CRYPTO 1991).

To multiply shared ``x`` and ``y`` (elementwise with broadcasting, or as a matrix
product with batch dimensions), given a triple ``a, b, c = a * b`` (or ``a @ b``)
from the crypto provider:

1. every holder computes its share of ``e = x - a`` and ``f = y - b`` and the
   holders open ``e`` and ``f`` (one round, both openings in parallel); ``e`` and
   ``f`` are uniformly random, so they reveal nothing;
2. holder ``j`` computes ``z_j = c_j + e * b_j + a_j * f``, and holder 0 also
   adds ``e * f`` (:func:`smpc.rows.add_public`).  Then
   ``sum z_j = (e + a)(f + b) = x * y``.

The result carries two scales and is truncated by the caller.  Squaring needs
only a pair ``(a, a^2)`` and one opening: ``x^2 = a^2 + 2 e a + e^2``.

Communication with ``N`` holders, ``n_x`` and ``n_y`` elements of 8 bytes:

* multiply / matrix multiply: ``8 N (N-1) (n_x + n_y)`` bytes, 1 round
  (two holders: ``16 (n_x + n_y)``);
* square: ``8 N (N-1) n_x`` bytes, 1 round.
"""
import numpy as np

from . import ring
from .rows import add_public
from .sharing import open_many_among

_PRODUCTS = {"mul": np.multiply, "matmul": ring.matmul}


def product_shape(op, x_shape, y_shape):
    """The shape of ``x * y`` or ``x @ y``, or a ValueError that names both shapes."""
    x_shape, y_shape = tuple(x_shape), tuple(y_shape)
    try:
        if op == "mul":
            return np.broadcast_shapes(x_shape, y_shape)
        if len(x_shape) >= 2 and len(y_shape) >= 2 and x_shape[-1] == y_shape[-2]:
            batch = np.broadcast_shapes(x_shape[:-2], y_shape[:-2])
            return batch + (x_shape[-2], y_shape[-1])
    except ValueError:
        pass
    what = "multiply elementwise" if op == "mul" else "matrix-multiply"
    raise ValueError(f"cannot {what} tensors of shapes {x_shape} and {y_shape}"
                     + ("" if op == "mul" else " (inner dimensions and batch dimensions must match)"))


def _with_ndim(shares, ndim):
    """Stacked shares with 1-dims inserted after the party axis, up to ``ndim`` data axes."""
    missing = ndim - (shares.ndim - 1)
    return shares if missing <= 0 else shares.reshape(
        shares.shape[:1] + (1,) * missing + shares.shape[1:])


def beaver_product(x_shares, y_shares, holders, crypto_provider, op="mul", triple=None):
    """Shares of ``x * y`` (``op="mul"``) or ``x @ y`` (``op="matmul"``), untruncated."""
    product = _PRODUCTS[op]
    x_shape, y_shape = x_shares.shape[1:], y_shares.shape[1:]
    out_shape = product_shape(op, x_shape, y_shape)  # a clear error before the dealer works
    if triple is None:
        deal = crypto_provider.mul_triple if op == "mul" else crypto_provider.matmul_triple
        triple = deal(holders, x_shape, y_shape)
    if triple.kind != op:
        raise ValueError(f"a {triple.kind} triple cannot serve a {op} product; the triple was not used")
    if triple.shapes[:2] != [tuple(x_shape), tuple(y_shape)]:  # checked before it is used up
        raise ValueError(f"triple shapes {triple.shapes[0]}, {triple.shapes[1]} do not match the "
                         f"operands {x_shape}, {y_shape}; the triple was not used")
    a, b, c = triple.consume()
    network = holders[0].network
    if not network.rows(holders):  # the dealer's or the model owner's process: no share here
        return np.zeros((0,) + out_shape, dtype=np.int64)
    # Give both operands (and their masks) the same number of dimensions, so that the
    # party axis of one never lines up with a data axis of the other when broadcasting.
    ndim = max(len(x_shape), len(y_shape))
    x_shares, a = (_with_ndim(v, ndim) for v in (x_shares, a))
    y_shares, b = (_with_ndim(v, ndim) for v in (y_shares, b))
    name = "beaver_" + op
    with network.protocol(name), np.errstate(over="ignore"):  # the ring wraps on purpose
        e, f = open_many_among([x_shares - a, y_shares - b], holders, name)
        # Holder 0 adds e * f; folded into its a-share, (a_0 + e) * f, it costs no extra product.
        a_plus_e = add_public(a, holders, e)
        if op == "matmul":
            # e @ b_j + a_j @ f as ONE product: [e, a_j] @ [b_j ; f] (half the calls).
            left = np.concatenate([np.broadcast_to(e, a.shape), a_plus_e], axis=-1)
            right = np.concatenate([b, np.broadcast_to(f, b.shape)], axis=-2)
            z = c + ring.matmul(left, right)
        else:
            z = c + product(e, b) + product(a_plus_e, f)
    return z


def beaver_square(x_shares, holders, crypto_provider, pair=None):
    """Shares of ``x * x`` (elementwise) from a square pair, untruncated."""
    if pair is None:
        pair = crypto_provider.square_pair(holders, x_shares.shape[1:])
    if pair.kind != "square":
        raise ValueError(f"a {pair.kind} triple is not a square pair; it was not used")
    if pair.shapes[0] != tuple(x_shares.shape[1:]):  # checked before it is used up
        raise ValueError(f"square pair of shape {pair.shapes[0]} does not match the operand "
                         f"{x_shares.shape[1:]}; the pair was not used")
    a, a_squared = pair.consume()
    network = holders[0].network
    with network.protocol("beaver_square"), np.errstate(over="ignore"):
        (e,) = open_many_among([x_shares - a], holders, "beaver_square")
        z = add_public(a_squared + 2 * e * a, holders, e * e)
    return z
