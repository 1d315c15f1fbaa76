"""SharedTensor: a fixed-point tensor additively secret-shared among workers.

The shares live in one int64 array whose leading axis holds the rows of the holders
this process plays (:mod:`smpc.rows`): every holder in the simulation, so a local step,
done by every holder on its own share, is a single NumPy call; one row in a holder's own
process; none in the crypto provider's.  Local steps never mix rows; everything that
crosses between parties goes through the network (:mod:`smpc.sharing`,
:mod:`smpc.beaver`).

Operations and their protocols:

===================================  ==============================================
``+ - neg`` (shared or public)       local; a public term is added by holder 0 only
``*  @`` by a public operand         local product, then truncation
``*  @`` of two shared operands      Beaver triple (:mod:`smpc.beaver`), truncation
``x ** 2`` / ``square()``            Beaver square pair, truncation
``x / d`` (public ``d``)             truncation by ``d``, or a product by a scaled
                                     reciprocal and a truncation (``__truediv__``)
``sum mean reshape transpose [ ]``   local
``get()``                            reveal to the local client (the shares stay)
``refresh()``                        add a fresh sharing of zero
===================================  ==============================================

Parties.  Every tensor is held by two or more distinct workers, with a crypto
provider that holds no share (:mod:`smpc.validation` refuses anything else).

Scales.  Values carry their encoder.  Comparison results are 0/1 at integer
scale (precision 0): multiplying them into a fixed-point tensor needs no
truncation, and adding them rescales them exactly.
"""
import math

import numpy as np

from . import comparisons, ring
from .beaver import beaver_product, beaver_square, product_shape
from .errors import PartyMismatchError
from .fixed_point import DEFAULT_ENCODER, INTEGER_ENCODER
from .fixed_precision_tensor import FixedPrecisionTensor
from .rows import add_public, played_rows
from .shapes import broadcast_shape, party_axes, resolve_shape
from .sharing import fresh_zero_shares, reveal_to, share_from
from .truncation import check_can_truncate, truncate
from .validation import (check_encoder, check_public_divisor, check_receiver,
                         check_sharing_parties)


