"""The three message patterns of SecureNN, each one round, all through the network.

* :func:`to_helper` -- both holders send the helper P2 (the crypto provider) a masked
  value, in parallel.  The helper computes only on what it received.
* :func:`from_helper` -- P2 sends each holder its share of something.  ``phase="offline"``
  for randomness that does not depend on the data (it could be dealt in advance),
  ``"online"`` when P2 shares a value it computed from the holders' messages.
* :func:`exchange` -- the holders swap their shares (an opening between them).

Values the holders draw *in common* (the mask r of ShareConvert, the coins beta and
eta'', the multipliers s_i and the permutation of PrivateCompare) cost no messages: the
holders expand them from a PRG key agreed once at set-up, as :func:`smpc.sharing.
fresh_zero_shares` does.  In this one-process simulation they are simply drawn from the
single seedable source.
"""
import numpy as np


def to_helper(stacked, holders, helper):
    """Holder j sends ``stacked[j]`` to the helper; returns what the helper received."""
    network = helper.network
    with network.round():
        return [network.send(holder, helper, part) for holder, part in zip(holders, stacked)]


def from_helper(helper, stacked, holders, phase="online"):
    """The helper sends holder j its share ``stacked[j]``; returns the stacked shares received."""
    network = helper.network
    stacked = np.asarray(stacked)
    with network.round():
        for holder, part in zip(holders, stacked):
            network.send(helper, holder, part, phase=phase)
    return stacked  # holder j's part is stacked[j]: no copy


def exchange(stacked, holders):
    """Each holder sends its share to the other (one round); returns the stacked shares."""
    network = holders[0].network
    with network.round():
        for sender, part in zip(holders, stacked):
            for receiver in holders:
                network.send(sender, receiver, part)
    return stacked
