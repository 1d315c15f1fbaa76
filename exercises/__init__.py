"""Exercises: re-implement the core pieces of the framework, and test them with pytest.

Each file ``exercises/exN_*.py`` is one exercise. Its functions are stubs: the docstring
of each function is the task, and its body raises :class:`ExerciseNotDone` until you
replace it with your own code. Every exercise belongs to a tutorial; read that tutorial
first. Then run the exercise's tests against your code, for example for exercise 2::

    pytest tests/exercises -m ex_beaver --implementation=learner

Without ``--implementation=learner`` the same tests run against the framework's own code
(the "reference"), which is what CI does. See ``exercises/README.md`` for the list.
"""

__all__ = ["ExerciseNotDone", "EXERCISES"]

# number -> (pytest marker, title, tutorial to read, the file to fill in)
EXERCISES = {
    1: ("ex_sharing", "additive secret sharing",
        "tutorials/01_fixed_point_and_secret_sharing.py", "exercises/ex1_sharing.py"),
    2: ("ex_beaver", "Beaver multiplication",
        "tutorials/02_parties_dealer_and_beaver.py", "exercises/ex2_beaver.py"),
    3: ("ex_truncation", "two-party local truncation",
        "tutorials/03_truncation.py", "exercises/ex3_truncation.py"),
    4: ("ex_private_compare", "SecureNN PrivateCompare",
        "tutorials/04_securenn_private_compare.py", "exercises/ex4_private_compare.py"),
    5: ("ex_drelu", "ComputeMSB and DReLU",
        "tutorials/05_securenn_share_convert_msb_drelu.py", "exercises/ex5_drelu.py"),
    6: ("ex_mul_backward", "MulBackward",
        "tutorials/06_autograd_on_shares.py", "exercises/ex6_mul_backward.py"),
    7: ("ex_matmul_backward", "MatmulBackward",
        "tutorials/06_autograd_on_shares.py", "exercises/ex7_matmul_backward.py"),
}


class ExerciseNotDone(Exception):
    """Raised by an exercise stub that the learner has not filled in yet.

    ``raise ExerciseNotDone(2, "beaver_multiply")`` gives the message::

        Exercise 2 (Beaver multiplication) is not done yet: read
        tutorials/02_parties_dealer_and_beaver.py, then fill in beaver_multiply() in
        exercises/ex2_beaver.py

    It is deliberately not a ``NotImplementedError``: the test suite recognises it and
    reports the pointer alone, without a traceback.
    """

    def __init__(self, number, function=None):
        marker, title, tutorial, path = EXERCISES[number]
        where = f"{function}() in {path}" if function else path
        self.number, self.marker, self.tutorial, self.path = number, marker, tutorial, path
        super().__init__(f"Exercise {number} ({title}) is not done yet: read {tutorial}, "
                         f"then fill in {where}")
