"""Checkpoints: a shared model and its optimiser saved mid-training, and resumed exactly.

A long run on shares should survive a crash.  A checkpoint holds everything the next
step depends on, so a resumed run continues *bit for bit* like an uninterrupted one:

* the model's parameters and the optimiser's momentum buffers -- both are shares, so
  they go into one file per party holding only that party's shares
  (:func:`~nn.serialization.save_share_arrays`, with its party/shape/encoding checks);
* the public training state: step, epoch, batch index, hyper-parameters, the
  truncation method, anything the caller adds in ``extra`` (JSON);
* the state of every party's random streams.  Shares, triples and refreshes are drawn
  from them, so a resumed run must draw exactly what the uninterrupted run would have
  drawn.  Each party's streams (its own generator, the common keys and dealer keys it
  holds) go into the party's own file, written by the process that plays it: that state
  is as secret as its shares.  The process-wide generator (the model owner's initial
  weights) is saved beside them.

Layout of ``directory``::

    LATEST                    "ckpt-00000012": the checkpoint of record
    ckpt-00000012/
        shares.alice.npz      alice's shares of parameters and momentum buffers
        shares.bob.npz        bob's
        state.json            public training state
        rng.alice.json        alice's random streams (one file per party)
        rng.json              the process-wide generator's state

Crash safety.  A checkpoint is written into a fresh temporary directory, renamed to
``ckpt-<step>`` only once complete, and only then does ``LATEST`` move to it, by an
atomic ``os.replace``.  A crash at any point leaves ``LATEST`` naming the previous,
complete checkpoint; older checkpoints are pruned only after the pointer has moved.
One writer per directory is assumed.

Save between steps (after ``optimizer.step()``): gradients are not saved.
"""
import json
import numbers
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field

import smpc
from autograd import values as V
from .checkpoint_checks import check_run_settings, read_json, run_settings
from .serialization import load_share_arrays, save_share_arrays

FORMAT = "smpc-train checkpoint v1"
LATEST = "LATEST"
SHARES_STEM = "shares"  # -> shares.<party>.npz
_NAME = re.compile(r"^ckpt-(\d+)$")


@dataclass
class TrainingState:
    """Where a resumed run stands: what :func:`load_checkpoint` returns."""
    step: int
    epoch: int = 0
    batch: int = 0
    extra: dict = field(default_factory=dict)
    path: str = ""


def checkpoint_name(step):
    return f"ckpt-{step:08d}"


# -- writing --------------------------------------------------------------------------------

def _fsync_dir(path):
    # A rename is durable only once its directory is synced (POSIX; a no-op elsewhere).
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f)
        f.flush()
        os.fsync(f.fileno())


