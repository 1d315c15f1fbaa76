"""The parties' configuration: one small file, the same on every machine.

It names each party's host, port and public key, and optionally the transport's
timing.  It never holds a private key (a file that does is refused: it is copied to
every machine).  The format is a small INI subset, parsed here so that every error
names the file, the line and the field::

    # parties.conf: the same file on every machine.  Comments on lines of their
    # own: never after a value (Z85 keys may hold '#').
    [settings]
    peer_timeout = 30
    heartbeat_interval = 1

    [alice]
    host = 10.0.0.2
    port = 5001
    public_key = <the 40 characters from alice.pub>

* A party section ``[NAME]`` needs ``host`` (a host name or IPv4 address), ``port``
  (1-65535) and ``public_key``; ``bind`` optionally gives the address to listen on when
  the host is not one of the machine's own (behind NAT: ``bind = 0.0.0.0``).
* ``[settings]`` (optional): ``peer_timeout`` (seconds a silent peer is waited for
  before the run stops with an error naming it; default 30), ``heartbeat_interval``
  (default 1), ``connect_timeout`` (seconds to wait for every peer at the start, or
  ``none`` to wait for ever; default none).
"""
import dataclasses
import os
import re

from .errors import ConfigError
from .keys import PARTY_NAME, PUBLIC_FIELD, check_key

PARTY_FIELDS = ("host", "port", PUBLIC_FIELD, "bind")
REQUIRED_PARTY_FIELDS = ("host", "port", PUBLIC_FIELD)
SETTINGS = {"peer_timeout": 30.0, "heartbeat_interval": 1.0, "connect_timeout": None}
SETTINGS_SECTION = "settings"
HOST = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,252}\Z")
SECTION = re.compile(r"\[\s*([^\]]*?)\s*\]\Z")
PRIVATE_WORDS = ("secret", "private")


@dataclasses.dataclass(frozen=True)
class PartyEntry:
    """One party's section: where it listens and its public key; ``line``: where it starts."""

    name: str
    host: str
    port: int
    public_key: str
    bind: str = None
    line: int = 0

    @property
    def endpoint(self):
        return f"tcp://{self.host}:{self.port}"

    @property
    def bind_endpoint(self):
        return f"tcp://{self.bind or self.host}:{self.port}"


@dataclasses.dataclass(frozen=True)
class PartiesConfig:
    """A parsed configuration: the parties in file order and the settings."""

    path: str
    parties: dict
    peer_timeout: float = SETTINGS["peer_timeout"]
    heartbeat_interval: float = SETTINGS["heartbeat_interval"]
    connect_timeout: float = SETTINGS["connect_timeout"]

    def endpoints(self):
        """Every party's address, ``{name: "tcp://host:port"}``, as ZmqTransport takes it."""
        return {name: entry.endpoint for name, entry in self.parties.items()}

    def public_keys(self):
        """Every party's public key, ``{name: z85}``, for a KeySet."""
        return {name: entry.public_key for name, entry in self.parties.items()}

    def transport(self, me, key_file=None, *, plaintext=False, log=None):
        """A :class:`~smpc.transport.ZmqTransport` for party ``me`` from this configuration.

        ``key_file``: ``me``'s secret key file (``NAME.key``), needed unless ``plaintext``.
        """
        from .keys import KeySet
        from .zmq_transport import ZmqTransport
        if me not in self.parties:
            raise ConfigError(f"{self.path} has no section [{me}]: the parties are "
                              f"{', '.join(self.parties)}")
        keys = None
        if not plaintext:
            if key_file is None:
                raise ValueError(f"CURVE needs {me}'s secret key file ({me}.key, made by "
                                 f"smpc-keygen {me})")
            keys = KeySet.load(key_file, self.public_keys())
        return ZmqTransport(me, self.endpoints(), keys=keys, plaintext=plaintext,
                            heartbeat_interval=self.heartbeat_interval,
                            peer_timeout=self.peer_timeout, log=log,
                            bind=self.parties[me].bind_endpoint)


def load_config(path, required=None):
    """Read and check the configuration file at ``path``; ``required``: party names it must have."""
    try:
        with open(path, encoding="utf-8") as source:
            text = source.read()
    except FileNotFoundError:
        raise ConfigError(f"no configuration file {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read the configuration file {path}: {err}") from None
    return parse_config(text, os.path.basename(path) if path else "config", required)


def _port(value, where):
    if not re.fullmatch(r"[0-9]{1,5}", value) or not 1 <= int(value) <= 65535:
        raise ConfigError(f"{where}: port: {value!r} is not a port number (1-65535)")
    return int(value)


def _host(value, where, field):
    if value.startswith("tcp://") or ":" in value or not HOST.match(value):
        raise ConfigError(f"{where}: {field}: {value!r} is not a host name or IPv4 address "
                          "(give the port on its own 'port = ...' line)")
    return value


