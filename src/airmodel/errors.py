"""Exceptions that the command line turns into clear messages and exit codes.

InputError     bad input (scenario, file, value): exit code 2, nothing written.
ModelHealthError  the run diverged (NaN, infinity or a negative value) or its budget stopped closing: exit code 3.
OutputWriteError  an output could not be written (a full disk, a file-size limit): exit code 4, nothing at its path.
"""


class InputError(Exception):
    """Bad input. The message names the file, the key/line/variable, the bad value and what is valid."""


class ModelHealthError(RuntimeError):
    """A process produced an invalid concentration or mass from nowhere; the message names species, cell, process
    and time."""


class OutputWriteError(Exception):
    """Writing an output failed part-way (the disk is full, a file-size limit, an I/O error); the message names the
    file and the reason; ``path`` is the output, ``reason`` why it failed."""

    def __init__(self, message: str, path=None, reason: str = ""):
        super().__init__(message)
        self.path, self.reason = path, reason
