"""Benchmark: one training batch in the simulation, and with the parties in four processes.

Run from the repository root::

    python benchmarks/bench_parties.py                 # 6 batches per setting
    python benchmarks/bench_parties.py --batches 10

The reference batch (the 784-128-64-10 MLP, ReLU, 64 images, MSE, SGD) is trained
for ``--batches`` batches with each comparison (SecureNN, binary sharing) in three
settings measured in the same run: the simulation (one process plays everybody), the
four parties as processes over plain TCP on loopback, and over CURVE.  Time per batch
is the median over the batches (the model owner's clock: a batch ends when its loss is
revealed).  The ratios against the simulation are the result; the bytes on the wire
are the payload each process's transport sent per link over the whole run (the
model's sharing included).
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

from experiments.processes import run_parties  # noqa: E402
from experiments.train_mnist import load_data_for, parse_args, run  # noqa: E402


def train_batches(args, parties):
    """What every process runs: the batches, on this process's data."""
    network = parties[0].network
    owner_here = network.plays(network.local)
    train_data, test_data, _ = load_data_for(args, network)
    history, _ = run(args, "encrypted", train_data, test_data, log=lambda *a, **k: None,
                     parties=parties)
    return history.batch_times if owner_here else None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batches", type=int, default=6)
    options = p.parse_args(argv)
    print(f"{options.batches} reference batches (batch 64, ReLU, MSE, SGD); median time per batch")
    for comparison in ("securenn", "binary"):
        args = parse_args(["--epochs", "1", "--train-size", str(64 * options.batches),
                           "--test-size", "64", "--quiet", "--comparison", comparison])
        simulated = run(args, "encrypted", *load_data_for(args, _Everybody())[:2],
                        log=lambda *a, **k: None)[0].batch_times
        base = statistics.median(simulated)
        print(f"\n--comparison {comparison}")
        print(f"  simulation           {base * 1e3:8.1f} ms   1.00x")
        for transport in ("plain", "curve"):
            times, reports = run_parties(train_batches, args, transport=transport,
                                         log=lambda line: None)
            t = statistics.median(times)
            print(f"  processes, {transport:6s}    {t * 1e3:8.1f} ms   {t / base:.2f}x the simulation")
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
