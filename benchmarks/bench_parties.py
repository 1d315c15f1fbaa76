"""Benchmark: one training batch in the simulation, and with the parties in four processes.

Run from the repository root::

    python benchmarks/bench_parties.py                 # 6 batches a run, 3 rounds
    python benchmarks/bench_parties.py --batches 10 --repeats 5

The reference batch (the 784-128-64-10 MLP, ReLU, 64 images, MSE, SGD) is trained
for ``--batches`` batches with each comparison (SecureNN, binary sharing) in settings
measured in the same run:

* the simulation (one process plays everybody), its time per batch split into the
  *offline* part (making the step's prepared triples: the dealer's products and the
  holders' expansion of their keys, :mod:`smpc.preprocessing`) and the *online* rest;
  and the simulation again in a process with one BLAS thread, as each party process
  has (on a small machine the simulation's matrix products take every core, the
  parties' cannot);
* the four parties as processes over plain TCP on loopback, with the dealer inline
  (every triple dealt when the program asks for it) and with the dealer ahead (the
  crypto provider's background thread deals the next step while the holders compute);
* the same over CURVE, dealer ahead.

The settings run in rounds (``--repeats``), each round the simulation then every
process setting, so that a slow spell of a shared machine slows all of them; a ratio is
the median over the rounds of each round's ratio.  With the dealer ahead, a process's
time per batch is its online phase: the holders find each correction waiting.  The
dealer's offline work per batch is printed beside it (the time its thread was busy).
Time per batch is the median over the batches (the model owner's clock: a batch ends
when its loss is revealed).  The ratios against the simulation are the result; the bytes
on the wire are the payload each process's transport sent per link over the whole run
(the model's sharing included).  The CPU time of each process (all its threads) per
steady batch (the second to the last but one) shows what the processes cost together:
on a machine with fewer cores than busy processes, their sum divided by the cores is a
floor under the time per batch.
"""
import argparse
import multiprocessing
import os
import statistics
import sys
import time
from contextlib import contextmanager

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

from experiments.processes import _single_threaded_blas, run_parties  # noqa: E402
from experiments.train_mnist import load_data_for, parse_args, run  # noqa: E402


def _clock_steps(network):
    """The process's CPU clock (all its threads) at the start of every step, in a list."""
    starts, step = [], network.preprocessing.step

    @contextmanager
    def clocked(key, next_key=None):
        starts.append(time.process_time())
        with step(key, next_key):
            yield
    network.preprocessing.step = clocked
    return starts


def train_batches(args, parties, dealer_ahead=True):
    """What every process runs: the batches, on this process's data."""
    network = parties[0].network
    network.preprocessing.enabled = dealer_ahead
    owner_here = network.plays(network.local)
    train_data, test_data, _ = load_data_for(args, network)
    starts = _clock_steps(network)
    history, _ = run(args, "encrypted", train_data, test_data, log=lambda *a, **k: None,
                     parties=parties)
    # CPU per batch from the start of the second batch to the start of the last: the
    # steady batches (the first records the plan; the last is followed by the test).
    steady = len(history.batch_times) - 2
    cpu = (starts[steady + 1] - starts[1]) / steady
    if owner_here:
        return {"times": history.batch_times, "cpu": cpu}
    return {"dealer_seconds": network.preprocessing.dealer_seconds,
            "steps": len(history.batch_times), "cpu": cpu}


def train_batches_dealer_inline(args, parties):
    return train_batches(args, parties, dealer_ahead=False)


SETTINGS = [("plain", "dealer inline", False), ("plain", "dealer ahead ", True),
            ("curve", "dealer ahead ", True)]


def simulation_run(args, batches):
    """One run of the simulation: (time per batch, offline part, CPU per batch)."""
    cpu = time.process_time()
    history = run(args, "encrypted", *load_data_for(args, _Everybody())[:2],
                  log=lambda *a, **k: None)[0]
    cpu = (time.process_time() - cpu) / batches
    return (statistics.median(history.batch_times),
            statistics.median(history.batch_offline_times), cpu)


def _simulation_child(args, batches, results):
    results.put(simulation_run(args, batches))


