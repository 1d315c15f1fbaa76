"""Parties of the computation: the workers that hold shares, and the local client.

The reference has three roles: the *workers* alice and bob, who hold additive
shares; the *crypto provider*, who deals correlated randomness (see
:mod:`smpc.dealer`); and the local client ("me", the model owner) who shares a
model out and gets it back.  Every party sits on one :class:`~smpc.network.Network`.
"""
from .network import Network
from .randomness import manual_seed


class Party:
    """A named participant; all its messages go through ``network``."""

    def __init__(self, name, network):
        self.name = name
        self.network = network
        network.register(self)

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"


class Worker(Party):
    """A party that holds shares (alice, bob)."""


def make_parties(seed=None, names=("alice", "bob"), prg_seeds=True, network=None):
    """Create the workers and a crypto provider on one network: ``alice, bob, cp = make_parties()``.

    ``seed`` seeds the package's single random source (reproducible runs).
    ``prg_seeds`` makes the dealer hand out PRG seeds instead of full shares
    where it can (see :class:`~smpc.dealer.CryptoProvider`).  The network also
    gets a local client party named ``"me"`` (``network.local``), the default
    owner of values that are shared and the default receiver of ``get()``.
    """
    from .dealer import CryptoProvider  # the dealer builds on parties, not the other way round

    if seed is not None:
        manual_seed(seed)
    network = network or Network()
    if not hasattr(network, "local"):
        network.local = Party("me", network)
    workers = [Worker(name, network) for name in names]
    crypto_provider = CryptoProvider("crypto_provider", network, prg_seeds=prg_seeds)
    return (*workers, crypto_provider)