def _seconds(value, where, field, allow_none=False):
    if allow_none and value.lower() == "none":
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        extra = " or 'none'" if allow_none else ""
        raise ConfigError(f"{where}: {field}: {value!r} is not a number of seconds above 0{extra}")
    return seconds


def parse_config(text, filename="config", required=None):
    """Parse the configuration ``text`` (see the module's docstring); errors name ``filename``."""
    sections = {}  # name -> (line, {field: (value, line)})
    current = None
    for number, raw in enumerate(text.splitlines(), 1):
        where = f"{filename} line {number}"
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "PRIVATE KEY" in line.upper():
            raise ConfigError(f"{where}: this looks like a private key: a configuration file "
                              "must never hold one (it is copied to every machine); list "
                              "public keys only")
        header = SECTION.match(line)
        if header:
            name = header.group(1)
            if name != SETTINGS_SECTION and not PARTY_NAME.match(name):
                raise ConfigError(f"{where}: [{name}] is not a party name: use a letter or '_' "
                                  "followed by letters, digits, '_' or '-'")
            if name in sections:
                raise ConfigError(f"{where}: [{name}] appears twice (first on line "
                                  f"{sections[name][0]})")
            sections[name] = (number, {})
            current = name
            continue
        if "=" not in line:
            raise ConfigError(f"{where}: expected 'field = value' or '[section]', found {line!r}")
        field, _, value = (part.strip() for part in line.partition("="))
        if any(word in field.lower() for word in PRIVATE_WORDS):
            raise ConfigError(f"{where}: {field}: a configuration file must never hold a private "
                              "key (it is copied to every machine): keep NAME.key on its own "
                              "machine and put the public key (the line of NAME.pub) here")
        if current is None:
            raise ConfigError(f"{where}: {field}: outside any section; start a party's section "
                              "with [name] (or [settings])")
        allowed = tuple(SETTINGS) if current == SETTINGS_SECTION else PARTY_FIELDS
        if field not in allowed:
            raise ConfigError(f"{where}: [{current}] has no field {field!r} (its fields: "
                              f"{', '.join(allowed)})")
        if not value:
            raise ConfigError(f"{where}: {field}: no value after '='")
        fields = sections[current][1]
        if field in fields:
            raise ConfigError(f"{where}: {field}: given twice in [{current}] (first on line "
                              f"{fields[field][1]})")
        fields[field] = (value, number)
    return _build(filename, sections, required)


def _build(filename, sections, required):
    settings = dict(SETTINGS)
    if SETTINGS_SECTION in sections:
        for field, (value, number) in sections.pop(SETTINGS_SECTION)[1].items():
            settings[field] = _seconds(value, f"{filename} line {number}", field,
                                       allow_none=field == "connect_timeout")
    if not settings["heartbeat_interval"] < settings["peer_timeout"]:
        raise ConfigError(f"{filename}: heartbeat_interval ({settings['heartbeat_interval']:g} s)"
                          f" must be below peer_timeout ({settings['peer_timeout']:g} s)")
    parties, addresses, keys = {}, {}, {}
    for name, (start, fields) in sections.items():
        for field in REQUIRED_PARTY_FIELDS:
            if field not in fields:
                raise ConfigError(f"{filename} line {start}: [{name}] has no {field} "
                                  f"(add '{field} = ...')")
        at = {field: f"{filename} line {number}" for field, (_, number) in fields.items()}
        value = {field: text for field, (text, _) in fields.items()}
        try:
            key = check_key(value[PUBLIC_FIELD], f"{at[PUBLIC_FIELD]}: {PUBLIC_FIELD}")
        except ValueError as err:
            raise ConfigError(str(err)) from None
        entry = PartyEntry(name=name, host=_host(value["host"], at["host"], "host"),
                           port=_port(value["port"], at["port"]), public_key=key,
                           bind=_host(value["bind"], at["bind"], "bind") if "bind" in value else None,
                           line=start)
        address = (entry.host, entry.port)
        if address in addresses:
            raise ConfigError(f"{at['port']}: port: [{name}] has the same address "
                              f"{entry.host}:{entry.port} as [{addresses[address]}]")
        if key in keys:
            raise ConfigError(f"{at[PUBLIC_FIELD]}: {PUBLIC_FIELD}: [{name}] has the same public "
                              f"key as [{keys[key]}]: each party needs its own key pair")
        addresses[address], keys[key] = name, name
        parties[name] = entry
    if len(parties) < 2:
        raise ConfigError(f"{filename}: names {len(parties)} part{'y' if len(parties) == 1 else 'ies'}"
                          "; a run needs at least two sections [name] with host, port and "
                          "public_key")
    missing = [name for name in (required or ()) if name not in parties]
    if missing:
        raise ConfigError(f"{filename}: no section for {', '.join(missing)}; the run needs "
                          f"{', '.join(required)}")
    return PartiesConfig(path=filename, parties=parties, **settings)
