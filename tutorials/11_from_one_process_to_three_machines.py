# %% [markdown]
"""Tutorial 11: from one process to three machines.

Run it from the repository root::

    python tutorials/11_from_one_process_to_three_machines.py

It starts the four parties of a training run as four separate processes on this
machine, each on its own loopback address, over encrypted channels, and shows what
travels between them. It takes under a minute; with ``SMPC_QUICK=1`` in the
environment, a few seconds fewer (a smaller run). Read tutorials 02 and 07 first.

Until now one process played every party: the simulation. In a real deployment each
party is an operator on its own machine: the model owner, two data owners (alice and
bob), the crypto provider. What you will see:

1. each party's key pair and the one configuration file every machine shares;
2. what a link carries, and that with CURVE an eavesdropper reads none of it (a known
   value shows on a plain link, not on an encrypted one);
3. a training run with the four parties as four commands, their progress lines, and
   the bytes on every link;
4. the exact commands to run it in separate terminals, or on separate machines.
"""

# %% [markdown]
# ## Setting up

# %%
# Must precede NumPy: BLAS threads, figures inline or to files, the repository on sys.path
from tutorial_setup import QUICK, REPO, save_figure

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

import matplotlib.pyplot as plt
import numpy as np

from smpc.transport import KeySet, ZmqTransport, load_config, write_key_pair

NAMES = ("me", "alice", "bob", "crypto_provider")
work = tempfile.mkdtemp(prefix="smpc-tutorial-11-")

# %% [markdown]
# ## 1. Keys and the configuration
#
# Each operator makes a key pair on their own machine (``smpc-keygen NAME``): the secret
# half ``NAME.key`` never leaves it; the public half goes into the configuration file,
# which lists every party's host, port and public key and is copied to every machine.
# Here every party gets its own loopback address, 127.0.0.2 to 127.0.0.5, as four
# machines would have four addresses.

# %%
def free_port(host):
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


lines = ["[settings]", "peer_timeout = 10", "connect_timeout = 60", ""]
for index, name in enumerate(NAMES):
    host = f"127.0.0.{2 + index}"
    public_key = write_key_pair(name, work)[2]
    lines += [f"[{name}]", f"host = {host}", f"port = {free_port(host)}",
              f"public_key = {public_key}", ""]
config_path = os.path.join(work, "parties.conf")
with open(config_path, "w") as f:
    f.write("\n".join(lines))
print(open(config_path).read())
config = load_config(config_path)

# %% [markdown]
# ## 2. What a link carries, and what an eavesdropper sees
#
# Between alice and bob we put a relay that forwards every byte and keeps a copy: what
# someone on the network between them would see. Alice sends bob an array holding a
# known value. On a plain TCP link the value is there in the recorded bytes; on a CURVE
# link (each side authenticated by its public key, every message encrypted) it is not.

# %%
class Eavesdropper:
    """A TCP relay from ``listen`` to ``target`` that records what passes."""

    def __init__(self, host, target):
        self.seen = bytearray()
        self.server = socket.create_server((host, 0))
        self.port = self.server.getsockname()[1]
        self.target = target
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = self._connect_upstream()
            if upstream is None:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _connect_upstream(self, patience=10.0):
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            try:
                return socket.create_connection(self.target, timeout=patience)
            except OSError:   # the target is not listening yet
                time.sleep(0.05)
        return None

    def _pipe(self, source, sink):
        try:
            while chunk := source.recv(65536):
                self.seen += chunk
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.server.close()


KNOWN = np.frombuffer(b"ALICE'S SECRET SHARE: 0123456789", dtype=np.uint8)


def watch_one_message(plaintext):
    """Alice sends bob KNOWN through the relay; returns the bytes the relay saw."""
    hosts = {"alice": "127.0.0.3", "bob": "127.0.0.4"}
    ports = {name: free_port(host) for name, host in hosts.items()}
    relay = Eavesdropper("127.0.0.6", (hosts["bob"], ports["bob"]))
    seen_by = {"alice": {"alice": f"tcp://{hosts['alice']}:{ports['alice']}",
                         "bob": f"tcp://127.0.0.6:{relay.port}"},          # alice -> relay -> bob
               "bob": {name: f"tcp://{hosts[name]}:{ports[name]}" for name in hosts}}
    keys = {}
    if not plaintext:
        public = {name: config.parties[name].public_key for name in hosts}
        keys = {name: KeySet.load(os.path.join(work, f"{name}.key"), public) for name in hosts}
    quiet = lambda line: None  # noqa: E731
    alice, bob = (ZmqTransport(name, seen_by[name], keys=keys.get(name), plaintext=plaintext,
                               log=quiet) for name in hosts)
    try:
        alice.connect(20)
        bob.connect(20)
        alice.send("bob", KNOWN)
        assert np.array_equal(bob.recv("alice"), KNOWN)   # bob got it either way
        stats = alice.stats()["bob"]
    finally:
        alice.close(linger=1)
        bob.close(linger=1)
        relay.close()
    return bytes(relay.seen), stats


