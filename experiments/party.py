"""``smpc-party NAME --config FILE --key FILE``: play one party of a run across machines.

NAME is alice, bob or crypto_provider; the model owner runs ``smpc-train --config FILE
--key me.key``.  Every party is started with the same run options (``--epochs``,
``--seed``, ...: those of ``smpc-train``); the model owner sends its options at the start
and a party started with different ones refuses, naming each.  What a party does is
described in :mod:`experiments.deployment`.
"""
import argparse
import sys

from .cli_errors import clean_errors
from .deployment import OWNER, PARTY_NAMES, run_party, save_result


def _check_deployment(parser, args, name):
    if args.config is None:
        parser.error(f"{name} needs --config FILE (the parties' configuration file)")
    if args.key is None and args.transport != "plain":
        parser.error(f"{name} needs --key FILE, its secret key (made by smpc-keygen {name})")
    if args.modes != ["encrypted"]:
        parser.error("a run across machines is the encrypted mode only; drop --mode")
    if args.resume and args.checkpoint_dir and args.resume != args.checkpoint_dir:
        parser.error("--resume DIR continues writing into DIR: drop --checkpoint-dir")
    if (args.checkpoint_dir or args.resume) and args.checkpoint_every is None:
        args.checkpoint_every = 1
    return args


def parse_args(argv=None):
    from .train_mnist import parse_args as run_options

    parser = argparse.ArgumentParser(
        prog="smpc-party",
        description="Play one party (alice, bob or crypto_provider) of a run across machines: "
                    "smpc-party NAME --config FILE --key FILE [run options].",
        epilog="Every other option is a run option of smpc-train (see smpc-train --help); "
               "give each party the same ones.")
    parser.add_argument("name", choices=PARTY_NAMES, help="the party this process plays")
    known, rest = parser.parse_known_args(argv)
    args = run_options(rest)
    args.name = known.name
    return _check_deployment(parser, args, known.name)


def main(argv=None):
    args = parse_args(argv)
    with clean_errors("smpc-party"):
        run_party(args, args.name)
    return 0


def main_model_owner(args):
    """``smpc-train --config FILE``: the model owner's process of a run across machines."""
    _check_deployment(argparse.ArgumentParser(prog="smpc-train"), args, OWNER)
    losses, accuracies, model = run_party(args, OWNER)
    print(f"Trained across machines: {len(losses)} steps, final loss {losses[-1]:.6f}, "
          f"test accuracy {100 * accuracies[-1]:.1f}%" if losses else "Nothing left to train")
    if args.save_result:
        save_result(args.save_result, losses, accuracies, model)
        print(f"Result saved to {args.save_result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
