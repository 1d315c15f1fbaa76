"""CURVE key pairs: make them, write them to files, read them back, check them.

Each party has one key pair (Curve25519, as ZeroMQ's CURVE mechanism uses it),
written by ``smpc-keygen NAME``:

* ``NAME.key``, the **secret** key, created with mode 0600 and read only on that
  party's machine (a key file that others can read is refused, as ssh does);
* ``NAME.pub``, the public key, whose line goes into the shared configuration file.

Keys travel as Z85 text (40 characters for 32 bytes).  The public key is derived
from the secret key (:func:`public_key_of`), so a configuration that lists another
public key for this party than its secret key's is caught before any connection.
"""
import dataclasses
import os
import re
import stat

import zmq
import zmq.utils.z85

from .errors import KeyFileError

PARTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}\Z")
Z85_KEY = re.compile(r"[0-9A-Za-z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}\Z")
SECRET_FIELD = "secret_key"
PUBLIC_FIELD = "public_key"


def check_party_name(name):
    """A party name: a letter or underscore, then letters, digits, '_' or '-' (64 at most)."""
    if not isinstance(name, str) or not PARTY_NAME.match(name):
        raise ValueError(f"{name!r} is not a party name: use a letter or '_' followed by "
                         "letters, digits, '_' or '-' (for example alice, crypto_provider)")
    return name


def check_key(text, what="key"):
    """Return ``text`` if it is a Z85-encoded 32-byte CURVE key, else raise ValueError."""
    if isinstance(text, bytes):
        text = text.decode("ascii", errors="replace")
    if not isinstance(text, str) or not Z85_KEY.match(text):
        shown = text if isinstance(text, str) and len(text) <= 60 else f"{str(text)[:20]}..."
        raise ValueError(f"{what}: {shown!r} is not a CURVE key (40 characters of Z85 text, "
                         "as smpc-keygen writes them)")
    return text


def make_key_pair():
    """A fresh CURVE key pair ``(public_key, secret_key)`` as Z85 text."""
    public, secret = zmq.curve_keypair()
    return public.decode("ascii"), secret.decode("ascii")


def public_key_of(secret_key):
    """The public key that belongs to ``secret_key`` (Z85 text in, Z85 text out)."""
    return zmq.curve_public(check_key(secret_key, "secret key").encode("ascii")).decode("ascii")


def key_paths(name, directory="."):
    """``(DIR/NAME.key, DIR/NAME.pub)``."""
    check_party_name(name)
    return os.path.join(directory, f"{name}.key"), os.path.join(directory, f"{name}.pub")


def write_key_pair(name, directory=".", overwrite=False):
    """Make a key pair for party ``name``; write ``NAME.key`` (mode 0600) and ``NAME.pub``.

    Returns ``(secret_path, public_path, public_key)``.  Existing files are kept
    (``FileExistsError``) unless ``overwrite``: a replaced key locks the party out
    until every copy of the configuration lists the new public key.
    """
    secret_path, public_path = key_paths(name, directory)
    if not overwrite:
        for path in (secret_path, public_path):
            if os.path.exists(path):
                raise FileExistsError(f"{path} already exists: keep it, or pass --force to "
                                      "replace the key pair (then update the configuration)")
    public, secret = make_key_pair()
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | (0 if overwrite else os.O_EXCL)
    descriptor = os.open(secret_path, flags, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        os.chmod(secret_path, 0o600)  # also when overwriting a file with looser permissions
        out.write(f"# CURVE secret key of party {name!r}, made by smpc-keygen.\n"
                  f"# Keep it on {name}'s machine only: never copy it into the configuration\n"
                  "# file, never send it anywhere.\n"
                  f"{SECRET_FIELD} = {secret}\n")
    with open(public_path, "w", encoding="ascii") as out:
        out.write(f"# CURVE public key of party {name!r}: copy the next line into the\n"
                  f"# [{name}] section of the configuration file every party uses.\n"
                  f"{PUBLIC_FIELD} = {public}\n")
    return secret_path, public_path, public


def _read_key_line(path, field):
    try:
        with open(path, encoding="ascii") as source:
            lines = source.read().splitlines()
    except FileNotFoundError:
        raise KeyFileError(f"no key file {path}: make one with smpc-keygen") from None
    except (OSError, UnicodeDecodeError) as err:
        raise KeyFileError(f"cannot read the key file {path}: {err}") from None
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        key, _, value = text.partition("=")
        if key.strip() != field:
            raise KeyFileError(f"{path} line {number}: expected '{field} = ...', found "
                               f"{key.strip()!r}: is this the right file?")
        try:
            return check_key(value.strip(), f"{path} line {number}: {field}")
        except ValueError as err:
            raise KeyFileError(str(err)) from None
    raise KeyFileError(f"{path} holds no '{field} = ...' line")


def read_secret_key(path):
    """The secret key in ``path``, refused if the file is readable by anyone but its owner."""
    if os.name == "posix" and os.path.exists(path):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            raise KeyFileError(f"{path} is readable by others (mode {mode:04o}): a secret key "
                               f"must be private; run: chmod 600 {path}")
    return _read_key_line(path, SECRET_FIELD)


def read_public_key(path):
    """The public key in ``path`` (a ``NAME.pub`` file)."""
    return _read_key_line(path, PUBLIC_FIELD)


@dataclasses.dataclass(frozen=True)
class KeySet:
    """What a party needs for CURVE: its own secret key and every party's public key.

    ``public_keys`` maps party names to Z85 public keys (the configuration's); it may
    list this party too, and then it must match ``secret_key``.
    """

    secret_key: str
    public_keys: dict

    def __post_init__(self):
        check_key(self.secret_key, "secret key")
        for name, key in self.public_keys.items():
            check_key(key, f"public key of {name}")

    @classmethod
    def load(cls, secret_key_path, public_keys):
        """Read the secret key from ``NAME.key``; ``public_keys`` from the configuration."""
        return cls(read_secret_key(secret_key_path), dict(public_keys))

    @property
    def public_key(self):
        """This party's own public key (derived from its secret key)."""
        return public_key_of(self.secret_key)

    def check_for(self, me, peers):
        """Refuse a key set that cannot work for party ``me`` talking to ``peers``."""
        missing = [name for name in peers if name not in self.public_keys]
        if missing:
            raise ValueError(f"no public key for {', '.join(missing)}: the configuration must "
                             "list every party's public key")
        own = self.public_key
        listed = self.public_keys.get(me)
        if listed == self.secret_key:
            raise ValueError(f"the public key listed for {me} is {me}'s SECRET key: put the "
                             f"line of {me}.pub in the configuration, and make a new key pair "
                             "(the secret has been exposed)")
        if listed is not None and listed != own:
            raise ValueError(f"the configuration lists public key {listed} for {me}, but this "
                             f"secret key belongs to {own}: a wrong {me}.key, or a configuration "
                             "with an old key")
        for name in peers:
            if self.public_keys[name] == own:
                raise ValueError(f"{name} is listed with {me}'s own public key: each party "
                                 "needs its own key pair (smpc-keygen NAME)")
