# SPDX-License-Identifier: MIT
"""Shared helpers of the binding's tests: paths, golden vectors, the digits data set."""
import gzip
import os

import numpy as np

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GOLDEN = os.path.join(TOP, "tests", "golden")
DIGITS = os.path.join(TOP, "data", "digits.csv.gz")

_INT_KEYS = ("steps_per_epoch", "cycle_length", "epochs", "warmup_epochs", "max_cycles",
             "cycle_warmup_steps")


class Golden:
    """One golden vector file: its configuration, lrs per batch, snapshot/restore epochs."""

    def __init__(self, path):
        self.name = os.path.basename(path)
        self.config, self.snapshot_epochs, self.restored_epoch = {}, [], None
        self.lrs = []
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("# mode="):
                    for kv in line[2:].split():
                        k, v = kv.split("=")
                        self.config[k] = v if k == "mode" else (
                            int(v) if k in _INT_KEYS else float(v))
                elif line.startswith("# snapshot_epochs="):
                    v = line.split("=", 1)[1]
                    self.snapshot_epochs = [] if v == "none" else [int(x) for x in v.split(",")]
                elif line.startswith("# restored_epoch="):
                    v = line.split("=", 1)[1]
                    self.restored_epoch = None if v == "none" else int(v)
                elif line and line[0].isdigit():
                    self.lrs.append(float(line.split(",")[2]))

    def scheduler_kwargs(self):
        c = self.config
        return dict(min_lr=c["min_lr"], max_lr=c["max_lr"],
                    steps_per_epoch=c["steps_per_epoch"], lr_decay=c["lr_decay"],
                    cycle_length=c["cycle_length"], mult_factor=c["mult_factor"],
                    restart_mode=c["mode"], warmup_epochs=c["warmup_epochs"],
                    warmup_start_lr=c["warmup_start_lr"], max_cycles=c["max_cycles"],
                    cycle_warmup_steps=c.get("cycle_warmup_steps", 0))


def golden_files():
    return sorted(os.path.join(GOLDEN, f) for f in os.listdir(GOLDEN) if f.endswith(".csv"))


def load_digits():
    """(pixels scaled to 0..1 as float32 [1797, 64], labels int64 [1797])."""
    with gzip.open(DIGITS, "rt") as f:
        data = np.loadtxt(f, delimiter=",")
    return (data[:, :64] / 16.0).astype(np.float32), data[:, 64].astype(np.int64)
