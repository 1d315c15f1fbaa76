"""The command line's contract with its user: every option checked before any work,
and every error shown as its message alone, with a non-zero exit.

* :func:`check_options` -- run right after argparse, before any data is read or any
  party is made: finite learning rate and momentum that survive the fixed-point
  encoding of the shared modes, a seed NumPy accepts, an encoding with fractional
  digits, a ``--plot`` file that can be written (its directory exists), a
  ``--data-dir`` that exists (it is never created) and fits the data set, no mode
  named twice.  A bad option exits through ``parser.error``: usage, message, exit 2.
* :func:`clean_errors` -- wraps the command's work.  An error it raises (a damaged or
  missing data file, a bad setting met later) is printed as ``smpc-train: error:
  <message>`` on stderr and the command exits with status 1; Ctrl-C exits with 130.
  No traceback: set ``SMPC_TRACEBACK=1`` to see one when debugging.
"""
import math
import os
import sys
from contextlib import contextmanager

import smpc

SHARED_MODES = ("encrypted",)   # modes whose optimiser hyper-parameters are fixed-point numbers
PLOT_FORMATS = ("png", "pdf", "svg", "svgz", "jpg", "jpeg", "eps", "ps", "tif", "tiff", "webp")
MAX_SEED = 2 ** 32 - 1


def _check_hyper_parameter(parser, option, value, encoder, modes):
    if not math.isfinite(value):
        parser.error(f"{option} {value}: must be a finite number")
    if value == 0 or not set(modes) & set(SHARED_MODES):
        return
    try:
        encoded = encoder.encode(value)
    except smpc.FixedPointRangeError:
        parser.error(f"{option} {value}: outside the fixed-point range [-{encoder.max_value:g}, "
                     f"{encoder.max_value:g}] of --precision {_setting(encoder)} used on shares")
    if encoded == 0:
        parser.error(f"{option} {value}: rounds to 0 with --precision {_setting(encoder)} (smallest "
                     f"step {encoder.ulp:g}); use a larger value or more fractional digits")


def _setting(encoder):
    return str(encoder.precision) if encoder.base == 2 else f"{encoder.base}:{encoder.precision}"


def _check_plot(parser, path):
    if os.path.isdir(path):
        parser.error(f"--plot {path!r} is a directory; give a file name such as {path}/curves.png")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        parser.error(f"--plot {path!r}: the directory {directory} does not exist; create it first")
    if not os.access(directory, os.W_OK):
        parser.error(f"--plot {path!r}: the directory {directory} is not writable")
    suffix = os.path.splitext(path)[1].lstrip(".").lower()
    if suffix and suffix not in PLOT_FORMATS:
        parser.error(f"--plot {path!r}: unknown image format {suffix!r}; use one of "
                     f"{', '.join(PLOT_FORMATS)}")
    try:
        import matplotlib  # noqa: F401  (the plot is drawn at the end: fail now, not then)
    except ImportError:
        parser.error("--plot needs matplotlib: pip install matplotlib")


def check_options(parser, args):
    """Refuse every bad option before any work starts (exits through ``parser.error``)."""
    if len(set(args.modes)) != len(args.modes):
        parser.error(f"--mode {args.mode!r} names a mode twice")
    if args.encoder.precision == 0:
        parser.error(f"--precision {args.precision!r}: fixed point needs at least one fractional "
                     "bit or digit (16 is the default, 10:3 the reference's)")
    _check_hyper_parameter(parser, "--lr", args.lr, args.encoder, args.modes)
    _check_hyper_parameter(parser, "--momentum", args.momentum, args.encoder, args.modes)
    if not 0 <= args.seed <= MAX_SEED:
        parser.error(f"--seed {args.seed}: must be a whole number from 0 to {MAX_SEED}")
    if args.plot is not None:
        _check_plot(parser, args.plot)
    if args.data_dir is not None:
        if args.dataset == "sample":
            parser.error("--data-dir applies to --dataset mnist or fashion-mnist; the sample is "
                         "part of the package")
        if not os.path.isdir(args.data_dir):
            what = "is not a directory" if os.path.exists(args.data_dir) else "does not exist"
            parser.error(f"--data-dir {args.data_dir!r} {what}; give the directory that holds "
                         "the four .gz files (it is not created)")
    return args


@contextmanager
def clean_errors(prog):
    """Show an error raised inside the block as ``prog: error: message`` and exit non-zero."""
    try:
        yield
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as error:  # noqa: BLE001 - the user gets the message, not a traceback
        if os.environ.get("SMPC_TRACEBACK"):
            raise
        print(f"{prog}: error: {describe(error)}", file=sys.stderr)
        raise SystemExit(1) from None


def describe(error):
    """The message of an error, with its kind where the message alone would be cryptic."""
    message = str(error) or type(error).__name__
    if type(error).__name__ == "DatasetNotFoundError":
        message += ("\nOn the command line: --data-dir DIR takes the files from DIR alone; without "
                    "--data-dir and --offline, missing files are downloaded.")
    if isinstance(error, (ValueError, OSError, TypeError, RuntimeError)):
        return message
    return (f"{type(error).__name__}: {message} (an internal error; rerun with SMPC_TRACEBACK=1 "
            "and report the traceback)")
