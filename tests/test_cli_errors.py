"""smpc-train refuses every bad option before any work, and shows every error as its
message alone: a non-zero exit, the message on stderr, never a traceback.

The command runs in-process through ``main()`` (fast); two cases also run as a real
process, to see exactly what a user sees.
"""
import gzip
import os
import subprocess
import sys

import numpy as np
import pytest

from datasets import mnist
from datasets.idx import idx_bytes, write_idx
from experiments import train_mnist

DATA = ["--dataset", "mnist", "--train-size", "5", "--test-size", "5", "--epochs", "1", "--quiet"]


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No data directory from the environment, a private cache, no system directories,
    and every download attempt recorded (none may happen in these tests)."""
    monkeypatch.delenv("SMPC_DATA_DIR", raising=False)
    monkeypatch.delenv("SMPC_TRACEBACK", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(mnist.FASHION_MNIST, "system_dirs", [str(tmp_path / "no-debian")])
    attempts = []
    monkeypatch.setattr(mnist, "download_file", lambda *a, **k: attempts.append(a) or None)
    return tmp_path, attempts


@pytest.fixture
def no_work(monkeypatch):
    """Fails the test if the command starts loading data (that is: any work)."""
    calls = []
    monkeypatch.setattr(train_mnist, "load_data", lambda args: calls.append(args) or 1 / 0)
    return calls


def run_cli(argv, capsys):
    """Run smpc-train in-process; return (exit status, stdout + stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        train_mnist.main(argv)
    captured = capsys.readouterr()
    code = exit_info.value.code
    text = captured.out + captured.err + ("" if isinstance(code, int) or code is None else str(code))
    status = code if isinstance(code, int) else 1  # SystemExit("message") exits with 1
    return status, text


def assert_refused(status, text, message):
    assert status not in (0, None), text
    assert message in text, text
    assert "Traceback" not in text and 'File "' not in text, text


# -- options, all refused before any work ----------------------------------------------------
BAD_OPTIONS = [
    (["--lr", "inf"], "--lr inf: must be a finite number"),
    (["--lr", "nan"], "must be a number above 0, got nan"),
    (["--lr", "0"], "above 0, got 0"),
    (["--lr", "-1"], "above 0, got -1"),
    (["--lr", "1e-9"], "--lr 1e-09: rounds to 0 with --precision 16"),
    (["--lr", "1e6"], "--lr 1000000.0: outside the fixed-point range [-32768, 32768]"),
    (["--lr", "0.0001", "--precision", "10:3"], "rounds to 0 with --precision 10:3"),
    (["--momentum", "1e-9"], "--momentum 1e-09: rounds to 0"),
    (["--momentum", "1.5"], "must be in [0, 1)"),
    (["--momentum", "nan"], "must be in [0, 1)"),
    (["--precision", "0"], "fixed point needs at least one fractional bit"),
    (["--precision", "10:0"], "fixed point needs at least one fractional bit"),
    (["--precision", "abc"], "number of fractional bits such as 16, or base:digits"),
    (["--precision", "10:12"], "leaves no room for the integer part"),
    (["--precision", "3:4"], "base must be 2 or 10"),
    (["--seed", "-1"], "--seed -1: must be a whole number from 0 to 4294967295"),
    (["--seed", str(2 ** 40)], "must be a whole number from 0 to"),
    (["--seed", "1.5"], "invalid int value"),
    (["--plot", "/no/such/directory/curves.png"], "the directory /no/such/directory does not exist"),
    (["--plot", "curves.xyz"], "unknown image format 'xyz'"),
    (["--mode", "secret"], "--mode 'secret': choose from"),
    (["--mode", ","], "names no mode"),
    (["--mode", "plaintext,plaintext"], "names a mode twice"),
    (["--epochs", "0"], "at least 1, got 0"),
    (["--train-size", "-5"], "at least 1, got -5"),
    (["--batch-size", "0"], "at least 1, got 0"),
    (["--test-batch-size", "x"], "invalid positive_int value"),
    (["--log-interval", "0"], "at least 1, got 0"),
    (["--activation", "tanh"], "invalid choice"),
    (["--truncation", "approximate"], "invalid choice"),
    (["--comparison", "garbled"], "invalid choice"),
    (["--dataset", "cifar"], "invalid choice"),
    (["--data-dir", "/tmp"], "--data-dir applies to --dataset mnist or fashion-mnist"),
    (["--dataset", "mnist", "--data-dir", "/no/such/data"], "'/no/such/data' does not exist"),
    (["--dataset", "mnist", "--data-dir", __file__], "is not a directory"),
    (["--no-such-option"], "unrecognized arguments"),
]


@pytest.mark.parametrize("argv, message", BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS])
def test_every_bad_option_is_refused_before_any_work(argv, message, capsys, no_work, isolated):
    status, text = run_cli(argv, capsys)
    assert_refused(status, text, message)
    assert not no_work, "the command started loading data before refusing the option"
    assert not isolated[1]