def _write_latest(directory, name):
    """Point ``LATEST`` at ``name`` atomically: readers see the old name or the new one."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-latest-")
    with os.fdopen(fd, "w") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, os.path.join(directory, LATEST))
    _fsync_dir(directory)


def _share_values(model, optimizer):
    """``{file key: SharedTensor}`` for the parameters and the existing momentum buffers."""
    values = {}
    for name, p in model.named_parameters():
        if not V.is_shared(p.value):
            raise TypeError(f"save_checkpoint() needs a shared model; {name!r} is {V.kind(p.value)}. "
                            "Save a float model with nn.save()")
        values[f"param.{name}"] = p.value
    for i, v in enumerate(optimizer.velocity):
        if v is not None:
            values[f"velocity.{i}"] = v
    return values


def save_checkpoint(directory, model, optimizer, *, step, epoch=0, batch=0, extra=None,
                    keep=1, rng=None):
    """Save a shared ``model`` and its SGD ``optimizer`` as checkpoint ``step`` in ``directory``.

    ``epoch``, ``batch`` and ``extra`` (JSON-serialisable) are public training state
    returned by :func:`load_checkpoint`.  ``keep`` checkpoints are kept, the newest.
    ``rng`` is the random source to record (default :data:`smpc.default_source`).
    Returns the checkpoint's directory.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1 (the new checkpoint), got {keep}")
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or not 0 <= step < 10 ** 8:
        raise ValueError(f"step must be a whole number from 0 to 99999999, got {step!r}")
    rng = rng or smpc.default_source
    values = _share_values(model, optimizer)
    network = next(iter(values.values())).network
    # The same in every process of the run; no simulation randomness is drawn for it.
    checkpoint_id = (uuid.uuid4().hex if network.is_simulation
                     else f"{network.session_id}-{int(step)}")
    state = {
        "format": FORMAT, "checkpoint": checkpoint_id,
        "step": int(step), "epoch": int(epoch), "batch": int(batch), "extra": extra or {},
        "parameters": [name for name, _ in model.named_parameters()],
        "optimizer": {"lr": optimizer.lr, "momentum": optimizer.momentum,
                      "weight_decay": optimizer.weight_decay,
                      "encoder": None if optimizer.encoder is None else
                      [optimizer.encoder.base, optimizer.encoder.precision],
                      "velocity": [v is not None for v in optimizer.velocity]},
        "settings": run_settings(model, optimizer),
    }
    os.makedirs(directory, exist_ok=True)
    name = checkpoint_name(step)
    final = os.path.join(directory, name)
    if os.path.exists(final) and _read_latest(directory) == name:
        raise FileExistsError(f"{final} is the latest checkpoint already; save under a new step")

    tmp = tempfile.mkdtemp(dir=directory, prefix=".tmp-ckpt-")
    try:
        save_share_arrays(os.path.join(tmp, SHARES_STEM), values, extra={"checkpoint": checkpoint_id},
                          save_id=checkpoint_id)
        for party, streams in _party_streams(network).items():
            _write_json(os.path.join(tmp, f"rng.{party}.json"), streams)
        _write_json(os.path.join(tmp, "rng.json"), rng.generator.bit_generator.state)
        _write_json(os.path.join(tmp, "state.json"), state)  # last: its presence means complete
        _fsync_dir(tmp)
        if os.path.exists(final):
            shutil.rmtree(final)  # left by a crash before LATEST moved: not of record
        os.rename(tmp, final)
        _fsync_dir(directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _write_latest(directory, name)
    _prune(directory, keep)
    return final


def _party_streams(network):
    """For every party played here, the states of the random streams it holds."""
    states = network.randomness.states()
    out = {}
    for name in network.parties:
        if network.plays_name(name):
            out[name] = {"master_seed": network.randomness.master_seed,
                         "streams": {label: state for label, state in states.items()
                                     if name in network.randomness.owners(label)}}
    return out


def _prune(directory, keep):
    """Remove all but the ``keep`` most recently written checkpoints, and temporary leftovers.

    "Recent" is by time written, not by step: after resuming from an older checkpoint,
    a higher-numbered one from the abandoned run is the stale one.
    """
    latest = _read_latest(directory)
    steps = sorted((os.path.getmtime(os.path.join(directory, entry)), int(m.group(1)), entry)
                   for entry in os.listdir(directory) if (m := _NAME.match(entry)))
    steps = [(step, entry) for _, step, entry in steps]
    old = [entry for _, entry in steps[:-keep] if entry != latest]
    stale = [entry for entry in os.listdir(directory) if entry.startswith(".tmp-")]
    for entry in old + stale:
        path = os.path.join(directory, entry)
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


# -- reading --------------------------------------------------------------------------------

def _read_latest(directory):
    path = os.path.join(directory, LATEST)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        name = f.read().strip()
    if not _NAME.match(name):  # never follow a pointer out of the directory
        raise ValueError(f"{path} names {name!r}, which is not a checkpoint")
    return name


def select_checkpoint(directory, name):
    """Make the complete checkpoint ``name`` of ``directory`` the one of record (``LATEST``):
    to resume from an earlier checkpoint than the last one written."""
    if not _NAME.match(name) or not os.path.exists(os.path.join(directory, name, "state.json")):
        raise FileNotFoundError(f"no complete checkpoint {name} in {directory}")
    _write_latest(directory, name)


def latest_checkpoint(directory):
    """The path of the checkpoint ``LATEST`` names, or None if there is none yet."""
    name = _read_latest(directory)
    return None if name is None else os.path.join(directory, name)


def load_checkpoint(directory, model, optimizer, workers, crypto_provider, encoder=None, rng=None):
    """Restore the latest checkpoint into ``model``, ``optimizer`` and ``rng`` (in place).

    ``workers`` and ``crypto_provider`` are the parties of the resumed run; each worker
    loads only its own file, checked for party, shapes and ``encoder`` (default
    :data:`smpc.DEFAULT_ENCODER`).  Everything is checked before anything changes.
    Returns a :class:`TrainingState`.
    """
    rng = rng or smpc.default_source
    path = latest_checkpoint(directory)
    if path is None:
        raise FileNotFoundError(f"no checkpoint in {directory} (no {LATEST} file)")
    state = read_json(os.path.join(path, "state.json"), "the checkpoint's training state")
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"{path} is not a checkpoint of this project "
                         f"({state.get('format') if isinstance(state, dict) else state!r})")
    rng_state = read_json(os.path.join(path, "rng.json"), "the random source's state")

    names = [name for name, _ in model.named_parameters()]
    if names != state["parameters"]:
        raise ValueError(f"{path} holds parameters {state['parameters']}, the model has {names}")
    saved = state["optimizer"]
    if len(saved["velocity"]) != len(optimizer.params):
        raise ValueError(f"{path} holds an optimiser over {len(saved['velocity'])} parameters, "
                         f"this one has {len(optimizer.params)}")
    network = crypto_provider.network
    party_streams = {}
    for name in network.parties:
        stream_file = os.path.join(path, f"rng.{name}.json")
        if network.plays_name(name) and os.path.exists(stream_file):
            with open(stream_file) as f:
                party_streams[name] = json.load(f)

    shapes = {f"param.{name}": p.shape for name, p in model.named_parameters()}
    shapes.update({f"velocity.{i}": p.shape for i, p in enumerate(optimizer.params)
                   if saved["velocity"][i]})
    values, extra = load_share_arrays(os.path.join(path, SHARES_STEM), workers, crypto_provider,
                                      encoder, expected_shapes=shapes)
    holds_shares = bool(network.rows(tuple(workers)))  # a process may play no holder
    if set(values) != set(shapes) or (holds_shares and extra.get("checkpoint") != state["checkpoint"]):
        raise ValueError(f"the share files in {path} do not belong to its state.json")
    check_run_settings(path, state.get("settings", {}), model, optimizer, crypto_provider, encoder)

    model.load_state_dict({name: values[f"param.{name}"] for name in names})
    for p in model.parameters():
        p.requires_grad = True
    optimizer.load_state_dict({
        "lr": saved["lr"], "momentum": saved["momentum"], "weight_decay": saved["weight_decay"],
        "velocity": [values.get(f"velocity.{i}") for i in range(len(optimizer.params))]})
    optimizer.encoder = None if saved["encoder"] is None else smpc.FixedPointEncoder(*saved["encoder"])
    rng.generator.bit_generator.state = rng_state
    for saved_streams in party_streams.values():
        network.randomness.restore(saved_streams["master_seed"], saved_streams["streams"])
    return TrainingState(state["step"], state["epoch"], state["batch"], state["extra"], path)


__all__ = ["save_checkpoint", "load_checkpoint", "latest_checkpoint", "select_checkpoint", "TrainingState",
           "checkpoint_name"]
