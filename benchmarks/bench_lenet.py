"""The LeNet (SecureNN's network B) on shares: time per batch, cost per layer, triples vs im2col.

    python benchmarks/bench_lenet.py [--batches 5] [--comparison securenn|binary]

Prints, in one run:

1. the median time per training batch of 64 (after one warm-up batch) for plaintext float
   NumPy, the public model on private data, and the encrypted model, with the ratio to
   plaintext and the bytes and rounds per batch (target: encrypted within 100x);
2. per layer of the encrypted model, forward and backward: time, bytes, rounds;
3. each convolution with a convolution triple (the operands opened in their own shapes,
   ``16 (n_x + n_w)`` bytes) against the unfolded alternative (im2col locally, then a
   Beaver matrix product that opens the unfolded matrix, ``16 (N H' W' C kh kw + n_w)``
   bytes): measured bytes and time, and the closed forms.

The machine is shared and noisy: compare ratios, not absolute times.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
import experiments  # noqa: E402,F401  (first: BLAS threads and kept memory; see there)
import numpy as np  # noqa: E402

import nn  # noqa: E402
import smpc  # noqa: E402
from autograd import Tensor  # noqa: E402
from datasets import DataLoader, load_dataset  # noqa: E402
from experiments.model import lenet  # noqa: E402
from experiments.modes import Mode  # noqa: E402
from experiments.train_mnist import train_step  # noqa: E402
from smpc.beaver_conv import conv2d as shared_conv2d  # noqa: E402
from smpc.convolution import unfold, unfolded_elements  # noqa: E402


def time_batches(mode_name, batches, data):
    smpc.manual_seed(0)
    model = lenet()
    parties = smpc.make_parties() if mode_name != "plaintext" else None
    mode = Mode(mode_name, parties, smpc.DEFAULT_ENCODER)
    mode.prepare_model(model)
    optimizer = mode.prepare_optimizer(nn.SGD(model.parameters(), lr=0.02))
    times, traffic = [], []
    for i in range(batches + 1):
        x_plain, y_plain = data[i % len(data)]
        start = time.perf_counter()
        with mode.measure() as stats:
            train_step(model, optimizer, mode, x_plain, y_plain)
        if i:  # the first batch warms caches up
            times.append(time.perf_counter() - start)
            traffic.append((stats.bytes, stats.rounds))
    return float(np.median(times)), np.median(np.asarray(traffic), axis=0)


def per_layer_costs(x_plain):
    """Forward and backward of each layer of the encrypted LeNet on one shared batch."""
    smpc.manual_seed(0)
    alice, bob, cp = parties = smpc.make_parties()
    model = lenet()
    Mode("encrypted", parties, smpc.DEFAULT_ENCODER).prepare_model(model)
    network = alice.network
    h = smpc.share(x_plain, alice, bob, crypto_provider=cp)
    rng = np.random.default_rng(0)
    rows = []
    for index in range(len(model)):
        layer = model[index]
        inp = Tensor(h, requires_grad=index > 1)   # no gradient for the data
        start = time.perf_counter()
        with network.measure() as forward:
            out = layer(inp)
        forward_time = time.perf_counter() - start
        grad = smpc.share(0.01 * rng.standard_normal(out.shape), alice, bob, crypto_provider=cp)
        start = time.perf_counter()
        with network.measure() as backward:
            if out.requires_grad:
                out.backward(grad)
        backward_time = time.perf_counter() - start
        rows.append((repr(layer), tuple(out.shape), forward_time, forward, backward_time, backward))
        h = out.value
    return rows


def triple_against_im2col(x_shape, w_shape, repeats=3):
    """One shared convolution both ways: (bytes, seconds) with the triple and unfolded."""
    alice, bob, cp = smpc.make_parties(seed=0)
    rng = np.random.default_rng(0)
    x = smpc.share(rng.standard_normal(x_shape), alice, bob, crypto_provider=cp)
    w = smpc.share(0.1 * rng.standard_normal(w_shape), alice, bob, crypto_provider=cp)
    kernel = w_shape[-2:]
    results = []
    for way in ("triple", "im2col"):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            with alice.network.measure() as stats:
                if way == "triple":
                    shared_conv2d(x, w)
                else:  # every holder unfolds its own share; the matrix is opened
                    columns = smpc.SharedTensor(unfold(x.shares, kernel, (1, 1), (0, 0)),
                                                x.holders, cp, x.encoder)
                    columns @ w.reshape(w_shape[0], -1).T
            times.append(time.perf_counter() - start)
        results.append((stats.bytes, float(np.median(times))))
    return results


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batches", type=int, default=5)
    p.add_argument("--comparison", choices=smpc.config.COMPARISON_METHODS, default="securenn")
    args = p.parse_args(argv)
    with smpc.config.using(comparison=args.comparison):
        report(args)


def report(args):
    images, labels = load_dataset("sample", "train")
    data = list(DataLoader(images[:640], labels[:640], batch_size=64, shuffle=True, seed=0))
    print(f"LeNet (network B), median time per training batch of 64 over {args.batches} batches "
          f"(comparison={args.comparison}; {experiments.blas_threads_setting()})")
    base = None
    for label, mode in (("plaintext float NumPy", "plaintext"),
                        ("public model, private data", "public-model"),
                        ("encrypted", "encrypted")):
        seconds, (nbytes, rounds) = time_batches(mode, args.batches, data)
        base = base or seconds
        print(f"  {label:28s} {seconds * 1e3:9.1f} ms  {seconds / base:5.0f}x plaintext  "
              f"{nbytes / 1e6:8.2f} MB  {int(rounds):4d} rounds", flush=True)

    print("\nPer layer, encrypted, one batch of 64 (forward | backward):")
    print(f"  {'layer':34s} {'output':>16s} {'ms':>7s} {'MB':>8s} {'rnd':>4s} | "
          f"{'ms':>7s} {'MB':>8s} {'rnd':>4s}")
    from datasets import normalize
    for name, shape, ft, fwd, bt, bwd in per_layer_costs(normalize(data[0][0])):
        print(f"  {name[:34]:34s} {str(shape):>16s} {ft * 1e3:7.1f} {fwd.bytes / 1e6:8.2f} "
              f"{fwd.rounds:4d} | {bt * 1e3:7.1f} {bwd.bytes / 1e6:8.2f} {bwd.rounds:4d}")

    print("\nOne shared convolution (batch 64): convolution triple vs im2col opening")
    for label, x_shape, w_shape in (("conv1 1->16, 5x5, 28x28", (64, 1, 28, 28), (16, 1, 5, 5)),
                                    ("conv2 16->16, 5x5, 12x12", (64, 16, 12, 12), (16, 16, 5, 5))):
        (tb, tt), (ib, it) = triple_against_im2col(x_shape, w_shape)
        n_x, n_w = int(np.prod(x_shape)), int(np.prod(w_shape))
        n_cols = unfolded_elements(x_shape, w_shape[-2:])
        print(f"  {label:26s} triple {tb / 1e6:6.2f} MB (16 (n_x + n_w) = {16 * (n_x + n_w) / 1e6:.2f}) "
              f"{tt * 1e3:6.1f} ms | im2col {ib / 1e6:6.2f} MB (16 (n_cols + n_w) = "
              f"{16 * (n_cols + n_w) / 1e6:.2f}) {it * 1e3:6.1f} ms | {ib / tb:4.1f}x the bytes")


if __name__ == "__main__":
    main()
