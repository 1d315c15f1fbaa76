"""What a checkpoint must agree on with the run that resumes it, and reading its files safely.

A resumed run reproduces the uninterrupted one bit for bit only if everything that
changes the computation is the same.  :func:`run_settings` records those settings
when a checkpoint is saved; :func:`check_run_settings` compares them on resume and
refuses the first difference with an error naming the setting and both values:

* ``truncation`` and ``comparison`` -- the protocols (:mod:`smpc.config`); another
  method draws other randomness and rounds differently;
* ``precision`` -- the fixed-point encoding of the shares;
* ``dealer`` -- whether the crypto provider deals PRG seeds or full shares (the two
  draw different random streams);
* ``lr``, ``momentum``, ``weight_decay`` and the optimiser's encoding -- the update.

:func:`read_json` and :func:`reading_npz` turn a damaged file (truncated, not JSON,
not a zip archive) into a ``ValueError`` that names the file and says what to do.
"""
import json
import zipfile
import zlib
from contextlib import contextmanager

import smpc

_FIX = "the checkpoint is damaged: resume from an earlier one, or start the run again"


def _encoding(encoder):
    return None if encoder is None else [encoder.base, encoder.precision]


def _describe(name, value):
    if name in ("precision", "optimiser encoding") and isinstance(value, list):
        base, digits = value
        return f"base {base} with {digits} {'bits' if base == 2 else 'digits'}"
    return repr(value)


def run_settings(model, optimizer, crypto_provider=None):
    """The settings of the current run that a checkpoint records (JSON-serialisable)."""
    first = next(iter(model.parameters())).value
    network = getattr(first, "network", None)
    session = network.settings if network is not None else smpc.config.settings
    settings = {
        "truncation": session.truncation,
        "comparison": session.comparison,
        "precision": _encoding(getattr(first, "encoder", None)),
        "lr": optimizer.lr, "momentum": optimizer.momentum,
        "weight_decay": optimizer.weight_decay,
        "optimiser encoding": _encoding(optimizer.encoder),
    }
    crypto_provider = crypto_provider or getattr(first, "crypto_provider", None)
    if crypto_provider is not None:
        settings["dealer"] = "prg seeds" if crypto_provider.prg_seeds else "full shares"
    return settings


def check_run_settings(path, saved, model, optimizer, crypto_provider, encoder):
    """Refuse a resume whose settings differ from the checkpoint's (before anything changes)."""
    current = run_settings(model, optimizer, crypto_provider)
    current["precision"] = _encoding(encoder or smpc.DEFAULT_ENCODER)  # what the shares load with
    for name, value in saved.items():
        if name in current and current[name] != value:
            raise ValueError(
                f"{path} was saved with {name} {_describe(name, value)} but this run uses "
                f"{_describe(name, current[name])}; a resume would not reproduce the run. "
                f"Resume with the saved {name}, or start a new run")


def read_json(path, what):
    """The JSON object in ``path``, or a ValueError naming the file."""
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} is missing ({what}); {_FIX}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} ({what}) is not valid JSON ({error}); {_FIX}") from None


@contextmanager
def reading_npz(path):
    """Turn errors of a damaged .npz archive, met while reading it, into a clear ValueError."""
    try:
        yield
    except (zipfile.BadZipFile, EOFError, zlib.error, KeyError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is damaged or truncated ({type(error).__name__}: {error}); "
                         "copy the file again from whoever wrote it, or use an earlier save") from None
