"""Exceptions that the command line turns into clear messages and exit codes.

InputError     bad input (scenario, file, value): exit code 2, nothing written.
ModelHealthError  the run diverged (NaN, infinity or a negative value): exit code 3.
"""


class InputError(Exception):
    """Bad input. The message names the file, the key/line/variable, the bad value and what is valid."""


class ModelHealthError(RuntimeError):
    """A process produced an invalid concentration; the message names species, cell, process and time."""