def simulation_one_blas_thread(args, batches):
    """:func:`simulation_run` in a child process with one BLAS thread, as each party has."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    with _single_threaded_blas():
        child = context.Process(target=_simulation_child, args=(args, batches, results))
        child.start()
    try:
        return results.get(timeout=600)
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()


def processes_run(args, transport, dealer_ahead):
    """One run of the four processes: time per batch, the dealer's busy time, CPU, links."""
    function = train_batches if dealer_ahead else train_batches_dealer_inline
    owner, reports = run_parties(function, args, transport=transport, log=lambda line: None)
    cpus = {"me": owner["cpu"], **{r["party"]: r["result"]["cpu"] for r in reports[1:]}}
    dealer = next(r["result"] for r in reports if r["party"] == "crypto_provider")
    return {"time": statistics.median(owner["times"]),
            "dealer": dealer["dealer_seconds"] / dealer["steps"],
            "cpu": cpus,
            "links": {r["party"]: r["links"] for r in reports}}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batches", type=int, default=6, help="training batches a run (at least 4)")
    p.add_argument("--repeats", type=int, default=3,
                   help="rounds of every setting, interleaved (default 3)")
    p.add_argument("--comparison", choices=["securenn", "binary"], action="append",
                   help="only this comparison (repeatable; default both)")
    options = p.parse_args(argv)
    if options.batches < 4:
        p.error("--batches must be at least 4 (the first and the last batch are not steady)")
    print(f"{options.batches} reference batches (batch 64, ReLU, MSE, SGD) per run, "
          f"{options.repeats} rounds of every setting; load average at start "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for comparison in options.comparison or ("securenn", "binary"):
        args = parse_args(["--epochs", "1", "--train-size", str(64 * options.batches),
                           "--test-size", "64", "--quiet", "--comparison", comparison])
        simulations, single, results = [], [], {setting: [] for setting in SETTINGS}
        for _ in range(options.repeats):  # interleaved: a slow spell hits every setting
            simulations.append(simulation_run(args, options.batches))
            single.append(simulation_one_blas_thread(args, options.batches))
            for setting in SETTINGS:
                transport, _label, ahead = setting
                results[setting].append(processes_run(args, transport, ahead))
        base = statistics.median(t for t, _, _ in simulations)
        offline = statistics.median(o for _, o, _ in simulations)
        sim_cpu = statistics.median(c for _, _, c in simulations)
        print(f"\n--comparison {comparison}")
        print(f"  simulation                     {base * 1e3:8.1f} ms   1.00x   "
              f"(offline {offline * 1e3:.1f} ms, online {(base - offline) * 1e3:.1f} ms; "
              f"CPU {sim_cpu * 1e3:.0f} ms per batch over the whole run)")
        one = statistics.median(t for t, _, _ in single)
        print(f"  simulation, one BLAS thread    {one * 1e3:8.1f} ms   "
              f"{statistics.median(o[0] / s[0] for o, s in zip(single, simulations)):.2f}x   "
              "(as in each party's process)")
        for setting in SETTINGS:
            transport, label, ahead = setting
            runs = results[setting]
            t = statistics.median(r["time"] for r in runs)
            # each round's ratio against the simulation of the same round, then the median
            ratio = statistics.median(r["time"] / s[0] for r, s in zip(runs, simulations))
            online_ratio = statistics.median(r["time"] / (s[0] - s[1])
                                             for r, s in zip(runs, simulations))
            busy = (f"; the dealer's thread busy "
                    f"{statistics.median(r['dealer'] for r in runs) * 1e3:.1f} ms per batch"
                    if ahead else "")
            one_ratio = statistics.median(r["time"] / o[0] for r, o in zip(runs, single))
            print(f"  processes, {transport:5s}, {label}  {t * 1e3:8.1f} ms   {ratio:.2f}x"
                  f" the simulation, {online_ratio:.2f}x its online part, {one_ratio:.2f}x"
                  f" the one-thread simulation{busy}")
            per_batch = {name: statistics.median(r["cpu"][name] for r in runs) * 1e3
                         for name in runs[0]["cpu"]}
            floor = sum(per_batch.values()) / os.cpu_count()
            print("      CPU per steady batch: " + ", ".join(f"{name} {ms:.0f} ms"
                                                     for name, ms in per_batch.items())
                  + f"; together {sum(per_batch.values()):.0f} ms, on {os.cpu_count()} cores at "
                  f"least {floor:.1f} ms ({floor / (base * 1e3):.2f}x the simulation)")
            if setting != SETTINGS[-1]:
                continue
            for party, links in runs[-1]["links"].items():
                for peer, link in links.items():
                    if link["payload_bytes_sent"] > 1e5:
                        print(f"      {party:>15} -> {peer:<15} "
                              f"{link['payload_bytes_sent'] / 1e6:8.2f} MB "
                              f"(+{link['framing_bytes_sent'] / 1e3:.1f} kB framing)")


class _Everybody:
    """The simulation's view for load_data_for: this process plays every party."""

    @staticmethod
    def plays_name(name):
        return True


if __name__ == "__main__":
    main()