class SharedTensor:
    """Additive shares of a fixed-point tensor, held by ``holders``."""

    __array_priority__ = 1000  # ndarray (op) SharedTensor defers to our reflected operators

    def __init__(self, shares, holders, crypto_provider, encoder=DEFAULT_ENCODER):
        shares = np.asarray(shares)
        if shares.dtype != np.int64:
            raise TypeError(f"shares must be int64 ring elements, got {shares.dtype}; "
                            "to share floats use smpc.share(x, alice, bob, crypto_provider=cp)")
        self.holders = check_sharing_parties(holders, crypto_provider)
        rows = played_rows(self.holders)
        if shares.ndim == 0 or shares.shape[0] != len(rows):
            raise ValueError(f"need one share row per holder played here ({len(rows)} of "
                             f"{len(holders)} holders), got shares of shape {shares.shape}")
        self.crypto_provider = crypto_provider
        self.encoder = check_encoder(encoder) or DEFAULT_ENCODER
        self.shares = shares

    # -- creating and revealing ---------------------------------------------------------
    @classmethod
    def share_encoded(cls, values, holders, crypto_provider, encoder, owner=None):
        """Share int64 encodings; ``owner`` (default: the local client) splits and sends them."""
        holders = check_sharing_parties(holders, crypto_provider, owner)
        check_encoder(encoder)
        owner = owner or holders[0].network.local
        return cls(share_from(owner, values, holders), holders, crypto_provider, encoder)

    def get(self, receiver=None):
        """Reveal to ``receiver`` (default: the local client) as a FixedPrecisionTensor.

        ``get()`` *reveals*; it does not move.  PySyft's ``get()`` moves a remote value
        to its caller and leaves the pointer dangling; here a SharedTensor is an
        immutable value whose shares stay with their holders, so every ``get()`` is a
        fresh reveal: a second one returns the same value and costs the same traffic
        (``8 n N`` bytes, one round), and the tensor stays usable.  What moves is a
        *model*: :meth:`nn.Module.get` replaces the model's shared parameters by the
        revealed ones, so a second ``model.get()`` is refused (the model is public).
        """
        receiver = check_receiver(receiver or self.network.local, self.network)
        return FixedPrecisionTensor(reveal_to(receiver, self.shares, self.holders), self.encoder)

    def refresh(self):
        """Fresh shares of the same value (no communication: common PRG keys)."""
        return self._new(self.shares + fresh_zero_shares(self.holders, self.shape))

    def new_zeros(self, shape):
        """A sharing of zeros among the same parties, with the same encoder."""
        return self._new(fresh_zero_shares(self.holders, tuple(shape)))

    def _new(self, shares, encoder=None):
        """A result among the same, already checked, parties (no second party check)."""
        if shares.dtype != np.int64 or shares.shape[:1] != self.shares.shape[:1]:
            return SharedTensor(shares, self.holders, self.crypto_provider, encoder or self.encoder)
        out = object.__new__(SharedTensor)
        out.shares, out.holders, out.crypto_provider = shares, self.holders, self.crypto_provider
        out.encoder = encoder or self.encoder
        return out

    # -- plain attributes ----------------------------------------------------------------
    @property
    def network(self):
        return self.holders[0].network

    @property
    def shape(self):
        return self.shares.shape[1:]

    @property
    def ndim(self):
        return self.shares.ndim - 1

    @property
    def size(self):
        return math.prod(self.shape)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d SharedTensor")
        return self.shape[0]

    def __repr__(self):
        names = ", ".join(h.name for h in self.holders)
        return f"SharedTensor(shape={self.shape}, holders=({names}), {self.encoder})"

    # -- operands ------------------------------------------------------------------------
    def _check_parties(self, other):
        if other.holders != self.holders or other.crypto_provider is not self.crypto_provider:
            raise PartyMismatchError(
                f"tensors are shared among different parties: {[h.name for h in self.holders]} "
                f"with {self.crypto_provider} vs {[h.name for h in other.holders]} with "
                f"{other.crypto_provider}; share both among the same workers and crypto provider")

    def _aligned(self, ndim):
        """Shares with 1-dims inserted after the party axis, for broadcasting to ``ndim``."""
        missing = ndim - self.ndim
        if missing <= 0:
            return self.shares
        return self.shares.reshape((self.shares.shape[0],) + (1,) * missing + self.shape)

    def _public(self, other):
        """A public operand as (int64 array, encoder); Python/NumPy integers stay exact."""
        if isinstance(other, FixedPrecisionTensor):
            return other.values, other.encoder
        if isinstance(other, (bool, int, np.integer)) or (
                isinstance(other, np.ndarray) and other.dtype.kind in "biu"):
            return INTEGER_ENCODER.encode(other), INTEGER_ENCODER  # exact; checks the range
        if isinstance(other, (float, np.floating, np.ndarray, list)):
            # Reals next to integer-scale shares (comparison bits) get the default scale.
            encoder = DEFAULT_ENCODER if self.encoder.is_integer else self.encoder
            return encoder.encode(other), encoder
        raise TypeError(f"cannot combine a SharedTensor with {type(other).__name__}; use a "
                        "SharedTensor, a FixedPrecisionTensor, a number or a NumPy array")

    def _common_scale(self, enc_a, enc_b):
        """The encoder of a sum; integer-scale operands are lifted exactly."""
        if enc_a == enc_b or enc_b.is_integer:
            return enc_a
        if enc_a.is_integer:
            return enc_b
        raise ValueError(f"cannot combine fixed-point encodings {enc_a} and {enc_b}; "
                         "re-encode one of them")

    def _lift(self, values, from_enc, to_enc):
        return values if from_enc == to_enc else values * np.int64(to_enc.scale // from_enc.scale)

    # -- addition and subtraction --------------------------------------------------------
    def _add(self, other, sign):
        broadcast_shape(self.shape, _shape_of(other))
        if isinstance(other, SharedTensor):
            self._check_parties(other)
            enc = self._common_scale(self.encoder, other.encoder)
            ndim = max(self.ndim, other.ndim)
            mine = self._lift(self._aligned(ndim), self.encoder, enc)
            theirs = self._lift(other._aligned(ndim), other.encoder, enc)
            return self._new(mine + sign * theirs, enc)
        values, pub_enc = self._public(other)
        enc = self._common_scale(self.encoder, pub_enc)
        if pub_enc != enc:
            enc.encode(values)  # an integer term, once scaled, must fit the range as well
        ndim = max(self.ndim, values.ndim)
        out = self._lift(self._aligned(ndim), self.encoder, enc)
        # A public term is added once, by holder 0.
        return self._new(add_public(out, self.holders, self._lift(values, pub_enc, enc), sign), enc)

    def __add__(self, other):
        return self._add(other, 1)

    __radd__ = __add__

    def __sub__(self, other):
        return self._add(other, -1)

    def __rsub__(self, other):
        return (-self)._add(other, 1)

    def __neg__(self):
        return self._new(-self.shares)

    # -- multiplication ------------------------------------------------------------------
    def _rescale(self, product, enc_a, enc_b):
        """Truncate a product of two encodings back to one scale."""
        enc = self._common_scale(enc_a, enc_b)
        divisor = min(enc_a.scale, enc_b.scale)
        return self._new(truncate(product, divisor, self.holders, self.crypto_provider), enc)

    def _check_rescalable(self, enc_a, enc_b):
        """Fail before a product is paid for if its result could not be scaled back."""
        self._common_scale(enc_a, enc_b)
        check_can_truncate(min(enc_a.scale, enc_b.scale), self.holders)

    def _multiply(self, other, op, reflected=False):
        if isinstance(other, SharedTensor):
            self._check_parties(other)
            left, right = (other, self) if reflected else (self, other)
            product_shape(op, left.shape, right.shape)
            self._check_rescalable(self.encoder, other.encoder)
            ndim = max(left.ndim, right.ndim, 2 if op == "matmul" else 0)
            product = beaver_product(left._aligned(ndim), right._aligned(ndim),
                                     self.holders, self.crypto_provider, op)
            return self._rescale(product, self.encoder, other.encoder)
        values, pub_enc = self._public(other)
        product_shape(op, *((values.shape, self.shape) if reflected else (self.shape, values.shape)))
        self._check_rescalable(self.encoder, pub_enc)
        ndim = max(self.ndim, values.ndim)
        mine = self._aligned(ndim)
        if op == "mul":
            product = mine * values
        elif reflected:  # public encodings are small: fewer limbs (ring.matmul_with_small)
            product = ring.matmul_with_small(values, mine, small="a")
        else:
            product = ring.matmul_with_small(mine, values, small="b")
        return self._rescale(product, self.encoder, pub_enc)

    def __mul__(self, other):
        return self._multiply(other, "mul")

    def __rmul__(self, other):
        return self._multiply(other, "mul", reflected=True)

    def __matmul__(self, other):
        _require_matrices(self, other)
        return self._multiply(other, "matmul")

    def __rmatmul__(self, other):
        _require_matrices(other, self)
        return self._multiply(other, "matmul", reflected=True)

    def square(self):
        """``x * x`` with a square pair: half the opening of a general product."""
        self._check_rescalable(self.encoder, self.encoder)
        product = beaver_square(self.shares, self.holders, self.crypto_provider)
        return self._rescale(product, self.encoder, self.encoder)

    def __pow__(self, exponent):
        if exponent == 2:
            return self.square()
        if exponent == 1:
            return self
        raise ValueError(f"shared tensors support ** 1 and ** 2, not ** {exponent!r}; "
                         "build other powers from products")

    def __truediv__(self, divisor):
        """Division by a public positive number ``d``, checked before anything is computed.

        Valid divisors: ``1 / max_value <= d <= 2^31`` (``max_value`` is the encoder's
        range, 32768 at 16 bits).  A smaller ``d`` multiplies by more than any public
        factor may be (the quotient of every nonzero value leaves the range); a larger
        one leaves nothing of any value in the range (every quotient is below one
        unit).  Both are refused with a :class:`~smpc.errors.FixedPointRangeError`.

        1. An integer ``d`` is one truncation by ``d``: the value truncated is ``x``'s
           encoding itself, ``|x| <= 2^31``.
        2. A real ``d`` is a product with its reciprocal at extra precision,
           ``r = round(2^s / d)`` with ``2^15 <= r < 2^16`` (``s = ceil(log2 d) + 15``;
           ``r`` at most ``2^16 - 1``), then a truncation by ``2^s``.  The reciprocal is
           off by at most a relative 2^-16, even when ``1 / d`` is far below the
           encoder's unit, and the value truncated, ``|x * r| < 2^31 * 2^16 = 2^47``,
           stays inside every truncation method's range (masked: ``|x| < 2^47``).
           When ``1 / d`` is above 2^15 (base 10 allows it), ``s`` would be negative:
           then ``x`` is multiplied by the integer ``round(1 / d)`` (relative error
           below 2^-16) and nothing is truncated.
        Error: that of the truncation (within one or two units) plus the reciprocal's
        relative 2^-16 of the quotient.  Cost: one truncation.  On an integer-scale
        tensor (comparison bits, counts) the quotient is an integer too (floored); use
        :meth:`mean`, or add the bits to a fixed-point tensor first, for a fraction.
        """
        check_public_divisor(divisor, self.encoder)
        if isinstance(divisor, (int, np.integer)) or float(divisor).is_integer():
            return self._new(truncate(self.shares, int(divisor), self.holders, self.crypto_provider))
        shift = max(0, int(np.ceil(np.log2(divisor))) + 15)
        reciprocal = min(int(round(2 ** shift / divisor)), 2 ** 16 - 1) if shift else int(
            round(1 / divisor))
        with np.errstate(over="ignore"):  # ring arithmetic wraps on purpose (NumPy warns on 0-d)
            scaled = self.shares * np.int64(reciprocal)
        return self._new(truncate(scaled, 2 ** shift, self.holders, self.crypto_provider))

    # -- local reshaping and reductions --------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        for a in (() if axis is None else np.atleast_1d(axis)):
            if not -self.ndim <= a < self.ndim:
                raise ValueError(f"axis {a} is out of range for a tensor of shape {self.shape}")
        axes = tuple(range(1, self.shares.ndim)) if axis is None else party_axes(axis)
        return self._new(self.shares.sum(axis=axes, keepdims=keepdims))

    def mean(self, axis=None, keepdims=False):
        """The mean: a local sum, then one truncation by the count ``n``.

        The value truncated is the sum's encoding, at most ``n * 2^31``; under the
        masked method it must stay below 2^47, so a mean over more than 2^16 values
        of the largest magnitudes is outside that method's range.
        """
        if self.size == 0:
            raise ValueError(f"the mean of an empty tensor (shape {self.shape}) is undefined; "
                             "check the slice or batch that produced it")
        total = self.sum(axis, keepdims)
        if total.size and self.size // total.size == 0:
            raise ValueError(f"the mean over an empty axis of shape {self.shape} is undefined")
        if total.encoder.is_integer:  # a mean of 0/1 bits is a fraction: give it fractional bits
            total = total._new(total.shares * np.int64(DEFAULT_ENCODER.scale), DEFAULT_ENCODER)
        return total / (self.size // total.size)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:  # checked on the data shape, so the message does not show the party axis
            new_shape = resolve_shape(shape, self.size)
        except (ValueError, TypeError):
            raise ValueError(f"cannot reshape a tensor of shape {self.shape} ({self.size} values) "
                             f"into {tuple(shape)}") from None
        return self._new(self.shares.reshape((self.shares.shape[0],) + new_shape))

    view = reshape

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        axes = axes or tuple(reversed(range(self.ndim)))
        in_range = all(-self.ndim <= a < self.ndim for a in axes)
        if not in_range or sorted(a % self.ndim for a in axes) != list(range(self.ndim)):
            raise ValueError(f"transpose axes {tuple(axes)} are not a permutation of the "
                             f"{self.ndim} axes of a tensor of shape {self.shape}")
        return self._new(self.shares.transpose((0,) + tuple(a % self.ndim + 1 for a in axes)))

    @property
    def T(self):
        return self.transpose()

    def __getitem__(self, index):
        # Each holder indexes its own share.  (Prepending a slice for the party axis
        # would let NumPy move that axis when advanced indices are split by a slice.)
        if len(self.shares) == 0:  # no rows here: only the shape flows
            shape = np.broadcast_to(np.zeros((), np.int8), self.shape)[index].shape
            return self._new(np.empty((0,) + shape, np.int64))
        return self._new(np.stack([share[index] for share in self.shares]))

    def index_add(self, index, values):
        """A copy with ``values`` added at ``index`` (repeated indices accumulate).

        Scales combine as in ``+``: integer-scale terms are lifted exactly.
        """
        if isinstance(values, SharedTensor):
            self._check_parties(values)
            added, added_enc = values.shares, values.encoder
        else:
            added, added_enc = self._public(values)
        enc = self._common_scale(self.encoder, added_enc)
        out = self._lift(self.shares, self.encoder, enc).copy()
        added = self._lift(added, added_enc, enc)
        if isinstance(values, SharedTensor):
            for own, term in zip(out, added):
                np.add.at(own, index, term)
        elif played_rows(self.holders)[:1] == (0,):
            np.add.at(out[0], index, added)  # a public term is added once, by holder 0
        return self._new(out, enc)

    # -- comparisons (SecureNN, :mod:`smpc.comparisons`) --------------------------------
    def relu(self):
        return comparisons.relu_with_drelu(self)[0]

    def gt(self, other):
        return comparisons.gt(self, other)

    def ge(self, other):
        return comparisons.ge(self, other)

    def lt(self, other):
        return comparisons.lt(self, other)

    def le(self, other):
        return comparisons.le(self, other)

    def eq(self, other):
        return comparisons.eq(self, other)

    def max(self, axis=-1):
        return comparisons.max_along(self, axis)

    def argmax(self, axis=-1):
        return comparisons.argmax(self, axis)

    __gt__, __ge__, __lt__, __le__ = gt, ge, lt, le


def _shape_of(operand):
    if isinstance(operand, (SharedTensor, FixedPrecisionTensor)):
        return tuple(operand.shape)
    return np.shape(operand)


def _require_matrices(left, right):
    for side in (left, right):
        if (side.ndim if isinstance(side, SharedTensor) else np.ndim(
                side.values if isinstance(side, FixedPrecisionTensor) else side)) < 2:
            raise ValueError("@ on shared tensors needs operands with at least two dimensions; "
                             "reshape a vector to (1, n) or (n, 1)")


def concatenate(tensors, axis=0):
    """Join shared tensors (same parties and encoder) along an existing axis."""
    if not tensors:
        raise ValueError("concatenate needs at least one shared tensor")
    first = tensors[0]
    for t in tensors[1:]:
        first._check_parties(t)
        if t.encoder != first.encoder:
            raise ValueError("cannot concatenate tensors with different encoders")
    return first._new(np.concatenate([t.shares for t in tensors], axis=party_axes(axis)[0]))


def share(values, *holders, crypto_provider, encoder=None, owner=None):
    """Encode floats and secret-share them: ``share(x, alice, bob, crypto_provider=cp)``."""
    encoder = check_encoder(encoder) or DEFAULT_ENCODER
    return SharedTensor.share_encoded(encoder.encode(values), holders, crypto_provider, encoder, owner)
