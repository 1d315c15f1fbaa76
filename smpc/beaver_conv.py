"""Convolutions of secret-shared tensors with convolution triples.

The Beaver step of :mod:`smpc.beaver`, with the product replaced by one of the three
bilinear convolution maps of :mod:`smpc.convolution` (the convolution, its input
gradient, its weight gradient; ``F`` below).  Given shared ``x``, ``y`` and a triple
``a, b, c = F(a, b)`` from the crypto provider, in the shapes of ``x`` and ``y``:

1. every holder computes its share of ``e = x - a`` and ``f = y - b``; the holders open
   ``e`` and ``f`` (one round, in parallel);
2. holder ``j`` computes ``z_j = c_j + F(e, b_j) + F(a_j, f)``, holder 0 also adds
   ``F(e, f)`` (folded in as ``F(a_0 + e, f)``).  By bilinearity ``sum z_j =
   F(e + a, f + b) = F(x, y)``.

This is SPDZ (Damgård et al., CRYPTO 2012) on Beaver's circuit randomisation (CRYPTO
1991) for any bilinear map; CrypTen's trusted-first-party provider deals convolution
triples the same way.

Cost, two holders, 8-byte ring elements, one round:

* with a convolution triple (this module): ``16 (n_x + n_y)`` bytes, the operands opened
  in their own shapes;
* unfolded alternative (im2col first, then a matrix triple): ``16 (n_cols + n_y)`` with
  ``n_cols = N H' W' C kh kw``, about ``kh kw / s^2`` times ``n_x`` -- 25x for a 5x5
  kernel at stride 1 on a large image.

Valid range: that of a Beaver matrix product.  The ring arithmetic is exact mod 2^64
for any shares; each output, a sum of ``C kh kw`` (or ``N H' W'``, for the weight
gradient) products of encodings, must lie in the range the truncation that follows
accepts (for two holders' local truncation, an error of about 2^64 / scale with
probability ``|x| / 2^64`` per value, see :mod:`smpc.truncation`), and its decoded
value in the fixed-point range, as for ``x @ y``.

Offline (dealer, PRG keys), one triple per map: ``8 n_z`` bytes (the correction share
of ``c``, ``n_z`` elements, to the last holder).
The result carries two scales; :func:`bilinear_product` truncates it.
"""
import numpy as np

from . import ring
from .convolution import Bilinear
from .shared_tensor import SharedTensor
from .rows import add_public
from .sharing import open_many_among


def beaver_conv(x_shares, y_shares, holders, crypto_provider, bilinear, triple=None):
    """Stacked shares of ``bilinear(x, y)``, untruncated (steps 1-2 above)."""
    x_shape, y_shape = x_shares.shape[1:], y_shares.shape[1:]
    out_shape = bilinear.output_shape(x_shape, y_shape)  # a clear error before the dealer works
    if triple is None:
        triple = crypto_provider.conv_triple(holders, bilinear, x_shape, y_shape)
    a, b, c = triple.consume()
    if a.shape[1:] != x_shape or b.shape[1:] != y_shape:
        raise ValueError(f"triple shapes {a.shape[1:]}, {b.shape[1:]} do not match the "
                         f"operands {x_shape}, {y_shape}")
    if not holders[0].network.rows(holders):  # the dealer's or the model owner's process
        return np.zeros((0,) + tuple(out_shape), dtype=np.int64)
    name = "beaver_" + bilinear.kind
    with holders[0].network.protocol(name), np.errstate(over="ignore"):
        e, f = open_many_among([x_shares - a, y_shares - b], holders, name)
        a_plus_e = add_public(a, holders, e)  # holder 0's F(e, f), folded into its own term
        # Two maps, not one of joined operands: e has no party axis, so its unfolding
        # is done once for all holders (measured faster than joining along the
        # contracted axis).
        return c + bilinear(e, b, ring.matmul) + bilinear(a_plus_e, f, ring.matmul)


def bilinear_product(left, right, bilinear):
    """``bilinear(left, right)`` with at least one operand shared, truncated to one scale.

    Two shared operands: a convolution triple (:func:`beaver_conv`).  One public operand
    (a number array or FixedPrecisionTensor): each holder applies the map to its own share,
    no communication.
    """
    shared = left if isinstance(left, SharedTensor) else right
    if not isinstance(shared, SharedTensor):
        raise TypeError(f"{bilinear.kind}: needs at least one SharedTensor operand")
    if isinstance(left, SharedTensor) and isinstance(right, SharedTensor):
        shared._check_parties(left if shared is right else right)
        bilinear.output_shape(left.shape, right.shape)
        shared._check_rescalable(left.encoder, right.encoder)
        product = beaver_conv(left.shares, right.shares, shared.holders,
                              shared.crypto_provider, bilinear)
        return shared._rescale(product, left.encoder, right.encoder)
    public = right if shared is left else left
    values, public_encoder = shared._public(public)
    bilinear.output_shape(*((shared.shape, values.shape) if shared is left
                            else (values.shape, shared.shape)))
    shared._check_rescalable(shared.encoder, public_encoder)
    small = "b" if shared is left else "a"  # public encodings are small: fewer limbs

    def matmul(a, b):
        return ring.matmul_with_small(a, b, small=small)

    with np.errstate(over="ignore"):
        # The party axis of the shares is a leading axis, which the maps broadcast.
        product = (bilinear(shared.shares, values, matmul) if shared is left
                   else bilinear(values, shared.shares, matmul))
    return shared._rescale(product, shared.encoder, public_encoder)


def conv2d(x, weight, stride=1, padding=0):
    """The convolution of ``x`` (N, C, H, W) with ``weight`` (O, C, kh, kw), one of them shared."""
    return bilinear_product(x, weight, Bilinear("conv2d", stride, padding))
