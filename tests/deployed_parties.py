"""Helpers for the tests of a run across machines: keys, a configuration, four commands.

Each party is a real command (``python -m experiments.party NAME`` or
``python -m experiments.train_mnist --config``) bound to its own loopback address
(127.0.0.2 .. 127.0.0.5).  Every wait is bounded; :func:`stop` kills what still runs.
"""
import os
import socket
import subprocess
import sys
import time

from experiments.deployment import ALL_NAMES
from smpc.transport import write_key_pair

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_setup(directory, peer_timeout=5, connect_timeout=60, names=ALL_NAMES):
    """Key pairs for every party and a configuration file naming them; returns its path."""
    lines = ["[settings]", f"peer_timeout = {peer_timeout}", "heartbeat_interval = 0.5",
             f"connect_timeout = {connect_timeout}", ""]
    for index, name in enumerate(names):
        host = f"127.0.0.{2 + index}"
        with socket.socket() as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
        public_key = write_key_pair(name, str(directory))[2]
        lines += [f"[{name}]", f"host = {host}", f"port = {port}", f"public_key = {public_key}", ""]
    path = os.path.join(str(directory), "parties.conf")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def command(name, config, key, options):
    module = ["-m", "experiments.train_mnist"] if name == "me" else ["-m", "experiments.party", name]
    return [sys.executable, *module, "--config", str(config), "--key", str(key), *options]


def start(name, config, key, options, directory):
    """Start party ``name``; its standard error goes to ``directory/NAME.err``."""
    err = open(os.path.join(str(directory), f"{name}.err"), "w")
    out = open(os.path.join(str(directory), f"{name}.out"), "w")
    process = subprocess.Popen(command(name, config, key, options), cwd=ROOT, stdout=out,
                               stderr=err, env={**os.environ, "PYTHONPATH": ROOT})
    process.logs = (out, err)
    process.party = name
    return process


def wait_all(processes, timeout):
    """Wait for every process to exit within ``timeout`` seconds in all; their exit codes."""
    deadline = time.monotonic() + timeout
    codes = {}
    for process in processes:
        try:
            codes[process.party] = process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            codes[process.party] = None
    return codes


def stop(processes):
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for log in process.logs:
            log.close()


def read(directory, name, stream="err"):
    with open(os.path.join(str(directory), f"{name}.{stream}")) as f:
        return f.read()


def wait_for_line(directory, name, text, timeout):
    """Wait until ``text`` appears in party ``name``'s standard error (False after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in read(directory, name):
            return True
        time.sleep(0.05)
    return False
