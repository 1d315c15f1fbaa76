"""The three message patterns of SecureNN, each one round, all through the network.

* :func:`to_helper` -- both holders send the helper P2 (the crypto provider) a masked
  value, in parallel.  The helper computes only on what it received.
* :func:`from_helper` -- P2 sends each holder its share of something it computed in its
  own block of the protocol.  ``phase="offline"`` for randomness that does not depend on
  the data (it could be dealt in advance), ``"online"`` when P2 shares a value it
  computed from the holders' messages.
* :func:`exchange` -- the holders swap their shares (an opening between them).

Values the holders draw *in common* (the mask r of ShareConvert, the coins beta and
eta'', the multipliers s_i and the rotations of PrivateCompare) cost no messages: the
holders expand them from their common key (``network.randomness.common(holders)``),
which the helper never holds.
"""
import numpy as np

from ..rows import played_rows
from ..sharing import exchange_among


def to_helper(rows, holders, helper):
    """Holder j sends its row to the helper (one round).

    Returns the list of what the helper received, one array per holder, in the helper's
    process; None elsewhere.
    """
    network = helper.network
    played = played_rows(holders)
    received = []
    with network.round():
        for j, holder in enumerate(holders):
            got = network.send(holder, helper, rows[played.index(j)] if j in played else None)
            received.append(got)
    return received if network.plays(helper) else None


def from_helper(helper, stacked, holders, shape, dtype, phase="online"):
    """The helper sends holder j its share ``stacked[j]`` (one round).

    ``stacked`` (one row per holder) is read only in the helper's process; elsewhere
    pass None.  Returns the rows of the holders played here, each what that holder
    received, with data shape ``shape``.
    """
    network = helper.network
    played = played_rows(holders)
    if network.is_simulation:  # every holder receives its own row: no copy
        with network.round():
            for j, holder in enumerate(holders):
                network.send(helper, holder, stacked[j], phase=phase)
        return stacked
    out = np.empty((len(played),) + tuple(shape), dtype=dtype)
    with network.round():
        for j, holder in enumerate(holders):
            got = network.send(helper, holder, None if stacked is None else stacked[j],
                               phase=phase)
            if j in played:
                out[played.index(j)] = got
    return out


def exchange(rows, holders):
    """Each holder sends its share to the other (one round); returns every holder's piece."""
    return exchange_among(rows, holders, protocol=holders[0].network.current_protocol)
