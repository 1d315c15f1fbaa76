"""The simulation's speed at two commits, interleaved in one run (the machine is noisy).

    python benchmarks/compare_commits.py [--old a487bc9] [--new HEAD] [--rounds 4] [--batches 10]

Checks both commits out into temporary worktrees, then runs ``benchmarks/bench_training.py``
of each in turn, ``--rounds`` times, so that both see the same load; prints each run's
median time per encrypted ReLU batch and its ratio to plaintext measured in the same run,
and the new/old ratio of the medians.
"""
import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^\s+(?P<label>[a-zA-Z ,^0-9]+?)\s+(?P<ms>[0-9.]+) ms")


def bench(checkout, batches, comparison):
    done = subprocess.run([sys.executable, "benchmarks/bench_training.py", "--batches", str(batches),
                           "--comparison", comparison, "--only", "plaintext", "--only", "encrypted"],
                          cwd=checkout, capture_output=True, text=True, timeout=1800)
    if done.returncode:
        raise SystemExit(f"bench_training.py failed in {checkout}:\n{done.stderr[-2000:]}")
    times = {m["label"].strip(): float(m["ms"]) for m in map(LINE.match, done.stdout.splitlines()) if m}
    return times["encrypted, ReLU"], times["plaintext float NumPy"]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--old", default="a487bc9")
    p.add_argument("--new", default="HEAD")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--batches", type=int, default=10)
    p.add_argument("--comparison", default="securenn")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        checkouts = {}
        for name in ("old", "new"):
            path = Path(tmp) / name
            subprocess.run(["git", "worktree", "add", "--detach", str(path), getattr(args, name)],
                           cwd=REPO, check=True, capture_output=True)
            checkouts[name] = path
        try:
            results = {"old": [], "new": []}
            for k in range(args.rounds):
                for name in (("old", "new") if k % 2 == 0 else ("new", "old")):
                    encrypted, plain = bench(checkouts[name], args.batches, args.comparison)
                    results[name].append((encrypted, plain))
                    print(f"round {k + 1} {name}: encrypted ReLU batch {encrypted:.1f} ms, "
                          f"{encrypted / plain:.0f}x plaintext", flush=True)
        finally:
            for path in checkouts.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=REPO,
                               capture_output=True)
    old = np.median([e for e, _ in results["old"]])
    new = np.median([e for e, _ in results["new"]])
    print(f"median encrypted ReLU batch: old {old:.1f} ms, new {new:.1f} ms; new/old = {new / old:.2f}")


if __name__ == "__main__":
    main()
