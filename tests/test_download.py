"""Tests for downloading without the internet: a loopback HTTP server and file:// mirrors.

The server runs in a thread on 127.0.0.1 with a port chosen by the OS. Each
path it serves can be made to misbehave: serve wrong bytes (a corrupt
mirror), answer 404, or close the connection halfway through the body (an
interrupted transfer). After every failure the destination directory must
hold no half-written file, temporary or final.
"""

import gzip
import hashlib
import http.server
import os
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

import datasets
from datasets import mnist
from datasets.download import Checksum, DownloadError, download
from datasets.idx import idx_bytes

# The official MNIST files, where the loader looks for them first ($SMPC_DATA_DIR/mnist);
# the tests that need them are skipped when they are not there.
OFFICIAL_MNIST = Path(os.environ.get("SMPC_DATA_DIR", "/nonexistent")) / "mnist"

PAYLOAD = gzip.compress(idx_bytes(np.arange(50_000, dtype=np.int32)), mtime=0)
GOOD = Checksum(md5=hashlib.md5(PAYLOAD).hexdigest())


class Mirror(http.server.ThreadingHTTPServer):
    """A tiny file server: ``files`` maps URL path -> bytes; ``broken`` maps path -> how it fails."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.files, self.broken, self.requests = {}, {}, []

    def url(self, prefix):
        return f"http://127.0.0.1:{self.server_address[1]}/{prefix}/"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server wants
        server = self.server
        server.requests.append(self.path)
        body = server.files.get(self.path)
        how = server.broken.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if how == "interrupt":
            # Promise the whole file, send half, hang up.
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def server():
    srv = Mirror()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def leftovers(directory):
    """Every file in ``directory``, hidden ones (the temporary .part files) included."""
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


def quiet(line):
    pass


def test_download_from_loopback(server, tmp_path):
    server.files["/a/f.gz"] = PAYLOAD
    path = download("f.gz", [server.url("a")], tmp_path, GOOD, timeout=5, log=quiet)
    assert Path(path).read_bytes() == PAYLOAD
    assert leftovers(tmp_path) == ["f.gz"]


def test_download_from_file_url(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f.gz").write_bytes(PAYLOAD)
    path = download("f.gz", [(tmp_path / "src").as_uri()], tmp_path / "dst", GOOD, log=quiet)
    assert Path(path).read_bytes() == PAYLOAD
    assert leftovers(tmp_path / "dst") == ["f.gz"]


def test_corrupt_first_mirror_falls_through_to_the_second(server, tmp_path):
    server.files["/bad/f.gz"] = PAYLOAD[:-10] + b"0123456789"  # same size, wrong bytes
    server.files["/good/f.gz"] = PAYLOAD
    lines = []
    path = download("f.gz", [server.url("bad"), server.url("good")], tmp_path, GOOD,
                    timeout=5, log=lines.append)
    assert Path(path).read_bytes() == PAYLOAD
    assert server.requests == ["/bad/f.gz", "/good/f.gz"]
    assert any("checksum mismatch" in line for line in lines)
    assert leftovers(tmp_path) == ["f.gz"]


def test_interrupted_transfer_leaves_nothing_behind(server, tmp_path):
    server.files["/a/f.gz"] = PAYLOAD
    server.broken["/a/f.gz"] = "interrupt"
    with pytest.raises(DownloadError) as info:
        download("f.gz", [server.url("a")], tmp_path, GOOD, timeout=5, log=quiet)
    assert server.url("a") + "f.gz" in str(info.value)
    assert "transfer ended after" in str(info.value)
    assert leftovers(tmp_path) == []


def test_interrupted_first_mirror_then_good_second(server, tmp_path):
    server.files["/a/f.gz"] = server.files["/b/f.gz"] = PAYLOAD
    server.broken["/a/f.gz"] = "interrupt"
    path = download("f.gz", [server.url("a"), server.url("b")], tmp_path, GOOD, timeout=5, log=quiet)
    assert Path(path).read_bytes() == PAYLOAD
    assert leftovers(tmp_path) == ["f.gz"]


def test_all_mirrors_bad_gives_a_clear_error(server, tmp_path):
    server.files["/corrupt/f.gz"] = b"<html>an error page</html>"
    missing = tmp_path / "nowhere"
    mirrors = [server.url("corrupt"), server.url("absent"), missing.as_uri()]
    with pytest.raises(DownloadError) as info:
        download("f.gz", mirrors, tmp_path / "dst", GOOD, timeout=5, log=quiet)
    message = str(info.value)
    assert "could not download f.gz" in message
    assert "checksum mismatch" in message and "404" in message
    for mirror in mirrors:
        assert mirror.rstrip("/") + "/f.gz" in message
    assert leftovers(tmp_path / "dst") == []


def test_failure_after_the_transfer_still_removes_the_temporary_file(tmp_path, monkeypatch):
    """Even an unexpected error (here: fsync fails) leaves no .part file."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f.gz").write_bytes(PAYLOAD)

    def broken_fsync(fd):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(DownloadError, match="disk on fire"):
        download("f.gz", [(tmp_path / "src").as_uri()], tmp_path / "dst", GOOD, log=quiet)
    assert leftovers(tmp_path / "dst") == []


