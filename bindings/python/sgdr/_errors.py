# SPDX-License-Identifier: MIT
"""The exception every libsgdr failure raises."""
from ._enums import Status
from ._lib import lib


def strerror(status):
    """The library's fixed description of a status code."""
    return lib.sgdr_strerror(int(status)).decode()


class SGDRError(Exception):
    """A libsgdr call failed.

    `status` is the Status code, `message` the library's message naming the problem and the
    value (sgdr_last_error). When a Python hook raised, that exception is `__cause__`.
    """

    def __init__(self, status, message):
        try:
            status = Status(status)
        except ValueError:
            status = int(status)
        super().__init__(status, message)
        self.status = status
        self.message = message

    def __str__(self):
        name = self.status.name if isinstance(self.status, Status) else str(self.status)
        return "%s [SGDR_%s]" % (self.message or strerror(self.status), name)
