"""Protocol choices that apply to a whole run, with a context manager to change them.

* ``truncation``: how a fixed-point product is scaled back (see :mod:`smpc.truncation`).
* ``comparison``: which protocol compares secret-shared values.

Change them for a block with ``with smpc.config.using(truncation="exact"): ...``
or for the rest of the run with ``smpc.config.settings.truncation = "exact"``.
"""
from contextlib import contextmanager
from dataclasses import dataclass

TRUNCATION_METHODS = ("local", "masked", "exact")
COMPARISON_METHODS = ("securenn", "binary")


@dataclass
class Settings:
    truncation: str = "local"
    comparison: str = "securenn"

    def check(self):
        if self.truncation not in TRUNCATION_METHODS:
            raise ValueError(f"truncation must be one of {TRUNCATION_METHODS}, got {self.truncation!r}")
        if self.comparison not in COMPARISON_METHODS:
            raise ValueError(f"comparison must be one of {COMPARISON_METHODS}, got {self.comparison!r}")


settings = Settings()


@contextmanager
def using(**changes):
    """Temporarily change settings: ``with using(truncation="exact"): ...``."""
    for name in changes:
        if not hasattr(settings, name):
            raise AttributeError(f"unknown setting {name!r}; known: truncation, comparison")
    old = {name: getattr(settings, name) for name in changes}
    for name, value in changes.items():
        setattr(settings, name, value)
    try:
        settings.check()
        yield settings
    finally:
        for name, value in old.items():
            setattr(settings, name, value)
