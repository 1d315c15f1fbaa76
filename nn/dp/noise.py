"""Gaussian noise of standard deviation ``sigma * C`` added to shares, known to no one.

The DP-SGD guarantee holds for whoever sees the noised gradient sum -- the model
owner who receives the trained model (or, with a public model, every noised
gradient) -- provided that party does not know the noise.  Two ways to draw it:

``dealer`` (the default): the crypto provider draws ``z ~ N(0, sigma^2 C^2)``, encodes
    it, splits it into additive shares and sends each holder its share, as it deals
    Beaver triples: the noise is independent of the data, so this is offline
    correlated randomness.  Each holder's share alone is uniform; the model owner sees
    only the noised result.  The crypto provider knows ``z`` but never sees anything
    computed from the data in the clear, so under the non-collusion assumption (no two
    of alice, bob, the crypto provider and the model owner pool their views) no party
    that sees a noised value knows its noise.  Variance exactly ``sigma^2 C^2``: the
    accuracy of plain DP-SGD.  Cost: ``8 n`` bytes to each holder per ``n``
    parameters, offline; no online traffic.

``holders``: each holder draws its own ``z_j ~ N(0, sigma^2 C^2)`` and adds it to its
    share; no message.  The total noise has variance ``2 sigma^2 C^2``, and a party that
    knows one ``z_j`` (even one that receives the model) is still protected by the
    other's full ``sigma C``.  This survives giving the model to a holder, at the
    price of twice the noise variance (and of some accuracy).

The privacy accounting uses ``sigma`` in both cases; the second is conservative.
The draw itself is :func:`draw_gaussian_noise`, the one place where a party's private
randomness is used here: on shares, from the drawing party's own stream for the purpose
(``network.randomness.own(party, "dp_noise")``), in its own process only.
"""
import numpy as np

from autograd import values as V
from smpc.rows import played_rows
from smpc.shared_tensor import SharedTensor
from smpc.sharing import split

NOISE_SCHEMES = ("dealer", "holders")
NOISE_PURPOSE = "dp_noise"


def draw_gaussian_noise(party, source, shape, std, encoder):
    """``party`` draws ``N(0, std^2)`` noise from its private generator ``source``, encoded.

    ``source`` is a ``numpy.random.Generator`` (anything with ``normal(loc, scale, size)``)
    that only ``party`` draws from.
    """
    return encoder.encode(source.normal(0.0, std, size=shape))


def noise_variance_factor(scheme):
    """How many independent ``N(0, sigma^2 C^2)`` draws the total noise is the sum of."""
    check_scheme(scheme)
    return 1 if scheme == "dealer" else 2


def check_scheme(scheme):
    if scheme not in NOISE_SCHEMES:
        raise ValueError(f"noise scheme must be one of {NOISE_SCHEMES}, got {scheme!r}")
    return scheme


def shared_gaussian_noise(holders, crypto_provider, shape, std, encoder, source,
                          scheme="dealer"):
    """Shares of Gaussian noise drawn by the crypto provider (or by each holder), see above."""
    check_scheme(scheme)
    holders = tuple(holders)
    network = crypto_provider.network
    rows = played_rows(holders)
    if scheme == "holders":   # each holder adds its own noise to its own share: no message
        shares = np.stack([draw_gaussian_noise(holders[j], _noise_stream(holders[j]), shape, std,
                                               encoder) for j in rows]) if rows else \
            np.empty((0,) + tuple(shape), np.int64)
        return SharedTensor(shares, holders, crypto_provider, encoder)
    shares = None
    if network.plays(crypto_provider):   # the dealer draws z and splits it
        noise = draw_gaussian_noise(crypto_provider, _noise_stream(crypto_provider), shape, std,
                                    encoder)
        shares = split(noise, len(holders), crypto_provider.source)
    out = np.empty((len(rows),) + tuple(shape), np.int64)
    with network.protocol("dp_noise"), network.round():
        for j, holder in enumerate(holders):
            got = network.send(crypto_provider, holder, None if shares is None else shares[j],
                               phase="offline")
            if j in rows:
                out[rows.index(j)] = got
    return SharedTensor(out, holders, crypto_provider, encoder)


def _noise_stream(party):
    """The party's private stream for DP noise, as a NumPy Generator."""
    return party.network.randomness.own(party, NOISE_PURPOSE).generator


def dealer_noise_generator(seed):
    """The generator the crypto provider of a session with master seed ``seed`` draws its
    DP noise from: a plaintext twin of an experiment uses it to draw the same noise."""
    from smpc.randomness import Randomness
    return Randomness(seed, lambda name: True).own("crypto_provider", NOISE_PURPOSE).generator


def float_gaussian_noise(shape, std, source, scheme="dealer"):
    """The same noise in plaintext: the sum of the same draws, in the same order."""
    draws = [source.normal(0.0, std, size=shape) for _ in range(noise_variance_factor(scheme))]
    return np.sum(draws, axis=0)


def add_noise(value, std, source, scheme="dealer", parties=None):
    """``value + noise``: shared noise on shares (``parties`` = holders, crypto provider)."""
    if not V.is_shared(value):
        return value + float_gaussian_noise(value.shape, std, source, scheme)
    holders, crypto_provider = parties or (value.holders, value.crypto_provider)
    return value + shared_gaussian_noise(holders, crypto_provider, value.shape, std,
                                         value.encoder, source, scheme)
