"""Regenerate the offline sample in ``datasets/sample/`` from the official MNIST test file.

Run from the repository root::

    python -m datasets.make_sample DIR

(``DIR`` is the directory holding ``t10k-images-idx3-ubyte.gz`` and
``t10k-labels-idx1-ubyte.gz``). The script checks the sha256 of the
decompressed official files first, so the sample can only be made from the
genuine data, then writes four gzip IDX files and ``sample/README.md`` with
the attribution, the exact indices taken, and the sha256 of each file.

The output is byte-for-byte reproducible: ``write_idx`` stamps no time or
file name into the gzip header.

Why take the training part from the *test* file? The 60,000 official
training images are not available offline on the machines this project is
built on; the test file is. The two parts are disjoint slices of it:

* test part:  test images 0-639, the very images the reference walk-through
  evaluated on, so offline accuracy is comparable to the reference's;
* train part: test images 4000-9999 (6,000 images), for training offline.
"""

import gzip
import hashlib
import os
import sys

import numpy as np

from datasets.idx import read_idx, write_idx
from datasets.sample import SAMPLE_DIR, SAMPLE_FILES, SAMPLE_SHA256, TEST_RANGE, TRAIN_RANGE

# sha256 of the decompressed official test files.
OFFICIAL_SHA256 = {
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

README_TEMPLATE = """\
# The offline MNIST sample

Real MNIST digits shipped with the package, so that training and evaluation
run on a machine with no network. **MNIST is by Yann LeCun, Corinna Cortes
and Christopher J.C. Burges** (http://yann.lecun.com/exdb/mnist/).

All four files are slices of the **official MNIST test set**
(`t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, 10,000 images), stored as
gzip-compressed IDX files, unchanged pixel for pixel:

| part | official test indices | count | image file | label file |
|---|---|---|---|---|
| test  | {test_start}-{test_stop_incl} | {test_count} | `{test_images}` | `{test_labels}` |
| train | {train_start}-{train_stop_incl} | {train_count} | `{train_images}` | `{train_labels}` |

The test part is the first {test_count} test images, the ones the reference
walk-through evaluated on. The **train part also comes from the official test
file** (a disjoint slice of it), because the official training images are not
available offline. Results trained on this sample are therefore not
comparable to results trained on the official 60,000 training images: say so
wherever the sample is used.

Label counts (digits 0-9):

- test:  {test_counts}
- train: {train_counts}

sha256 of each file as shipped (the gzip bytes):

{file_hashes}

Regenerate with `python -m datasets.make_sample DIR`
(see `datasets/make_sample.py`).
"""


def sha256_of(path, decompress=False):
    """sha256 of a file's bytes, or of its decompressed content."""
    with open(path, "rb") as f:
        data = f.read()
    if decompress:
        data = gzip.decompress(data)
    return hashlib.sha256(data).hexdigest()


def main(source_dir):
    for name, want in OFFICIAL_SHA256.items():
        got = sha256_of(os.path.join(source_dir, name), decompress=True)
        if got != want:
            sys.exit(f"{name}: sha256 {got} is not the official {want}; refusing to build the sample")

    images = read_idx(os.path.join(source_dir, "t10k-images-idx3-ubyte.gz"), ndim=3)
    labels = read_idx(os.path.join(source_dir, "t10k-labels-idx1-ubyte.gz"), ndim=1)

    os.makedirs(SAMPLE_DIR, exist_ok=True)
    facts = {}
    for part, (start, stop) in (("test", TEST_RANGE), ("train", TRAIN_RANGE)):
        image_file, label_file = SAMPLE_FILES[part]
        write_idx(os.path.join(SAMPLE_DIR, image_file), images[start:stop])
        write_idx(os.path.join(SAMPLE_DIR, label_file), labels[start:stop])
        histogram = np.bincount(labels[start:stop], minlength=10)
        counts = ", ".join(f"{digit}: {n}" for digit, n in enumerate(histogram))
        facts.update({
            f"{part}_start": start, f"{part}_stop_incl": stop - 1, f"{part}_count": stop - start,
            f"{part}_images": image_file, f"{part}_labels": label_file, f"{part}_counts": counts,
        })

    hashes = []
    for part in ("test", "train"):
        for name in SAMPLE_FILES[part]:
            digest = sha256_of(os.path.join(SAMPLE_DIR, name))
            hashes.append(f"- `{name}`: `{digest}`")
            if digest != SAMPLE_SHA256[name]:
                # Another zlib version may compress differently; the pixels are
                # the same, but the loader checks the recorded gzip bytes.
                print(f"NOTE: update SAMPLE_SHA256[{name!r}] in datasets/sample.py to {digest!r}")
    readme = README_TEMPLATE.format(file_hashes="\n".join(hashes), **facts)
    with open(os.path.join(SAMPLE_DIR, "README.md"), "w") as f:
        f.write(readme)
    print(f"wrote the sample to {SAMPLE_DIR}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
