"""The framework's own code, adapted to the exercises' signatures.

The exercise tests run against one of two implementations (``--implementation``): the
learner's ``exercises.exN_*`` modules, or these thin adapters around the real code in
``smpc`` and ``autograd``. The adapters only translate calling conventions (raw stacked
arrays in, raw stacked arrays out); the protocol steps are smpc's own.
"""
from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock

import numpy as np

import smpc
from smpc import beaver, sharing, truncation
from smpc.dealer import Triple


def _seed_from(rng):
    """smpc draws from its own seedable source; seed it from the test's generator."""
    if rng is not None:
        smpc.manual_seed(int(rng.integers(0, 2 ** 63)))


# -- exercise 1: sharing ---------------------------------------------------------------
def _share(secret, n_parties=2, rng=None):
    _seed_from(rng)
    return sharing.split(np.asarray(secret, dtype=np.int64), n_parties)


def _refresh(shares, rng=None):
    _seed_from(rng)
    *holders, _ = smpc.make_parties(names=tuple(f"party{j}" for j in range(shares.shape[0])))
    return shares + sharing.fresh_zero_shares(holders, shares.shape[1:])


ex1_sharing = SimpleNamespace(share=_share, reconstruct=sharing.reconstruct, refresh=_refresh)


# -- exercise 2: Beaver multiplication -------------------------------------------------
@contextmanager
def _openings_through(open_function):
    """Route smpc.beaver's openings through the exercise's ``open`` callback."""
    def open_many_among(share_list, holders, protocol="open"):
        return [open_function(shares) for shares in share_list]

    with mock.patch.object(beaver, "open_many_among", open_many_among):
        yield


def _beaver_multiply(x_shares, y_shares, triple, open, product=np.multiply):
    op = {np.multiply: "mul", np.matmul: "matmul"}[product]
    *holders, crypto_provider = smpc.make_parties(
        names=tuple(f"party{j}" for j in range(x_shares.shape[0])))
    with _openings_through(open):
        return beaver.beaver_product(x_shares, y_shares, holders, crypto_provider, op,
                                     triple=Triple(op, list(triple)))


ex2_beaver = SimpleNamespace(beaver_multiply=_beaver_multiply)


# -- exercise 3: local truncation ------------------------------------------------------
def _divide(shares, d):
    with smpc.config.using(truncation="local"):
        # Local truncation needs no parties; the holders argument is only for other methods.
        return truncation.truncate(shares, d, holders=None, crypto_provider=None)


def _truncate(shares, f):
    return _divide(shares, 2 ** f)


ex3_truncation = SimpleNamespace(truncate=_truncate, divide=_divide)


# -- exercises 6 and 7: MulBackward and MatmulBackward ---------------------------------
def _backward(function_name):
    def backward(grad, a, b, needs=(True, True)):
        from autograd.function import Context
        from autograd.functions import arithmetic, matmul

        function = {"Mul": arithmetic.Mul, "Matmul": matmul.Matmul}[function_name]
        ctx = Context(needs_input_grad=needs)
        ctx.save_for_backward(a, b)
        return function.backward(ctx, grad)
    return backward


ex6_mul_backward = SimpleNamespace(mul_backward=_backward("Mul"))
ex7_matmul_backward = SimpleNamespace(matmul_backward=_backward("Matmul"))


# -- exercise 4: PrivateCompare --------------------------------------------------------
def _private_compare(bit_shares, r, beta, send_to_helper, rng=None):
    import importlib

    module = importlib.import_module("smpc.securenn.private_compare")
    _seed_from(rng)
    alice, bob, helper = smpc.make_parties()

    def to_helper(stacked, holders, helper):  # route the one message through the test's callback
        return send_to_helper(np.asarray(stacked))

    with mock.patch.object(module, "to_helper", to_helper):
        return module.private_compare(bit_shares, np.asarray(r, dtype=np.uint64),
                                      np.asarray(beta), (alice, bob), helper)


ex4_private_compare = SimpleNamespace(private_compare=_private_compare, P=67)


# -- exercise 5: ComputeMSB and DReLU --------------------------------------------------
def _compute_msb(a_shares, tools):
    from smpc.securenn import compute_msb
    return compute_msb(a_shares, tools.holders, tools.helper)


def _drelu(a_shares, tools):
    from smpc.securenn import drelu_bits
    return drelu_bits(a_shares, tools.holders, tools.helper)


ex5_drelu = SimpleNamespace(compute_msb=_compute_msb, drelu=_drelu)