def test_a_plot_into_a_directory_is_refused(tmp_path, capsys, no_work):
    status, text = run_cli(["--plot", str(tmp_path)], capsys)
    assert_refused(status, text, "is a directory; give a file name")


def test_a_missing_data_dir_is_not_created(tmp_path, capsys, isolated):
    missing = tmp_path / "not-there"
    status, text = run_cli(DATA + ["--data-dir", str(missing)], capsys)
    assert_refused(status, text, "does not exist")
    assert not missing.exists()


def test_more_images_than_the_sample_has(capsys):
    status, text = run_cli(["--train-size", "100000"], capsys)
    assert_refused(status, text, "larger than the")


# -- data: missing, corrupt, inconsistent -------------------------------------------------------
def write_split(directory, split, n=5, labels=None):
    rng = np.random.default_rng(0)
    image_name, label_name = mnist.SPLIT_FILES[split]
    os.makedirs(directory, exist_ok=True)
    write_idx(os.path.join(directory, image_name), rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
    write_idx(os.path.join(directory, label_name),
              rng.integers(0, 10, n, dtype=np.uint8) if labels is None else labels)
    return [os.path.join(directory, name) for name in (image_name, label_name)]


def _bad_magic(path):
    open(path, "wb").write(gzip.compress(b"\x01\x02\x08\x03" + bytes(20)))


def _truncated_gzip(path):
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) // 2])


def _empty(path):
    open(path, "wb").close()


def _truncated_payload(path):
    raw = gzip.decompress(open(path, "rb").read())
    open(path, "wb").write(gzip.compress(raw[:-100]))


def _trailing_bytes(path):
    raw = gzip.decompress(open(path, "rb").read())
    open(path, "wb").write(gzip.compress(raw + b"junk"))


def _labels_in_place_of_images(path):
    open(path, "wb").write(gzip.compress(idx_bytes(np.zeros(5, np.uint8))))


def _directory(path):
    os.remove(path)
    os.makedirs(path)


def _garbage(path):
    open(path, "wb").write(b"<html>404 Not Found</html>")


CORRUPT_IMAGES = [
    (_bad_magic, "bad magic number"),
    (_truncated_gzip, "gzip stream is corrupt or truncated"),
    (_empty, "file too short for an IDX header"),
    (_truncated_payload, "payload truncated"),
    (_trailing_bytes, "trailing bytes"),
    (_labels_in_place_of_images, "wrong number of dimensions"),
    (_garbage, "bad magic number"),
    (_directory, "missing t10k-images-idx3-ubyte.gz"),
]


@pytest.mark.parametrize("damage, message", CORRUPT_IMAGES,
                         ids=[d.__name__[1:] for d, _ in CORRUPT_IMAGES])
def test_every_damaged_data_file_gives_its_message_alone(damage, message, isolated, capsys):
    tmp_path, attempts = isolated
    data_dir = tmp_path / "data"
    write_split(data_dir, "train")
    images, _ = write_split(data_dir, "test")
    damage(images)
    status, text = run_cli(DATA + ["--data-dir", str(data_dir)], capsys)
    assert_refused(status, text, message)
    assert not attempts, "an explicit --data-dir is used alone: nothing is downloaded"


