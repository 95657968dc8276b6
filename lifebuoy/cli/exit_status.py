"""Exit codes of the ``lifebuoy`` command, in one place."""

from enum import IntEnum


class ExitStatus(IntEnum):
    SUCCESS = 0
    ERROR = 1
    USAGE = 2
    FINDINGS = 3  # the doctor found problems at warning severity or above
    INTERRUPTED = 130
