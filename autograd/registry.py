"""A small registry of Function classes, by name.

Every differentiable operation in this package is a :class:`~autograd.function.Function`
subclass, and each one registers itself here once, under its name::

    @register
    class Mul(Function):
        ...

Why keep a registry at all, when ``Tensor.__mul__`` simply calls ``Mul.apply``? Three
small reasons, each worth a few lines:

* **One name, one meaning.** The tape prints records by name ("Mul", "Sum", ...). If two
  classes claimed the same name, a printed tape would be ambiguous, so registering a
  second class under a taken name is an error (a ``ValueError`` naming both classes).
* **A table of contents.** ``REGISTRY.names()`` lists every operation the autograd knows,
  which the tutorials print and the tests use to make sure that *every* registered
  Function has a gradient check (a new Function without a test fails the suite).
* **Exercises.** A learner re-implementing ``MulBackward`` builds it in a fresh
  :class:`FunctionRegistry` of their own and is told at once about a name clash.

There is no dispatch by name anywhere: Tensor methods call their Function classes
directly, so reading ``tensor.py`` tells you exactly what runs.
"""


class FunctionRegistry:
    """A mapping from name to Function class that refuses duplicates."""

    def __init__(self):
        self._functions = {}

    def register(self, function_class, name=None):
        """Add ``function_class`` under ``name`` (default: its ``name`` attribute).

        Returns the class, so that ``register`` works as a class decorator.
        Raises ``ValueError`` if the name is taken by another class.
        """
        name = name or getattr(function_class, "name", None) or function_class.__name__
        existing = self._functions.get(name)
        if existing is not None:
            raise ValueError(
                f"cannot register {_qualified(function_class)} as {name!r}: that name is "
                f"already taken by {_qualified(existing)}. Give the new Function a "
                f"different name (class attribute `name`) or use a separate FunctionRegistry."
            )
        self._functions[name] = function_class
        return function_class

    def get(self, name):
        """The Function class registered as ``name`` (a ``KeyError`` listing the names if absent)."""
        try:
            return self._functions[name]
        except KeyError:
            raise KeyError(f"no Function named {name!r}; known: {', '.join(self.names())}") from None

    def names(self):
        """All registered names, sorted."""
        return sorted(self._functions)

    def __contains__(self, name):
        return name in self._functions

    def __len__(self):
        return len(self._functions)

    def __iter__(self):
        return iter(self.names())

    def __repr__(self):
        return f"FunctionRegistry({', '.join(self.names())})"


def _qualified(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


#: The registry that all of autograd's own Functions live in.
REGISTRY = FunctionRegistry()


def register(function_class):
    """Class decorator: add ``function_class`` to the global :data:`REGISTRY`."""
    return REGISTRY.register(function_class)