def test_images_and_labels_of_different_counts(isolated, capsys):
    data_dir = isolated[0] / "data"
    write_split(data_dir, "train")
    write_split(data_dir, "test", n=5, labels=np.zeros(7, np.uint8))
    status, text = run_cli(DATA + ["--data-dir", str(data_dir)], capsys)
    assert_refused(status, text, "do not belong together")


def test_labels_outside_0_to_9(isolated, capsys):
    data_dir = isolated[0] / "data"
    write_split(data_dir, "train", labels=np.array([0, 1, 12, 3, 4], np.uint8))
    write_split(data_dir, "test")
    status, text = run_cli(DATA + ["--data-dir", str(data_dir)], capsys)
    assert_refused(status, text, "labels must be 0-9")


def test_an_empty_data_dir_reports_the_missing_files_and_downloads_nothing(isolated, capsys):
    tmp_path, attempts = isolated
    (tmp_path / "empty").mkdir()
    status, text = run_cli(DATA + ["--data-dir", str(tmp_path / "empty")], capsys)
    assert_refused(status, text, "MNIST: missing train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz")
    assert "--data-dir DIR takes the files from DIR alone" in text
    assert not attempts


def test_offline_with_the_data_set_missing_downloads_nothing(isolated, capsys):
    tmp_path, attempts = isolated
    status, text = run_cli(["--dataset", "fashion-mnist", "--offline", "--quiet"], capsys)
    assert_refused(status, text, "Fashion-MNIST: missing")
    assert str(tmp_path / "cache") in text  # where it looked
    assert not attempts


def test_online_a_failed_download_is_not_repeated_for_every_file(isolated, monkeypatch, capsys):
    """Without --data-dir and --offline, missing files are downloaded; when the first
    cannot be had from any mirror, the others are not tried one after another."""
    _, attempts = isolated
    def unreachable(filename, *args, **kwargs):
        attempts.append(filename)
        raise mnist.DownloadError(f"could not download {filename}: network unreachable")
    monkeypatch.setattr(mnist, "download_file", unreachable)
    status, text = run_cli(["--dataset", "mnist", "--quiet"], capsys)
    assert_refused(status, text, "network unreachable")
    assert attempts == ["train-images-idx3-ubyte.gz"]


def test_an_unexpected_error_is_one_line_too(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise KeyError("weights")
    monkeypatch.setattr(train_mnist, "load_data", broken)
    status, text = run_cli(["--quiet"], capsys)
    assert_refused(status, text, "KeyError: 'weights' (an internal error; rerun with SMPC_TRACEBACK=1")


# -- what a user sees from a real process --------------------------------------------------------
def _command(argv, env_extra):
    env = {**os.environ, **env_extra}
    env.pop("SMPC_TRACEBACK", None)
    return subprocess.run([sys.executable, "-m", "experiments.train_mnist", *argv],
                          capture_output=True, text=True, timeout=120, env=env,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_a_real_process_shows_only_the_message(tmp_path):
    data_dir = tmp_path / "data"
    write_split(data_dir, "train")
    images, _ = write_split(data_dir, "test")
    _truncated_gzip(images)
    result = _command(DATA + ["--data-dir", str(data_dir)], {"XDG_CACHE_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.startswith("smpc-train: error: ") and "gzip stream is corrupt" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    result = _command(["--lr", "inf"], {})
    assert result.returncode == 2 and "--lr inf: must be a finite number" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("argv, message", [(["--images", "0"], "--images 0: must be a whole number"),
                                           (["--epochs", "-2"], "--epochs -2: must be a whole number")])
def test_the_prediction_command_refuses_bad_options_too(argv, message, capsys, no_work):
    from experiments import predict_command as predict
    with pytest.raises(SystemExit) as exit_info:
        predict.main(argv)
    captured = capsys.readouterr()
    assert_refused(exit_info.value.code, captured.err, message)
