"""smpc: secret-shared fixed-point tensors, a crypto provider, and the protocols on them.

Quick tour::

    import numpy as np, smpc
    alice, bob, cp = smpc.make_parties(seed=0)
    x = smpc.share(np.array([1.5, -2.0]), alice, bob, crypto_provider=cp)
    y = x * x + 1                      # Beaver square, then a public addition
    y.get().float_precision()          # array([3.25, 5.  ])

Layout, one concept per module: :mod:`~smpc.ring` (Z_2^64), :mod:`~smpc.fixed_point`,
:mod:`~smpc.randomness`, :mod:`~smpc.network` (the session), :mod:`~smpc.rows` (which
rows of a share array a process holds), :mod:`~smpc.parties`, :mod:`~smpc.session`,
:mod:`~smpc.dealer`, :mod:`~smpc.sharing`, :mod:`~smpc.beaver`,
:mod:`~smpc.truncation`, :mod:`~smpc.shared_tensor`.

Functions beyond products, built from the operations above (each module states its
method, valid range, error and cost): :mod:`~smpc.exponential`, :mod:`~smpc.logarithm`,
:mod:`~smpc.reciprocal`, :mod:`~smpc.sqrt`, :mod:`~smpc.sigmoid`, :mod:`~smpc.softmax`,
with their helpers in :mod:`~smpc.ranges` (clamping, the octave of a value).
"""
from . import config, ring
from .dealer import CryptoProvider, Triple
from .errors import (FixedPointRangeError, PartyMismatchError, ProtocolError, SMPCError,
                     TripleReuseError)
from .fixed_point import DEFAULT_ENCODER, INTEGER_ENCODER, FixedPointEncoder, encoder_from_setting
from .fixed_precision_tensor import FixedPrecisionTensor, fix_precision
from .network import Network, Stats
from .parties import Party, Worker
from .randomness import default_source, manual_seed
from .session import make_parties
from .shared_tensor import SharedTensor, concatenate, share
from .comparisons import (argmax, drelu, eq, ge, gt, le, lt, max_along, relu_with_drelu,
                          select_share)
