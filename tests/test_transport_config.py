"""Keys (smpc-keygen, key files, KeySet) and the parties' configuration file."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from experiments import keygen
from smpc.transport import (ConfigError, KeyFileError, KeySet, load_config, make_key_pair,
                            parse_config, public_key_of, read_public_key, read_secret_key,
                            write_key_pair)

ROOT = Path(__file__).resolve().parent.parent
PAIRS = {name: make_key_pair() for name in ("alice", "bob", "crypto_provider", "me")}
PUBLIC = {name: public for name, (public, _) in PAIRS.items()}


def config_text(settings="", extra=""):
    lines = ["# parties.conf", settings]
    for index, name in enumerate(PAIRS):
        lines += [f"[{name}]", f"host = 127.0.0.{index + 2}", f"port = {5001 + index}",
                  f"public_key = {PUBLIC[name]}", ""]
    return "\n".join(lines) + extra


# -- keys -------------------------------------------------------------------------------------
def test_keygen_writes_a_private_secret_key_and_its_public_key(tmp_path, capsys):
    assert keygen.main(["alice", "--out", str(tmp_path / "keys")]) == 0
    secret_file, public_file = tmp_path / "keys" / "alice.key", tmp_path / "keys" / "alice.pub"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret, public = read_secret_key(secret_file), read_public_key(public_file)
    assert public_key_of(secret) == public
    printed = capsys.readouterr().out
    assert f"public_key = {public}" in printed and secret not in printed
    assert secret not in public_file.read_text()


def test_keygen_keeps_an_existing_pair_and_reports_errors_without_a_traceback(tmp_path):
    write_key_pair("bob", tmp_path)
    before = (tmp_path / "bob.key").read_text()
    command = [sys.executable, "-m", "experiments.keygen", "bob", "--out", str(tmp_path)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "bob.key already exists" in result.stderr and "--force" in result.stderr
    assert (tmp_path / "bob.key").read_text() == before
    assert keygen.main(["bob", "--out", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "bob.key").read_text() != before
    with pytest.raises(SystemExit):
        keygen.main(["not a name"])


def test_a_secret_key_file_readable_by_others_is_refused(tmp_path):
    secret_path, _, _ = write_key_pair("alice", tmp_path)
    os.chmod(secret_path, 0o644)
    with pytest.raises(KeyFileError, match=r"readable by others \(mode 0644\).*chmod 600"):
        read_secret_key(secret_path)


def test_malformed_key_files_are_refused(tmp_path):
    _, public_path, _ = write_key_pair("alice", tmp_path)
    os.chmod(public_path, 0o600)
    with pytest.raises(KeyFileError, match="expected 'secret_key = ...', found 'public_key'"):
        read_secret_key(public_path)
    bad = tmp_path / "bad.pub"
    bad.write_text("public_key = tooshort\n")
    with pytest.raises(KeyFileError, match="line 1: public_key: 'tooshort' is not a CURVE key"):
        read_public_key(bad)
    with pytest.raises(KeyFileError, match="no key file .*smpc-keygen"):
        read_public_key(tmp_path / "missing.pub")


def test_key_sets_that_cannot_work_are_refused():
    secret = PAIRS["alice"][1]
    with pytest.raises(ValueError, match="no public key for bob"):
        KeySet(secret, {"alice": PUBLIC["alice"]}).check_for("alice", ["bob"])
    with pytest.raises(ValueError, match="this secret key belongs to"):
        KeySet(secret, dict(PUBLIC, alice=PUBLIC["bob"])).check_for("alice", ["bob"])
    with pytest.raises(ValueError, match="SECRET key"):
        KeySet(secret, dict(PUBLIC, alice=secret)).check_for("alice", ["bob"])
    with pytest.raises(ValueError, match="is not a CURVE key"):
        KeySet("x" * 39, PUBLIC)


# -- configuration ----------------------------------------------------------------------------
def test_a_good_configuration_gives_endpoints_keys_and_settings(tmp_path):
    path = tmp_path / "parties.conf"
    path.write_text(config_text("[settings]\npeer_timeout = 12\nconnect_timeout = none\n"))
    config = load_config(path, required=("alice", "bob", "crypto_provider", "me"))
    assert config.endpoints() == {"alice": "tcp://127.0.0.2:5001", "bob": "tcp://127.0.0.3:5002",
                                  "crypto_provider": "tcp://127.0.0.4:5003",
                                  "me": "tcp://127.0.0.5:5004"}
    assert config.public_keys() == PUBLIC
    assert (config.peer_timeout, config.heartbeat_interval, config.connect_timeout) == (12, 1, None)
    assert config.parties["bob"].line == 11  # after the 3 settings lines
    assert load_config(path).peer_timeout == 12


MALFORMED = [
    # (what to change in the good text, expected line, expected words)
    (("port = 5002", "port = abc"), 10, r"port: 'abc' is not a port number \(1-65535\)"),
    (("port = 5002", "port = 70000"), 10, "port: '70000' is not a port number"),
    (("host = 127.0.0.3", "host = 127.0.0.3:5002"), 9, "host: '127.0.0.3:5002' is not a host"),
    (("host = 127.0.0.3", "hots = 127.0.0.3"), 9, r"\[bob\] has no field 'hots'"),
    (("host = 127.0.0.3\n", ""), 8, r"\[bob\] has no host \(add 'host = ...'\)"),
    (("port = 5002", "port 5002"), 10, "expected 'field = value' or '\\[section\\]'"),
    (("port = 5002", "port ="), 10, "port: no value after '='"),
    (("port = 5002", "port = 5002\nport = 5009"), 11, r"port: given twice in \[bob\] \(first on line 10\)"),
    (("[bob]", "[alice]"), 8, r"\[alice\] appears twice \(first on line 3\)"),
    (("[bob]", "[bob smith]"), 8, r"\[bob smith\] is not a party name"),
    (("# parties.conf", "host = 10.0.0.1"), 1, "host: outside any section"),
    (("public_key = " + PUBLIC["bob"], "public_key = abc"), 11, "public_key: 'abc' is not a CURVE key"),
    (("public_key = " + PUBLIC["bob"], "public_key = " + PUBLIC["alice"]), 11,
     r"public_key: \[bob\] has the same public key as \[alice\]"),
    (("port = 5002", "port = 5001\n"), 9, None),  # different hosts: allowed
]


@pytest.mark.parametrize("change, line, words", MALFORMED)
def test_a_malformed_configuration_is_refused_with_its_line_and_field(change, line, words):
    text = config_text()
    assert change[0] in text
    text = text.replace(change[0], change[1], 1)
    if words is None:
        parse_config(text, "parties.conf")
        return
    with pytest.raises(ConfigError, match=rf"^parties.conf line {line}: {words}"):
        parse_config(text, "parties.conf")


def test_configuration_errors_without_a_single_line():
    with pytest.raises(ConfigError, match=r"no section for crypto_provider; the run needs"):
        parse_config(config_text().replace("[crypto_provider]", "[carol]"), "parties.conf",
                     required=("alice", "bob", "crypto_provider"))
    with pytest.raises(ConfigError, match=r"heartbeat_interval \(5 s\) must be below peer_timeout"):
        parse_config(config_text("[settings]\nheartbeat_interval = 5\npeer_timeout = 2"), "c")
    with pytest.raises(ConfigError, match=r"c line 3: peer_timeout: '-1' is not a number of seconds"):
        parse_config(config_text("[settings]\npeer_timeout = -1"), "c")
    with pytest.raises(ConfigError, match="names 1 party"):
        parse_config(f"[alice]\nhost = a\nport = 1\npublic_key = {PUBLIC['alice']}\n", "c")
    with pytest.raises(ConfigError, match="no configuration file"):
        load_config("/nonexistent/parties.conf")


@pytest.mark.parametrize("line", [
    "secret_key = " + PAIRS["bob"][1],
    "private_key = " + PAIRS["bob"][1],
    "bob_secret = " + PAIRS["bob"][1],
    "-----BEGIN PRIVATE KEY-----",
])
def test_a_private_key_in_the_configuration_is_refused(line):
    text = config_text().replace(f"public_key = {PUBLIC['bob']}",
                                 f"public_key = {PUBLIC['bob']}\n{line}")
    with pytest.raises(ConfigError, match=r"^parties.conf line 12: .*(never hold|private key)"):
        parse_config(text, "parties.conf")


def test_a_pasted_key_file_is_refused(tmp_path):
    secret_path, _, _ = write_key_pair("bob", tmp_path)
    text = config_text() + "\n[carol]\n" + Path(secret_path).read_text()
    with pytest.raises(ConfigError, match="secret_key: a configuration file must never hold a private key"):
        parse_config(text, "parties.conf")


def test_the_secret_key_where_the_public_key_belongs_is_caught_by_its_owner():
    secret = PAIRS["bob"][1]
    config = parse_config(config_text().replace(PUBLIC["bob"], secret), "parties.conf")
    with pytest.raises(ValueError, match="SECRET key"):
        KeySet(secret, config.public_keys()).check_for("bob", ["alice", "crypto_provider", "me"])
