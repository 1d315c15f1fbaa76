"""A session in one call: the parties of the reference on one network.

``alice, bob, crypto_provider = make_parties(seed=0)`` makes the simulation (this process
plays everybody); with ``plays=`` and ``transport=`` the same call makes one process's
side of a run with the parties in separate processes.
"""
from .dealer import CryptoProvider
from .network import Network
from .parties import LOCAL_CLIENT, Party, Worker
from .randomness import Randomness, manual_seed


def make_parties(seed=None, names=("alice", "bob"), prg_seeds=True, network=None,
                 plays=None, transport=None, settings=None, session_id=None,
                 random_streams="pcg64"):
    """Create the workers and a crypto provider on one session: ``alice, bob, cp = make_parties()``.

    ``seed`` is the session's master seed (every party's streams derive from it) and
    also seeds the process-wide generator that draws initial weights, so a run is
    reproducible.  ``prg_seeds`` makes the dealer deliver its randomness through
    long-lived keys it shares with each holder, sending only corrections (see
    :class:`~smpc.dealer.CryptoProvider`).  ``plays`` and ``transport``: the parties
    this process plays and the transport to the others (default: this process plays
    everybody).  ``random_streams``: ``"pcg64"`` (NumPy's fast generator, the
    simulation's default), ``"csprng"`` (AES-CTR keyed from the seed) or ``"csprng-os"``
    (AES-CTR keyed from the OS and by agreement; see :mod:`smpc.randomness`).  The session also gets a local client party named ``"me"``
    (``network.local``), the default owner of values that are shared and the default
    receiver of ``get()``.
    """
    if seed is not None:
        manual_seed(seed)
    if network is None:
        network = Network(plays=plays, transport=transport, seed=seed, settings=settings,
                          session_id=session_id)
    if random_streams != network.randomness.kind:
        network.randomness = Randomness(network.randomness.master_seed, network.plays_name,
                                        streams=random_streams)
    if not hasattr(network, "local"):
        network.local = Party(LOCAL_CLIENT, network)
    workers = [Worker(name, network) for name in names]
    crypto_provider = CryptoProvider("crypto_provider", network, prg_seeds=prg_seeds)
    return (*workers, crypto_provider)
