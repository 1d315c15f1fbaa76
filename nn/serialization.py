"""Saving and loading models: plain parameters, or one file of shares per party.

* :func:`save` / :func:`load` -- a float model's parameters in one ``.npz`` file.
* :func:`save_shares` / :func:`load_shares` -- a shared model as one ``.npz``
  file per party, ``<stem>.<party>.npz``, each holding only that party's shares
  plus metadata (party, position, all holders, encoder, parameter shapes).  A
  load checks the metadata against the parties, the encoder and the model and
  refuses a wrong party, shape or encoding with a clear error.

Every file is written to a temporary name and moved into place with
``os.replace``, so a crash never leaves a half-written file under the real name.
"""
import json
import os
import tempfile
import uuid
import zipfile

import numpy as np

import smpc
from smpc.rows import played_rows
from autograd import values as V
from .checkpoint_checks import reading_npz

FORMAT = "smpc-train shares v1"


def atomic_savez(path, **arrays):
    """``np.savez`` to ``path`` through a temporary file in the same directory."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def save(model, path):
    """Save a float model's parameters to ``path`` (.npz)."""
    arrays = {}
    for name, p in model.named_parameters():
        if not V.is_float(p.value):
            raise TypeError(f"save() writes float parameters; {name!r} is {V.kind(p.value)}. "
                            "Use save_shares() for a shared model, or get().float_precision() first")
        arrays[name] = p.value
    atomic_savez(path, **arrays)


def load(model, path):
    """Load float parameters saved by :func:`save` into ``model`` (names and shapes checked)."""
    with _open_npz(path) as data, reading_npz(path):
        if "__meta__" in data.files:
            raise ValueError(f"{path} holds one party's shares; load it with load_shares()")
        arrays = {name: data[name] for name in data.files}
    model.load_state_dict(arrays)
    return model


def _open_npz(path):
    """``np.load`` of an .npz file, with a clear error for anything else."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path}")
    try:
        data = np.load(path)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:  # pickles are refused, garbage is unreadable
        raise ValueError(f"{path} is not a NumPy .npz file: {error}") from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} is a single .npy array, not an .npz file of parameters")
    return data


def share_file(stem, party_name):
    """The file of ``party_name``'s shares for checkpoint ``stem``."""
    return f"{stem}.{party_name}.npz"


def _metadata(name, holders, encoder, shapes, save_id, extra=None):
    return json.dumps({"format": FORMAT, "party": name, "holders": [h.name for h in holders],
                       "encoder": [encoder.base, encoder.precision], "shapes": shapes,
                       "save_id": save_id, "extra": extra or {}})


def save_share_arrays(stem, values, extra=None, save_id=None):
    """Write ``{name: SharedTensor}`` as one file per holder played here; return the file names.

    In a run with the parties in separate processes each holder's process writes its own
    file, holding only its own shares; ``save_id`` (the same in every process) ties the
    files of one save together.
    """
    first = next(iter(values.values()))
    holders, encoder = first.holders, first.encoder
    for name, v in values.items():
        if v.holders != holders or v.encoder != encoder:
            raise ValueError(f"{name!r} is shared among {[h.name for h in v.holders]} with "
                             f"{v.encoder}, unlike the others; one file per party needs one sharing")
    shapes = {name: list(v.shape) for name, v in values.items()}
    # One id for all the files of this save, so a load can tell a file from another save
    # (say, one party's file rewritten by a later save that crashed before the other's).
    # It comes from the OS, not from the seeded source, so saving draws no simulation randomness.
    save_id = save_id or uuid.uuid4().hex
    files = []
    for row, j in enumerate(played_rows(holders)):
        holder = holders[j]
        arrays = {name: v.shares[row] for name, v in values.items()}
        arrays["__meta__"] = np.array(_metadata(holder.name, holders, encoder, shapes, save_id, extra))
        atomic_savez(share_file(stem, holder.name), **arrays)
        files.append(share_file(stem, holder.name))
    return files


def load_share_arrays(stem, workers, crypto_provider, encoder=None, expected_shapes=None):
    """Read the files written by :func:`save_share_arrays`, checking every fact they state."""
    encoder = encoder or smpc.DEFAULT_ENCODER
    names = [w.name for w in workers]
    per_party, extra, save_id = [], None, None
    rows = played_rows(tuple(workers))
    for j, worker in enumerate(workers):
        if j not in rows:
            continue
        path = share_file(stem, worker.name)
        if not os.path.exists(path):
            raise FileNotFoundError(f"no share file for {worker.name} at {path}")
        with _open_npz(path) as data, reading_npz(path):
            if "__meta__" not in data.files:
                raise ValueError(f"{path} is not a share file (no metadata); a float model's "
                                 "parameters load with load()")
            meta = json.loads(str(data["__meta__"]))
            if meta.get("format") != FORMAT:
                raise ValueError(f"{path} is not a share file of this project ({meta.get('format')!r})")
            if meta["party"] != worker.name or meta["holders"] != names:
                raise ValueError(f"{path} holds the shares of {meta['party']!r} among {meta['holders']}, "
                                 f"but it was loaded for {worker.name!r} among {names}")
            if meta["encoder"] != [encoder.base, encoder.precision]:
                raise ValueError(f"{path} was saved with encoder base {meta['encoder'][0]}, precision "
                                 f"{meta['encoder'][1]}, but {encoder} was asked for")
            if expected_shapes is not None:
                for name, shape in expected_shapes.items():
                    if meta["shapes"].get(name) != list(shape):
                        raise ValueError(f"{path}: parameter {name!r} has shape "
                                         f"{meta['shapes'].get(name)}, the model expects {list(shape)}")
            if save_id is not None and meta["save_id"] != save_id:
                raise ValueError(f"{path} comes from a different save than the files of "
                                 f"{names[:j]}; the shares would not add up to the secret")
            save_id = meta["save_id"]
            per_party.append({n: data[n] for n in data.files if n != "__meta__"})
            extra = meta["extra"]
    if not per_party:   # a process that holds no shares: only the shapes flow
        values = {name: smpc.SharedTensor(np.empty((0,) + tuple(shape), np.int64), tuple(workers),
                                          crypto_provider, encoder)
                  for name, shape in (expected_shapes or {}).items()}
        return values, {}
    values = {name: smpc.SharedTensor(np.stack([p[name] for p in per_party]), tuple(workers),
                                      crypto_provider, encoder) for name in per_party[0]}
    return values, extra


def save_shares(model, stem):
    """Save a shared model: one file per party with only that party's shares."""
    values = dict(model.state_dict())
    for name, value in values.items():
        if not V.is_shared(value):
            raise TypeError(f"save_shares() needs a shared model; {name!r} is {V.kind(value)}")
    return save_share_arrays(stem, values)


def load_shares(model, stem, workers, crypto_provider, encoder=None):
    """Load a shared model saved by :func:`save_shares` into ``model`` (in place)."""
    shapes = {name: p.shape for name, p in model.named_parameters()}
    values, _ = load_share_arrays(stem, workers, crypto_provider, encoder, shapes)
    model.load_state_dict(values)
    for p in model.parameters():
        p.requires_grad = True
    return model
