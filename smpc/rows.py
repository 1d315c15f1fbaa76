"""The rows of a share array, and the steps that depend on which party a row belongs to.

One program runs in every process; a process *plays* some of the parties.  A share array
holds, along its leading axis, one row for each holder **this process plays**, in the
order of the holders:

* in the simulation (one process playing everybody) all rows, so a local step of every
  holder is one NumPy call;
* in alice's process only alice's row, in bob's only bob's;
* in the crypto provider's or the model owner's process no row at all: the arrays have
  shape ``(0, ...)``, NumPy computes on them for free, and the same program runs there
  with the shapes flowing through it.

A protocol therefore never writes ``shares[0]`` for "holder 0's share": in bob's process
row 0 is bob's.  It uses the vocabulary below, which reads like the papers' lines:

* :func:`add_public` -- "party 0 adds the public constant c";
* :func:`per_holder` -- a constant that differs per holder (``j`` in ``p + j``, the
  sign ``(-1)^j``), as an array aligned with the rows played;
* :func:`row_holders` -- the holder indices of the rows, for the rare step written per
  holder (SecureML's truncation floors at party 0 and ceils at party 1).
"""
import numpy as np


def played_rows(holders):
    """The indices ``j`` (into ``holders``) of the holders this process plays, in order."""
    return holders[0].network.rows(holders)


row_holders = played_rows


def row_count(holders):
    """How many rows a share array among ``holders`` has in this process."""
    return len(played_rows(holders))


def rows_of(full_stack, holders):
    """Keep the rows of the holders played here from an array with one row per holder."""
    rows = played_rows(holders)
    if len(rows) == len(holders):
        return full_stack
    return full_stack[list(rows)]


def add_public(shares, holders, value, sign=1):
    """Shares of ``x + sign * value`` for a public ``value``: holder 0 alone adds it.

    Returns a new array (broadcast to the combined shape); the other rows are copied.
    """
    value = np.asarray(value)
    shape = np.broadcast_shapes(shares.shape[1:], value.shape)
    out = np.broadcast_to(shares, shares.shape[:1] + shape).copy()
    rows = played_rows(holders)
    if rows and rows[0] == 0:
        with np.errstate(over="ignore"):  # ring arithmetic wraps on purpose
            if sign == 1:
                out[0] += value.astype(out.dtype, copy=False)
            else:
                out[0] -= value.astype(out.dtype, copy=False)
    return out


def add_public_in_place(shares, holders, value):
    """As :func:`add_public`, in place (``shares`` must already have the full shape)."""
    rows = played_rows(holders)
    if rows and rows[0] == 0:
        with np.errstate(over="ignore"):
            shares[0] += np.asarray(value).astype(shares.dtype, copy=False)
    return shares


def per_holder(holders, values, ndim=0, dtype=None):
    """The per-holder constants ``values[j]`` for the rows played, shaped to broadcast.

    ``ndim`` trailing 1-axes are added, so the result lines up with share arrays of
    ``ndim`` data dimensions: ``per_holder(holders, [P, P + 1], 2)`` has shape
    ``(rows, 1, 1)``.
    """
    rows = played_rows(holders)
    chosen = np.asarray([values[j] for j in rows], dtype=dtype)
    return chosen.reshape((len(rows),) + (1,) * ndim)


def empty_rows(holders, shape, dtype=np.int64):
    """An uninitialised share array of the given data shape, one row per played holder."""
    return np.empty((row_count(holders),) + tuple(shape), dtype=dtype)


def zero_rows(holders, shape, dtype=np.int64):
    """A share array of zeros, one row per played holder."""
    return np.zeros((row_count(holders),) + tuple(shape), dtype=dtype)
