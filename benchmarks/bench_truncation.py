"""Which truncation by default: local, masked or exact, measured.

    python benchmarks/bench_truncation.py [--batches 10] [--count 10000000]
                                                       [--dataset sample]

(``pip install -e .`` makes ``PYTHONPATH=.`` unnecessary.)  Prints four tables:

1. **Time and traffic per training batch** of the reference model (784-128-64-10,
   ReLU, SecureNN, batch 64, lr 0.02, encrypted), for each method, interleaved
   batch by batch so that the shared machine's load hits all three alike; median
   over ``--batches`` batches after a warm-up, with plaintext NumPy as the yardstick.
2. **What training truncates**: every call of :func:`smpc.truncation.truncate` is
   wrapped for ``--batches`` batches (and one test pass) to record ``|x|`` of the
   secret being truncated.  From it: truncations per batch, the distribution of
   ``log2 |x|``, and the local method's expected wild errors, ``sum |x| / 2^64``,
   per batch, per epoch of the reference run (10 batches x 20 epochs = 200
   batches) and per 60,000-image epoch (938 batches).  It also reports how many
   values exceed the masked method's range ``|x| < 2^47``.
3. **Wild errors in ``--count`` truncations** by each method, in chunks of 10^6:
   local next to masked on ``|x|`` uniform in ``[2^46, 2^47)`` (the top of
   masked's range), and local next to exact on ``|x|`` uniform in
   ``[2^56, 2^60)`` (exact's range covers every product of two encodings).  A
   wild error is one of more than one unit.  The default ``--count`` is 10^7 (about
   0.4 s for masked and 8 s for exact here; ``tests/test_safe_truncation.py`` runs
   the same 10^7 of each in CI, marked slow).
4. **Security** of each method, as stated in :mod:`smpc.safe_truncation`.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import experiments  # noqa: E402,F401  (first: single-threaded BLAS, see experiments/__init__.py)
import numpy as np  # noqa: E402

import nn  # noqa: E402
import smpc  # noqa: E402
import smpc.shared_tensor  # noqa: E402
from autograd import no_grad  # noqa: E402
from datasets import DataLoader, load_dataset  # noqa: E402
from experiments.model import reference_net  # noqa: E402
from experiments.modes import Mode  # noqa: E402
from experiments.train_mnist import train_step  # noqa: E402
from smpc.safe_truncation import MASKED_VALUE_BITS, truncate_exact, truncate_masked  # noqa: E402
from smpc.sharing import reconstruct, split  # noqa: E402
from smpc.truncation import truncate_local  # noqa: E402

METHODS = smpc.config.TRUNCATION_METHODS
REFERENCE_BATCHES = 10 * 20          # 640 images in batches of 64, 20 epochs
FULL_EPOCH_BATCHES = -(-60_000 // 64)
CHUNK = 1_000_000


def make_run(mode_name, seed=0):
    smpc.manual_seed(seed)
    model = reference_net("relu")
    parties = smpc.make_parties() if mode_name != "plaintext" else None
    mode = Mode(mode_name, parties, smpc.DEFAULT_ENCODER)
    mode.prepare_model(model)
    optimizer = mode.prepare_optimizer(nn.SGD(model.parameters(), lr=0.02))
    return model, optimizer, mode


def time_per_batch(data, batches):
    """Median seconds, bytes and rounds per batch for plaintext and each method, interleaved."""
    runs = {name: make_run("plaintext" if name == "plaintext" else "encrypted")
            for name in ("plaintext",) + METHODS}
    measured = {name: [] for name in runs}
    for i in range(batches + 1):
        x_plain, y_plain = data[i % len(data)]
        for name, (model, optimizer, mode) in runs.items():
            with smpc.config.using(truncation=name if name in METHODS else "local"):
                start = time.perf_counter()
                with mode.measure() as stats:
                    train_step(model, optimizer, mode, x_plain, y_plain)
                seconds = time.perf_counter() - start
            if i:  # the first batch warms caches up
                measured[name].append((seconds, stats.bytes, stats.rounds, stats.offline_bytes))
    return {name: np.median(np.asarray(rows, dtype=np.float64), axis=0) for name, rows in measured.items()}


class TruncationRecorder:
    """Wraps the truncation the shared tensors call, recording |x| of each secret truncated."""

    def __init__(self):
        self.magnitudes = []
        self.divisors = set()

    def __enter__(self):
        self._original = smpc.shared_tensor.truncate

        def recording(shares, divisor, holders, crypto_provider):
            if int(divisor) != 1:
                secret = reconstruct(shares).ravel()
                self.magnitudes.append(np.abs(secret.astype(np.float64)))
                self.divisors.add(int(divisor))
            return self._original(shares, divisor, holders, crypto_provider)

        smpc.shared_tensor.truncate = recording
        return self

    def __exit__(self, *exc):
        smpc.shared_tensor.truncate = self._original

    def take(self):
        values = np.concatenate(self.magnitudes) if self.magnitudes else np.zeros(0)
        self.magnitudes = []
        return values


def training_magnitudes(data, test_data, batches):
    """|x| of every truncated value during ``batches`` training batches and one test pass."""
    model, optimizer, mode = make_run("encrypted", seed=1)
    per_batch = []
    with smpc.config.using(truncation="local"), TruncationRecorder() as recorder:
        for i in range(batches):
            x_plain, y_plain = data[i % len(data)]
            train_step(model, optimizer, mode, x_plain, y_plain)
            per_batch.append(recorder.take())
        model.eval()
        with no_grad():
            for x_plain, y_plain in test_data[:2]:
                x, _ = mode.batch(x_plain, y_plain)
                model(x)
        test_values = recorder.take()
    return per_batch, test_values, recorder.divisors


def count_wild(method, low, high, count, seed):
    """Wild errors (more than one unit off floor(x / 2^16)) of ``method`` and of local, same values."""
    alice, bob, cp = smpc.make_parties(seed=seed)
    rng = np.random.default_rng(seed)
    wild = {method: 0, "local": 0}
    expected = 0.0
    seconds = 0.0
    for start in range(0, count, CHUNK):
        n = min(CHUNK, count - start)
        magnitude = rng.integers(2 ** low, 2 ** high, size=n, dtype=np.int64)
        x = np.where(rng.random(n) < 0.5, magnitude, -magnitude)
        shares = split(x, 2)
        exact_quotient = x >> 16
        began = time.perf_counter()
        if method == "masked":
            out = truncate_masked(shares, 2 ** 16, (alice, bob), cp)
        else:
            out = truncate_exact(shares, 2 ** 16, (alice, bob), cp)
        seconds += time.perf_counter() - began
        for name, result in ((method, out), ("local", truncate_local(shares, 2 ** 16))):
            error = reconstruct(result) - exact_quotient
            wild[name] += int(np.count_nonzero(np.abs(error) > 1))
        expected += float(np.sum(np.abs(x.astype(np.float64)))) / 2.0 ** 64
    return wild, expected, seconds


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batches", type=int, default=10)
    p.add_argument("--count", type=int, default=10_000_000)
    p.add_argument("--dataset", choices=("sample", "mnist", "fashion-mnist"), default="sample")
    args = p.parse_args(argv)
    train = load_dataset(args.dataset, "train")
    test = load_dataset(args.dataset, "test")
    data = list(DataLoader(train.images[:1280], train.labels[:1280], batch_size=64, shuffle=True, seed=0))
    test_data = list(DataLoader(test.images[:128], test.labels[:128], batch_size=64))

    print(f"1. Time and traffic per training batch of 64 (reference MLP, ReLU, {args.dataset}), "
          f"median of {args.batches} interleaved batches")
    timings = time_per_batch(data, args.batches)
    base = timings["plaintext"][0]
    local_time = timings["local"][0]
    for name, (seconds, nbytes, rounds, offline) in timings.items():
        print(f"   {name:9s} {seconds * 1e3:8.1f} ms {seconds / base:6.0f}x plaintext "
              f"{seconds / local_time:5.2f}x local  {nbytes / 1e6:7.2f} MB online "
              f"{int(rounds):4d} rounds  {offline / 1e6:6.2f} MB offline")

    print(f"\n2. What training truncates ({args.batches} batches, local method, |x| of the secret)")
    per_batch, test_values, divisors = training_magnitudes(data, test_data, args.batches)
    train_values = np.concatenate(per_batch)
    counts = np.array([len(v) for v in per_batch])
    expected_per_batch = np.array([np.sum(v) / 2.0 ** 64 for v in per_batch])
    nonzero = train_values[train_values > 0]
    bits = np.log2(nonzero)
    print(f"   divisors {sorted(divisors)}; {int(np.median(counts)):,} truncations per batch; "
          f"{len(train_values) - len(nonzero):,} of {len(train_values):,} are exactly 0")
    print(f"   log2|x|: median {np.median(bits):.1f}, 99th pct {np.percentile(bits, 99):.1f}, "
          f"99.99th {np.percentile(bits, 99.99):.1f}, max {bits.max():.1f}")
    above = int(np.count_nonzero(train_values >= 2.0 ** (MASKED_VALUE_BITS - 1)))
    test_bits = np.log2(test_values.max()) if test_values.size and test_values.max() > 0 else 0
    print(f"   values at or above masked's range 2^{MASKED_VALUE_BITS - 1}: {above} "
          f"(test pass: max log2|x| {test_bits:.1f})")
    rate = float(np.sum(expected_per_batch) / counts.sum())
    per_batch_wild = float(np.mean(expected_per_batch))
    print(f"   local: expected wild errors {rate:.2e} per truncation, {per_batch_wild:.2e} per batch,")
    print(f"          {per_batch_wild * REFERENCE_BATCHES:.1e} in the whole reference run "
          f"({REFERENCE_BATCHES} batches), {per_batch_wild * FULL_EPOCH_BATCHES:.1e} per "
          f"60,000-image epoch ({FULL_EPOCH_BATCHES} batches): one every "
          f"{1 / (per_batch_wild * FULL_EPOCH_BATCHES):.0f} such epochs")
    spread = 2.0 ** (bits.max() + 1) / 2.0 ** 63          # |x - x'| / 2^63 at these magnitudes
    print(f"   masked: z hides x to statistical distance <= 2^{np.log2(spread):.1f} per value at these "
          f"magnitudes; summed over a 60,000-image epoch (a union bound): "
          f"{spread * np.median(counts) * FULL_EPOCH_BATCHES:.2f}")
    print("   masked, exact: 0 wild (masked: while |x| < 2^47, which every recorded value meets"
          if above == 0 else "   masked: values above its range were seen, see above; exact: 0")
    if above == 0:
        print("          with a margin of 2^%.1f)" % (MASKED_VALUE_BITS - 1 - bits.max()))

    print(f"\n3. Wild errors (> 1 unit) in {args.count:,} truncations by 2^16, next to local on the same values")
    for method, low, high in (("masked", 46, MASKED_VALUE_BITS - 1), ("exact", 56, 60)) if args.count else ():
        wild, expected, seconds = count_wild(method, low, high, args.count, seed=len(method))
        print(f"   |x| in [2^{low}, 2^{high}): {method:6s} {wild[method]:>5d} wild ({seconds:6.1f} s); "
              f"local {wild['local']:>7d} wild (rate {wild['local'] / args.count:.2e}, "
              f"predicted E|x|/2^64 = {expected / args.count:.2e})")

    print("\n4. Security")
    print("   local : no communication, no leak; wrong by ~2^48 units with probability |x|/2^64 per value")
    print(f"   masked: z = x + 2^{MASKED_VALUE_BITS - 1} + r is opened; statistical distance "
          f"2^(k-63) = 2^{MASKED_VALUE_BITS - 63} per value for k = {MASKED_VALUE_BITS}; "
          f"needs |x| < 2^{MASKED_VALUE_BITS - 1}")
    print("   exact : no leak beyond SecureNN's helper (a uniformly masked value and a masked bit); "
          "|x| < 2^62")


if __name__ == "__main__":
    main()