def test_recompressed_copy_accepted_by_content_sha256(tmp_path):
    """A mirror that re-gzipped the file: md5 differs, decompressed sha256 matches."""
    raw = gzip.decompress(PAYLOAD)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f.gz").write_bytes(gzip.compress(raw, compresslevel=1))
    checksum = Checksum(md5="0" * 32, sha256=hashlib.sha256(raw).hexdigest())
    path = download("f.gz", [(tmp_path / "src").as_uri()], tmp_path / "dst", checksum, log=quiet)
    assert gzip.decompress(Path(path).read_bytes()) == raw


# --- through load_dataset --------------------------------------------------

@pytest.fixture
def isolated(tmp_path, monkeypatch):
    monkeypatch.delenv("SMPC_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(mnist.FASHION_MNIST, "system_dirs", [])
    return tmp_path


@pytest.mark.skipif(not (OFFICIAL_MNIST / "t10k-images-idx3-ubyte.gz").exists(),
                    reason="the official MNIST test files are not in $SMPC_DATA_DIR/mnist")
def test_load_dataset_downloads_real_mnist_into_the_cache(server, isolated):
    """The real test files, checked against the real MNIST checksums, cached once."""
    for name in mnist.SPLIT_FILES["test"]:
        server.files[f"/mnist/{name}"] = (OFFICIAL_MNIST / name).read_bytes()
    split = datasets.load_dataset("mnist", "test", mirrors=[server.url("mnist")], log=quiet)
    assert split.images.shape == (10000, 28, 28)
    assert leftovers(mnist.cache_dir("mnist")) == sorted(mnist.SPLIT_FILES["test"])
    # A second load finds the cached files and asks no mirror.
    datasets.load_dataset("mnist", "test", mirrors=[server.url("mnist")], log=quiet)
    assert len(server.requests) == 2


def test_load_dataset_downloads_into_data_dir(server, isolated, monkeypatch):
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 256, (4, 28, 28), dtype=np.uint8), np.arange(4, dtype=np.uint8)]
    checksums = {}
    for name, array in zip(mnist.SPLIT_FILES["train"], arrays):
        body = gzip.compress(idx_bytes(array))
        server.files[f"/fm/{name}"] = body
        checksums[name] = Checksum(md5=hashlib.md5(body).hexdigest())
    monkeypatch.setattr(mnist.FASHION_MNIST, "checksums", checksums)
    images, labels = datasets.load_dataset("fashion-mnist", "train", data_dir=isolated / "d",
                                           mirrors=[server.url("fm")], log=quiet)
    np.testing.assert_array_equal(images, arrays[0])
    assert leftovers(isolated / "d") == sorted(mnist.SPLIT_FILES["train"])


def test_offline_with_no_files_explains_what_to_do(isolated):
    # A port that was just free: connecting to it is refused at once.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(datasets.DatasetNotFoundError) as info:
        datasets.load_dataset("mnist", "test", mirrors=[f"http://127.0.0.1:{port}/"],
                              timeout=5, log=quiet)
    message = str(info.value)
    assert "missing t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz" in message
    assert mnist.cache_dir("mnist") in message
    assert "Downloading failed" in message and f"127.0.0.1:{port}" in message
    assert "data_dir" in message and "SMPC_DATA_DIR" in message and "load_dataset('sample')" in message
    assert leftovers(mnist.cache_dir("mnist")) == []


def test_mirror_lists_are_the_documented_ones():
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/" in mnist.MNIST.mirrors
    assert "https://storage.googleapis.com/cvdf-datasets/mnist/" in mnist.MNIST.mirrors
    assert mnist.FASHION_MNIST.system_dirs == ["/usr/share/datasets/fashion-mnist"]
    for info in mnist.DATASETS.values():
        assert set(info.checksums) == {n for pair in mnist.SPLIT_FILES.values() for n in pair}
