"""Parties of the computation: the workers that hold shares, and the local client.

The reference has three roles: the *workers* alice and bob, who hold additive
shares; the *crypto provider*, who deals correlated randomness (see
:mod:`smpc.dealer`); and the local client ("me", the model owner) who shares a
model out and gets it back.  Every party sits on one :class:`~smpc.network.Network`,
the session; a process plays some of them (all in the simulation).
"""

LOCAL_CLIENT = "me"


class Party:
    """A named participant; all its messages go through ``network``."""

    def __init__(self, name, network):
        if not isinstance(name, str) or not name:
            raise TypeError(f"a party's name is a non-empty string, got {name!r}")
        self.name = name
        self.network = network
        network.register(self)

    @property
    def source(self):
        """The party's private random generator (absent in processes not playing it)."""
        return self.network.randomness.own(self)

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"


class Worker(Party):
    """A party that holds shares (alice, bob)."""
