"""Communication of the binary protocols in closed form, for 2 holders.

Each function adds up the same terms as the protocol's docstring, step by step,
so a test can compare them with what the network measured
(``with network.measure() as st``: ``st.bytes``, ``st.rounds``, ``st.offline_bytes``).

Notation: ``n`` elements; ``B(m, w) = ceil(m w / 8)`` bytes for ``m`` values of
``w`` bits (sub-byte values packed).  An opening by 2 holders sends 2 messages,
however many values it opens; an AND opens 2 values, packed together.

===================  ==========================================  ======  ===============================
protocol             online bytes                                rounds  offline bytes (PRG keys)
===================  ==========================================  ======  ===============================
AND, ``n`` x ``w``   ``2 B(2n, w)``                              1       ``B(n, w)``
private AND          ``16 n``                                    1       ``8 n``
bit to arithmetic    ``2 B(n, 1)``                               1       ``8 n``
A2B (Kogge-Stone)    ``368 n``                                   7       ``224 + 96 n``
carry into bit 63    ``78 n + 2 B(2n, 1)``                       7       ``224 + 23 n + B(n,4) + B(n,1)``
DReLU                ``78 n + 2 ceil(n/4) + 2 ceil(n/8)``        8       ``31 n + ceil(n/2) + ceil(n/8)``
===================  ==========================================  ======  ===============================

(``B(2n, 2) = B(n, 4) = ceil(n/2)``, ``B(4n, 2) = n``.)  With full shares instead of seeds (``prg_seeds=False``)
an AND triple costs ``6 B(n, w)``, a private triple ``32 n``, a bit pair
``2 B(n, 1) + 16 n`` offline, and DReLU ``138 n + 6 ceil(n/2) + 8 ceil(n/8)``.
"""
from dataclasses import dataclass

from .words import packed_nbytes as B

SEEDS = 0  # the dealer's keys are agreed once per session: nothing per deal


@dataclass(frozen=True)
class Cost:
    bytes: int
    rounds: int
    offline_bytes: int

    def __add__(self, other):
        return Cost(self.bytes + other.bytes, self.rounds + other.rounds,
                    self.offline_bytes + other.offline_bytes)


def and_cost(n, width=64, prg_seeds=True):
    """One batched AND of ``n`` XOR-shared values of ``width`` bits."""
    return Cost(2 * B(2 * n, width), 1, SEEDS + B(n, width) if prg_seeds else 6 * B(n, width))


def private_and_cost(n, prg_seeds=True):
    """The AND of holder 0's word with holder 1's word, ``n`` 64-bit words."""
    return Cost(16 * n, 1, SEEDS + 8 * n if prg_seeds else 32 * n)


def b2a_bit_cost(n, prg_seeds=True):
    """XOR-shared bits to additive shares with bit pairs."""
    return Cost(2 * B(n, 1), 1, SEEDS + 8 * n if prg_seeds else 2 * B(n, 1) + 16 * n)


def a2b_cost(n, prg_seeds=True):
    """Kogge-Stone arithmetic-to-binary conversion of ``n`` 64-bit elements."""
    total = private_and_cost(n, prg_seeds)
    for _ in range(5):
        total += and_cost(2 * n, 64, prg_seeds)
    return total + and_cost(n, 64, prg_seeds)


def carry_cost(n, prg_seeds=True):
    """The carry tree for the carry into bit 63."""
    total = private_and_cost(n, prg_seeds)
    for half in (32, 16, 8, 4, 2):
        total += and_cost(2 * n, half, prg_seeds)
    return total + and_cost(n, 1, prg_seeds)


def drelu_cost(n, prg_seeds=True):
    """:func:`smpc.binary.drelu.drelu_bits` on ``n`` elements."""
    return carry_cost(n, prg_seeds) + b2a_bit_cost(n, prg_seeds)