for plaintext in (True, False):
    seen, stats = watch_one_message(plaintext)
    kind = "plain TCP" if plaintext else "CURVE    "
    print(f"{kind}: the relay saw {len(seen):5d} bytes; the known value in them: "
          f"{KNOWN.tobytes() in seen}  (payload {stats.payload_bytes_sent} B, framing "
          f"{stats.framing_bytes_sent} B)")

# %% [markdown]
# The payload is the same either way (the array's 32 bytes, plus the transport's
# framing and heartbeats); with CURVE every frame is encrypted and authenticated, so
# the relay holds only ciphertext, and it could not have posed as bob either: alice
# checks bob's public key during the handshake.

# %% [markdown]
# ## 3. A training run, one command per party
#
# The data owners and the crypto provider each run ``smpc-party NAME``; the model owner
# runs ``smpc-train --config``. Each waits for its peers, agrees the run's options with
# the model owner (a party started with another ``--seed`` or data set refuses), keys
# its random streams (AES-CTR: its own from the OS; alice and bob's common key and each
# dealer key drawn by one side and sent over the encrypted channel), and trains. Each
# data owner's process holds only the images of its own batches; the crypto provider's
# holds none.

# %%
options = ["--epochs", "1", "--train-size", "128" if QUICK else "256", "--test-size", "64",
           "--quiet"]
env = dict(os.environ, PYTHONPATH=str(REPO))


def command(name):
    program = (["-m", "experiments.train_mnist"] if name == "me"
               else ["-m", "experiments.party", name])
    return [sys.executable, *program, "--config", config_path,
            "--key", os.path.join(work, f"{name}.key"), *options]


processes, logs = {}, {}
try:
    for name in NAMES:
        logs[name] = open(os.path.join(work, f"{name}.log"), "w+")
        processes[name] = subprocess.Popen(command(name), cwd=REPO, env=env,
                                           stdout=logs[name], stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    for name, process in processes.items():
        process.wait(timeout=max(1, deadline - time.monotonic()))
finally:
    for process in processes.values():
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)

outputs = {}
for name in NAMES:
    logs[name].seek(0)
    outputs[name] = logs[name].read()
    logs[name].close()
assert all(p.returncode == 0 for p in processes.values()), outputs
for name in NAMES:
    print(f"--- {name}'s terminal (last lines) ---")
    print("\n".join(outputs[name].splitlines()[-4:]))

# %% [markdown]
# Every party's progress line ends with the megabytes its process has put on each link
# so far. Alice and bob exchange the most (the openings of Beaver's products and of the
# comparisons); the crypto provider only sends (triples and the helper's messages); the
# model owner sends its model's shares at the start and receives the losses.
#
# The crypto provider's triples do not wait to be asked for. A step asks for the same
# triples every time its batch has the same shape, so from the second step of each kind
# on, a background thread in the crypto provider's process deals the *next* step's
# triples while the holders compute this one, and sends bob's corrections on a channel
# of their own; when the program gets there, they are waiting (``smpc/preprocessing.py``,
# the SPDZ offline phase run one step ahead). The numbers are the same as when each is
# dealt on demand: the steps' deals draw from streams of their own, in step order.

# %%
links = {}
for name in NAMES:
    last = [line for line in outputs[name].splitlines() if "rounds so far" in line][-1]
    sent = last.rsplit("[", 1)[1].split("]")[0]
    print(f"{name:>15}: {sent}")
    for item in sent.split(", "):
        peer, megabytes, _ = item.lstrip("->").split(" ")
        links[f"{name}->{peer}"] = float(megabytes)

fig, ax = plt.subplots(figsize=(8, 3.5))
ax.barh(list(links), list(links.values()))
ax.set_xlabel("MB sent (payload) during training")
ax.set_title("What travels on each link of the run")
fig.tight_layout()
save_figure(fig, "11_bytes_per_link.png")

# %% [markdown]
# ## 4. On three terminals, or three machines
#
# Three machines for alice, bob and the crypto provider, and the model owner's (which may
# be one of them, or a fourth). On each, its operator makes its key pair:
#
# ```
# smpc-keygen alice                    # on alice's machine: alice.key stays there
# ```
#
# Collect the four ``public_key = ...`` lines into one ``parties.conf`` like the one in
# section 1 (each party's real host and port), copy it to every machine, then start:
#
# ```
# smpc-party alice --config parties.conf --key alice.key --epochs 1      # terminal 1
# smpc-party bob --config parties.conf --key bob.key --epochs 1          # terminal 2
# smpc-party crypto_provider --config parties.conf --key crypto_provider.key --epochs 1
# smpc-train --config parties.conf --key me.key --epochs 1               # the model owner
# ```
#
# Give every party the same run options. A party that dies stops the others within
# ``peer_timeout`` seconds (the configuration's ``[settings]``); add
# ``--checkpoint-dir DIR`` to every command to write checkpoints, and restart all with
# ``--resume DIR`` to continue from the last checkpoint every party has.

# %%
for name in NAMES:
    print(" ".join(["smpc-train" if name == "me" else f"smpc-party {name}",
                    "--config parties.conf", f"--key {name}.key", *options]))
