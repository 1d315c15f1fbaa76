"""Benchmark: one training batch in the simulation, and with the parties in four processes.

Run from the repository root::

    python benchmarks/bench_parties.py                 # 6 batches per setting
    python benchmarks/bench_parties.py --batches 10

The reference batch (the 784-128-64-10 MLP, ReLU, 64 images, MSE, SGD) is trained
for ``--batches`` batches with each comparison (SecureNN, binary sharing) in settings
measured in the same run:

* the simulation (one process plays everybody), its time per batch split into the
  *offline* part (making the step's prepared triples: the dealer's products and the
  holders' expansion of their keys, :mod:`smpc.preprocessing`) and the *online* rest;
* the four parties as processes over plain TCP on loopback, with the dealer inline
  (every triple dealt when the program asks for it) and with the dealer ahead (the
  crypto provider's background thread deals the next step while the holders compute);
* the same over CURVE, dealer ahead.

With the dealer ahead, a process's time per batch is its online phase: the holders find
each correction waiting.  The dealer's offline work per batch is printed beside it (the
time its thread was busy).  Time per batch is the median over the batches (the model
owner's clock: a batch ends when its loss is revealed).  The ratios against the
simulation are the result; the bytes on the wire are the payload each process's
transport sent per link over the whole run (the model's sharing included).  The CPU
time of each process (all its threads) per batch shows what the processes cost together:
on a machine with fewer cores than busy processes their sum, divided by the cores, is a
floor under the time per batch.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

from experiments.processes import run_parties  # noqa: E402
from experiments.train_mnist import load_data_for, parse_args, run  # noqa: E402


def train_batches(args, parties, dealer_ahead=True):
    """What every process runs: the batches, on this process's data."""
    network = parties[0].network
    network.preprocessing.enabled = dealer_ahead
    owner_here = network.plays(network.local)
    train_data, test_data, _ = load_data_for(args, network)
    cpu = time.process_time()
    history, _ = run(args, "encrypted", train_data, test_data, log=lambda *a, **k: None,
                     parties=parties)
    cpu = time.process_time() - cpu   # every thread of the process, the test batch included
    if owner_here:
        return {"times": history.batch_times, "cpu": cpu}
    return {"dealer_seconds": network.preprocessing.dealer_seconds,
            "steps": len(history.batch_times), "cpu": cpu}


def train_batches_dealer_inline(args, parties):
    return train_batches(args, parties, dealer_ahead=False)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batches", type=int, default=6)
    options = p.parse_args(argv)
    print(f"{options.batches} reference batches (batch 64, ReLU, MSE, SGD); median time per "
          f"batch; load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for comparison in ("securenn", "binary"):
        args = parse_args(["--epochs", "1", "--train-size", str(64 * options.batches),
                           "--test-size", "64", "--quiet", "--comparison", comparison])
        cpu = time.process_time()
        history = run(args, "encrypted", *load_data_for(args, _Everybody())[:2],
                      log=lambda *a, **k: None)[0]
        cpu = (time.process_time() - cpu) / options.batches
        base = statistics.median(history.batch_times)
        offline = statistics.median(history.batch_offline_times)
        print(f"\n--comparison {comparison}")
        print(f"  simulation                     {base * 1e3:8.1f} ms   1.00x   "
              f"(offline {offline * 1e3:.1f} ms, online {(base - offline) * 1e3:.1f} ms; "
              f"CPU {cpu * 1e3:.0f} ms per batch)")
        settings = [("plain", "dealer inline", train_batches_dealer_inline),
                    ("plain", "dealer ahead ", train_batches),
                    ("curve", "dealer ahead ", train_batches)]
        for transport, label, function in settings:
            owner, reports = run_parties(function, args, transport=transport,
                                         log=lambda line: None)
            t = statistics.median(owner["times"])
            cpus = {"me": owner["cpu"], **{r["party"]: r["result"]["cpu"] for r in reports[1:]}}
            dealer = next(r["result"] for r in reports if r["party"] == "crypto_provider")
            busy = (f"; the dealer's thread busy {dealer['dealer_seconds'] / dealer['steps'] * 1e3:.1f}"
                    f" ms per batch" if dealer["dealer_seconds"] else "")
            print(f"  processes, {transport:5s}, {label}  {t * 1e3:8.1f} ms   {t / base:.2f}x"
                  f" the simulation, {t / (base - offline):.2f}x its online part{busy}")
            per_batch = {name: value / options.batches * 1e3 for name, value in cpus.items()}
            print("      CPU per batch: " + ", ".join(f"{name} {ms:.0f} ms"
                                                     for name, ms in per_batch.items())
                  + f"; together {sum(per_batch.values()):.0f} ms on {os.cpu_count()} cores")
            if function is not train_batches or transport != "curve":
                continue
            for report in reports:
                for peer, link in report["links"].items():
                    if link["payload_bytes_sent"] > 1e5:
                        print(f"      {report['party']:>15} -> {peer:<15} "
                              f"{link['payload_bytes_sent'] / 1e6:8.2f} MB "
                              f"(+{link['framing_bytes_sent'] / 1e3:.1f} kB framing)")


class _Everybody:
    """The simulation's view for load_data_for: this process plays every party."""

    @staticmethod
    def plays_name(name):
        return True


if __name__ == "__main__":
    main()
