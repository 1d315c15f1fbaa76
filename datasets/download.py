"""Downloading a file from a list of mirrors, checked and written atomically.

Three rules make a download safe to interrupt at any moment:

1. **Never write to the final name directly.** The bytes go into a temporary
   file in the *same directory* (so the final rename does not cross file
   systems), which is flushed and ``fsync``-ed before it is renamed with
   ``os.replace``. A rename is atomic: anyone looking at the final name sees
   either nothing or the whole file, never half of it.
2. **Check before renaming.** The file must match a known checksum; a bad
   mirror, a proxy's error page or a truncated transfer is thrown away.
3. **Clean up on every failure.** The temporary file is deleted whatever went
   wrong (network error, bad checksum, even Ctrl-C), then the next mirror is
   tried.

The mirrors are plain URL prefixes, so ``http://``, ``https://`` and
``file://`` all work: the tests use a loopback server and file URLs.
"""

import gzip
import hashlib
import os
import tempfile
import urllib.request
import zlib

_CHUNK = 1 << 16


class DownloadError(OSError):
    """No mirror gave a correct copy of the file."""


class Checksum:
    """What a good copy of a file looks like.

    ``md5`` is the md5 of the file as published (the official ``.gz``).
    ``sha256`` is, when known, the sha256 of the *decompressed* content: it
    also accepts a mirror that re-compressed the file, since the gzip bytes
    then differ but the data inside is the same. Either one matching is enough.
    """

    def __init__(self, md5=None, sha256=None):
        if md5 is None and sha256 is None:
            raise ValueError("a Checksum needs an md5 or a sha256")
        self.md5 = md5
        self.sha256 = sha256

    def matches(self, path):
        """True if the file at ``path`` is a good copy."""
        if self.md5 is not None and file_digest(path, "md5") == self.md5:
            return True
        if self.sha256 is not None:
            try:
                with open(path, "rb") as f:
                    raw = f.read()
                if raw[:2] == b"\x1f\x8b":
                    raw = gzip.decompress(raw)
            except (OSError, EOFError, zlib.error):
                return False  # corrupt gzip: certainly not a good copy
            return hashlib.sha256(raw).hexdigest() == self.sha256
        return False

    def __repr__(self):
        return f"Checksum(md5={self.md5!r}, sha256={self.sha256!r})"


def file_digest(path, algorithm):
    """Hex digest of a file, read in chunks so large files need little memory."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _fetch_to(url, tmp_file, timeout):
    """Stream ``url`` into the open file ``tmp_file``; raise if it ends early."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        expected = response.headers.get("Content-Length")  # None if the server did not say
        received = 0
        for chunk in iter(lambda: response.read(_CHUNK), b""):
            tmp_file.write(chunk)
            received += len(chunk)
    # When a server hangs up early, read() may just return fewer bytes
    # instead of raising, so compare the count with what was promised.
    if expected is not None and received != int(expected):
        raise OSError(f"transfer ended after {received} of {expected} bytes")
    tmp_file.flush()
    os.fsync(tmp_file.fileno())


def download(filename, mirrors, dest_dir, checksum, timeout=30.0, log=print):
    """Fetch ``filename`` from the first mirror that has a good copy.

    ``mirrors`` is a list of URL prefixes; the URL tried is ``mirror +
    filename`` (a missing ``/`` is added). The good copy ends up as
    ``dest_dir/filename`` and that path is returned. If every mirror fails,
    :class:`DownloadError` lists what went wrong with each one, and nothing is
    left in ``dest_dir``.
    """
    os.makedirs(dest_dir, exist_ok=True)
    final_path = os.path.join(dest_dir, filename)
    failures = []
    for mirror in mirrors:
        url = mirror if mirror.endswith("/") else mirror + "/"
        url += filename
        # A hidden name, so a half-done file never looks like a dataset file.
        fd, tmp_path = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=dest_dir)
        try:
            with os.fdopen(fd, "wb") as tmp_file:
                log(f"downloading {url}")
                _fetch_to(url, tmp_file, timeout)
            if not checksum.matches(tmp_path):
                raise OSError(f"checksum mismatch (wanted {checksum})")
            os.replace(tmp_path, final_path)
            return final_path
        except Exception as err:  # noqa: BLE001 - any failure means: next mirror
            failures.append(f"  {url}: {err}")
            log(f"  failed: {err}")
        finally:
            # After a successful os.replace the temp name is gone already.
            if os.path.exists(tmp_path):
                os.remove(tmp_path)
    raise DownloadError(
        f"could not download {filename}: no mirror gave a good copy.\n"
        + "\n".join(failures or ["  (no mirrors were given)"])
    )
