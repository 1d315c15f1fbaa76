"""Make a party's CURVE key pair: ``smpc-keygen NAME [--out DIR] [--force]``.

Writes ``DIR/NAME.key`` (the secret key, mode 0600: it stays on NAME's machine) and
``DIR/NAME.pub`` (the public key), and prints the line to put in NAME's section of
the configuration file that every party shares::

    smpc-keygen alice --out keys/
"""
import argparse
import os
import sys

from smpc.transport.keys import check_party_name, write_key_pair


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="smpc-keygen", description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="the party's name, as in the configuration (alice, bob, ...)")
    parser.add_argument("--out", default=".", metavar="DIR", help="directory for the key files")
    parser.add_argument("--force", action="store_true", help="replace an existing key pair")
    args = parser.parse_args(argv)
    try:
        check_party_name(args.name)
    except ValueError as err:
        parser.error(str(err))
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        os.makedirs(args.out, exist_ok=True)
        secret_path, public_path, public_key = write_key_pair(args.name, args.out, args.force)
    except (OSError, ValueError) as err:  # FileExistsError, a missing or read-only directory
        print(f"smpc-keygen: error: {err}", file=sys.stderr)
        return 1
    print(f"secret key: {secret_path} (mode 0600; keep it on {args.name}'s machine only)")
    print(f"public key: {public_path}")
    print(f"for the [{args.name}] section of the configuration file:")
    print(f"public_key = {public_key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
