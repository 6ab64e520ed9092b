#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The digits trainer (examples/digits) data-parallel with torch.distributed.

N ranks on the CPU (gloo), started as processes by this one, which watches them: when a rank
fails or is killed, it names that rank and stops the others (a rank left alone inside a
collective would wait forever), and the run exits non-zero. Each rank trains its part of
every batch in a DistributedDataParallel model, which averages the gradients, and runs its
own sgdr.torch.SGDR scheduler; the ranks check at every epoch's end that their learning
rates and weights agree bit for bit. Rank 0 prints, writes the checkpoint (torch.save of the
model's, the optimizer's and the scheduler's state_dict) and reads it back for a resume.

The data, the train/test split and the batch order are those of the C trainers (the same
SplitMix64 shuffles), so the batches are the same; the model is PyTorch's (float32).

    SGDR_LIBRARY=build/release/libsgdr.so.1 /usr/bin/python3 examples/ddp/train.py --ranks 2
"""
import argparse
import gzip
import hashlib
import math
import multiprocessing.connection
import os
import signal
import struct
import sys
import tempfile
import time
import traceback

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

try:
    import sgdr.torch
except ImportError:  # not installed: the binding of this source tree
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "bindings", "python"))
    import sgdr.torch
from sgdr import Progress

PROGRAM = "train.py"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SPLIT_SEED, TEST_FRACTION = 2017, 0.2  # examples/digits/dataset.h
MASK = (1 << 64) - 1


class SplitMix64:
    """examples/digits/rng.c, so that the split and the batches are the C trainers'."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def shuffle(self, idx):
        for i in range(len(idx), 1, -1):
            j = int((self.next() >> 11) * (1.0 / 9007199254740992.0) * i)
            idx[i - 1], idx[j] = idx[j], idx[i - 1]


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROGRAM, description="Train the digits perceptron data-parallel "
        "(DistributedDataParallel, gloo, CPU) with sgdr.torch.SGDR on every rank.")
    s = p.add_argument_group("schedule (steps_per_epoch is the number of global batches)")
    s.add_argument("--min-lr", type=float, default=0.001)
    s.add_argument("--max-lr", type=float, default=0.1)
    s.add_argument("--cycle-length", type=int, default=2)
    s.add_argument("--mult-factor", type=float, default=2)
    s.add_argument("--lr-decay", type=float, default=1)
    s.add_argument("--restart-mode", default="peak", choices=["peak", "keras-seed"])
    s.add_argument("--warmup-epochs", type=int, default=0)
    s.add_argument("--warmup-start-lr", type=float, default=0.0)
    s.add_argument("--max-cycles", type=int, default=0)
    s.add_argument("--cycle-warmup-steps", type=int, default=0)
    t = p.add_argument_group("training")
    t.add_argument("--epochs", type=int, default=30)
    t.add_argument("--batch-size", type=int, default=32,
                   help="images per batch over all ranks (default 32)")
    t.add_argument("--hidden", type=int, default=64)
    t.add_argument("--momentum", type=float, default=0.9)
    t.add_argument("--seed", type=int, default=1, help="initial weights and batch order")
    t.add_argument("--data", default=os.path.join(ROOT, "data", "digits.csv.gz"))
    d = p.add_argument_group("data-parallel")
    d.add_argument("--ranks", type=int, default=2, help="processes to spawn (default 2)")
    d.add_argument("--lr-csv", metavar="PREFIX",
                   help="each rank writes PREFIX.rank<N>.csv: step,epoch,lr of every batch")
    d.add_argument("--checkpoint", metavar="PATH",
                   help="with --stop-after-epoch: rank 0 saves model, optimizer, scheduler")
    d.add_argument("--stop-after-epoch", type=int, metavar="E",
                   help="stop every rank after epoch E (1-based)")
    d.add_argument("--resume", metavar="PATH", help="continue from a checkpoint")
    d.add_argument("--weights-out", metavar="PATH",
                   help="rank 0 saves the final weights, optimizer state and snapshots")
    d.add_argument("--finish-timeout", type=float, default=60, metavar="SECONDS",
                   help="once a rank has ended, how long the others may take to end before "
                   "they are named and stopped (default 60)")
    d.add_argument("--skew-rank", type=int, metavar="R",
                   help="test flag: rank R's max_lr is one bit higher, which the per-epoch "
                   "check must catch")
    a = p.parse_args(argv)
    if (a.checkpoint is None) != (a.stop_after_epoch is None):
        p.error("--checkpoint and --stop-after-epoch go together")
    if a.stop_after_epoch is not None and not 1 <= a.stop_after_epoch < a.epochs:
        p.error("--stop-after-epoch %d: expected 1 to --epochs - 1 (%d)"
                % (a.stop_after_epoch, a.epochs - 1))
    if a.ranks < 1:
        p.error("--ranks %d: expected 1 or more" % a.ranks)
    if not 0 < a.finish_timeout < math.inf:
        p.error("--finish-timeout %g: expected a number of seconds above 0" % a.finish_timeout)
    if a.skew_rank is not None and not 0 <= a.skew_rank < a.ranks:
        p.error("--skew-rank %d: there are ranks 0 to %d" % (a.skew_rank, a.ranks - 1))
    for name in ("epochs", "batch_size", "hidden"):
        if getattr(a, name) < 1:
            p.error("--%s %d: expected 1 or more" % (name.replace("_", "-"), getattr(a, name)))
    return a


def load_digits(path):
    """(train_x, train_y, test_x, test_y): the C trainers' split."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        data = np.loadtxt(f, delimiter=",", dtype=np.float64)
    idx = list(range(len(data)))
    SplitMix64(SPLIT_SEED).shuffle(idx)
    n_test = int(len(data) * TEST_FRACTION + 0.5)
    x = torch.from_numpy((data[:, :64] / 16).astype(np.float32))
    y = torch.from_numpy(data[:, 64].astype(np.int64))
    test, train = torch.tensor(idx[:n_test]), torch.tensor(idx[n_test:])
    return x[train], y[train], x[test], y[test]


def bits(x):
    """The int64 with the bits of the double x."""
    return struct.unpack("<q", struct.pack("<d", x))[0]


def fingerprint(model):
    """A 64-bit hash of the weights' bytes, as an int64: equal weights, equal fingerprints."""
    h = hashlib.blake2b(digest_size=8)
    for v in model.state_dict().values():
        h.update(v.detach().contiguous().numpy().tobytes())
    return struct.unpack("<q", h.digest())[0]


def ranks_agree(rank, world, words, epoch, spe):
    """Every rank's words (learning rates of the epoch, weight fingerprint) must be equal:
    the MIN and MAX over the ranks are equal exactly then. Otherwise rank 0 names every rank
    that differs from the words most ranks hold (rank 0's on a tie)."""
    t = torch.tensor(words, dtype=torch.int64)
    lo, hi = t.clone(), t.clone()
    dist.all_reduce(lo, op=dist.ReduceOp.MIN)
    dist.all_reduce(hi, op=dist.ReduceOp.MAX)
    if torch.equal(lo, hi):
        return True
    every = [torch.empty_like(t) for _ in range(world)]
    dist.all_gather(every, t)
    if rank == 0:
        every = [e.tolist() for e in every]
        ref = max(range(world), key=lambda r: (every.count(every[r]), -r))
        for r in range(world):
            diff = [i for i in range(len(words)) if every[r][i] != every[ref][i]]
            if not diff:
                continue
            i = diff[0]
            if i < spe:
                lr = [struct.unpack("<d", struct.pack("<q", every[q][i]))[0] for q in (r, ref)]
                print("%s: epoch %d: rank %d's learning rates differ from rank %d's: step %d "
                      "trained with %.17g on rank %d and %.17g on rank %d (every rank must "
                      "configure its scheduler the same)"
                      % (PROGRAM, epoch + 1, r, ref, epoch * spe + i, lr[0], r, lr[1], ref),
                      file=sys.stderr)
            else:
                print("%s: epoch %d: rank %d's weights differ from rank %d's"
                      % (PROGRAM, epoch + 1, r, ref), file=sys.stderr)
    return False


def accuracy_text(model, x, y):
    with torch.no_grad():
        right = int((model(x).argmax(1) == y).sum())
    return right / len(y), "%.4f (%d of %d images)" % (right / len(y), right, len(y))


def worker(rank, world, a, rendezvous, first_failure):
    torch.set_num_threads(1)  # the ranks share the cores
    try:
        dist.init_process_group("gloo", init_method="file://" + rendezvous, rank=rank,
                                world_size=world)
        status = train(rank, world, a)
    except BaseException:  # noqa: BLE001 -- any failure of this rank ends the run
        with first_failure.get_lock():
            if first_failure.value < 0:
                first_failure.value = rank
        traceback.print_exc()
        print("%s: rank %d failed" % (PROGRAM, rank), file=sys.stderr)
        sys.stderr.flush()
        # no process group teardown: it can wait for ranks that wait for this one
        os._exit(1)
    dist.destroy_process_group()
    sys.exit(status)


def train(rank, world, a):
    x, y, test_x, test_y = load_digits(a.data)
    n = len(x)
    spe = (n + a.batch_size - 1) // a.batch_size  # global batches: the optimizer's steps
    torch.manual_seed(a.seed)  # the same initial weights on every rank
    model = torch.nn.Sequential(torch.nn.Linear(64, a.hidden), torch.nn.ReLU(),
                                torch.nn.Linear(a.hidden, 10))
    ddp = DistributedDataParallel(model)
    opt = torch.optim.SGD(model.parameters(), lr=a.max_lr, momentum=a.momentum)
    max_lr = a.max_lr if rank != a.skew_rank else math.nextafter(a.max_lr, math.inf)
    sched = sgdr.torch.SGDR(opt, min_lr=a.min_lr, max_lr=max_lr, steps_per_epoch=spe,
                            lr_decay=a.lr_decay, cycle_length=a.cycle_length,
                            mult_factor=a.mult_factor, restart_mode=a.restart_mode,
                            warmup_epochs=a.warmup_epochs, warmup_start_lr=a.warmup_start_lr,
                            max_cycles=a.max_cycles, cycle_warmup_steps=a.cycle_warmup_steps,
                            model=model, keep_snapshots=None)
    first = 0
    if a.resume:
        # rank 0 reads, every rank receives the same objects (no shared file system needed)
        box = [None]
        if rank == 0:
            try:
                box[0] = torch.load(a.resume)
            except Exception as e:  # any unreadable file: say which and why
                box[0] = "--resume %s: %s" % (a.resume, e)
        dist.broadcast_object_list(box, src=0)
        ckpt = box[0]
        if isinstance(ckpt, str):
            if rank == 0:
                print("%s: %s" % (PROGRAM, ckpt), file=sys.stderr)
            return 1
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        with sgdr.Scheduler(0, 1, 1) as saved:
            saved.load_state(ckpt["scheduler"]["sgdr_state"])
            saved_spe = saved.get_param("steps_per_epoch")
        # Another global batch (--batch-size) is another number of steps per epoch: the run
        # goes on at the same epoch with the schedule of a run that had it from the start.
        sched.load_state_dict(ckpt["scheduler"], steps_per_epoch=spe)
        first = ckpt["epoch"]
        if sched.scheduler.progress(Progress.EPOCH) != first or first >= a.epochs:
            if rank == 0:
                print("%s: --resume %s: saved after epoch %d; this run has --epochs %d"
                      % (PROGRAM, a.resume, first, a.epochs), file=sys.stderr)
            return 1
    if rank == 0:
        print("data-parallel: %d torch.distributed ranks (gloo), each trains its part of "
              "every batch" % world)
        print("digits: %d training and %d test images (%s), perceptron 64-%d-10, batch %d "
              "(%d batches per epoch), momentum %g, seed %d"
              % (n, len(test_y), os.path.basename(a.data), a.hidden, a.batch_size, spe,
                 a.momentum, a.seed))
        print("SGDR (%s restarts): min_lr %g, max_lr %g, cycle_length %d, mult_factor %g, "
              "lr_decay %g; %d epochs\n" % (a.restart_mode, a.min_lr, a.max_lr,
                                            a.cycle_length, a.mult_factor, a.lr_decay,
                                            a.epochs))
        print("epoch  lr high    lr low     train loss  test acc")
        if first:
            print("(resumed from %s after epoch %d, saved with %d steps per epoch)"
                  % (a.resume, first, saved_spe))
        sys.stdout.flush()

    order = list(range(n))
    rng = SplitMix64(a.seed)
    for _ in range(first):  # the shuffles of the epochs already trained: the same batches
        rng.shuffle(order)
    lrs = []
    stop = a.stop_after_epoch if a.checkpoint else a.epochs
    for epoch in range(first, stop):
        rng.shuffle(order)
        snaps_before = sched.scheduler.progress(Progress.SNAPSHOTS)
        epoch_lrs, loss_sum = [], 0.0
        for b in range(spe):
            batch = order[b * a.batch_size:(b + 1) * a.batch_size]
            k = len(batch)
            mine = torch.tensor(batch[k * rank // world:k * (rank + 1) // world],
                                dtype=torch.int64)
            epoch_lrs.append(opt.param_groups[0]["lr"])
            opt.zero_grad()
            # DDP averages the ranks' gradients (sum / world): scaling each rank's summed
            # loss by world / k makes that the mean over the whole batch of k images.
            loss = torch.nn.functional.cross_entropy(ddp(x[mine]), y[mine], reduction="sum")
            (loss * (world / k)).backward()
            opt.step()
            sched.step()
            total = loss.detach().reshape(1)
            dist.all_reduce(total)
            loss_sum += total.item() / k
        lrs += epoch_lrs
        words = [bits(lr) for lr in epoch_lrs] + [fingerprint(model)]
        if not ranks_agree(rank, world, words, epoch, spe):
            return 1
        if rank == 0:
            acc, _ = accuracy_text(model, test_x, test_y)
            line = "%5d  %-10.4g %-10.4g %8.4f  %8.4f" % (
                epoch + 1, max(epoch_lrs), min(epoch_lrs), loss_sum / spe, acc)
            if sched.scheduler.progress(Progress.SNAPSHOTS) > snaps_before:
                line += "  end of cycle %d: snapshot %d" % (
                    sched.scheduler.progress(Progress.LAST_SNAPSHOT) + 1,
                    sched.scheduler.progress(Progress.SNAPSHOTS))
            print(line)
            sys.stdout.flush()

    if a.lr_csv:
        with open("%s.rank%d.csv" % (a.lr_csv, rank), "w") as f:
            f.write("step,epoch,lr\n")
            for i, lr in enumerate(lrs, first * spe):
                f.write("%d,%d,%.17g\n" % (i, i // spe, lr))
    if a.checkpoint:
        if rank == 0:
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                        "scheduler": sched.state_dict(), "epoch": stop}, a.checkpoint)
            print("\nstopped after epoch %d: wrote %s" % (stop, a.checkpoint))
        dist.barrier()  # no rank leaves before the checkpoint is complete
        return 0

    sched.finish()  # every rank loads the last cycle's weights back
    if rank == 0:
        snaps = sched.snapshots
        if snaps:
            _, text = accuracy_text(model, test_x, test_y)
            print("\nrestored snapshot (end of cycle %d): test accuracy %s"
                  % (max(snaps) + 1, text))
            with torch.no_grad():
                probs = 0
                for cycle in sorted(snaps):
                    model.load_state_dict(snaps[cycle])
                    probs = probs + torch.softmax(model(test_x), 1) / len(snaps)
                model.load_state_dict(snaps[max(snaps)])
            right = int((probs.argmax(1) == test_y).sum())
            print("snapshot ensemble (%d snapshots, mean of softmax outputs): test accuracy "
                  "%.4f (%d of %d images)" % (len(snaps), right / len(test_y), right,
                                              len(test_y)))
        else:
            print("\nno cycle completed in %d epochs, no snapshot: final weights: test "
                  "accuracy %s" % (a.epochs, accuracy_text(model, test_x, test_y)[1]))
        if a.weights_out:
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                        "snapshots": sched.snapshots}, a.weights_out)
    return 0


def make_output_dirs(a):
    """The directories of the files the run writes, created now rather than found missing
    after training."""
    for path in (a.lr_csv, a.checkpoint, a.weights_out):
        if path:
            parent = os.path.dirname(os.path.abspath(path))
            try:
                os.makedirs(parent, exist_ok=True)
            except OSError as e:
                sys.exit("%s: cannot create the directory of %s: %s" % (PROGRAM, path, e))


def how(exitcode):
    if exitcode < 0:
        try:
            return "was killed by %s" % signal.Signals(-exitcode).name
        except ValueError:
            return "was killed by signal %d" % -exitcode
    return "exited with status %d" % exitcode


def run_ranks(a, rendezvous):
    """Start the ranks and wait for them. When one fails, name it (a rank killed by a signal,
    else the first that raised, else the first seen to exit non-zero), stop the others and
    return 1. A rank still running --finish-timeout seconds after another ended with status 0
    is named and stopped too (it waits for something that will not come)."""
    ctx = mp.get_context("spawn")
    first_failure = ctx.Value("i", -1)
    procs = [ctx.Process(target=worker, args=(r, a.ranks, a, rendezvous, first_failure))
             for r in range(a.ranks)]
    for p in procs:
        p.start()
    ended = None  # (rank, time) of the first rank seen to end with status 0
    while True:
        running = [p for p in procs if p.exitcode is None]
        failed = [r for r, p in enumerate(procs) if p.exitcode not in (None, 0)]
        if failed or not running:
            break
        if ended is None and len(running) < len(procs):
            ended = (next(r for r, p in enumerate(procs) if p.exitcode == 0), time.monotonic())
        left = None if ended is None else ended[1] + a.finish_timeout - time.monotonic()
        if left is not None and left <= 0:
            late = [r for r, p in enumerate(procs) if p.exitcode is None]
            print("%s: rank %d ended; rank%s %s still run%s %g s later; stopping %s"
                  % (PROGRAM, ended[0], "s" if len(late) > 1 else "", ", ".join(map(str, late)),
                     "" if len(late) > 1 else "s", a.finish_timeout,
                     "them" if len(late) > 1 else "it"), file=sys.stderr)
            stop(procs)
            return 1
        multiprocessing.connection.wait([p.sentinel for p in running], left)
    if not failed:
        return 0
    killed = [r for r in failed if procs[r].exitcode < 0]
    if not killed and first_failure.value < 0:
        # a failure status returned, which every rank comes to (they check together)
        for p in procs:
            p.join(10)
    culprit = killed[0] if killed else first_failure.value if first_failure.value >= 0 \
        else failed[0]
    others = [r for r, p in enumerate(procs) if p.exitcode is None]
    if not (killed or others or first_failure.value >= 0):
        return 1  # every rank said why
    print("%s: rank %d %s%s" % (PROGRAM, culprit, how(procs[culprit].exitcode),
                                "; stopping rank%s %s" % ("s" if len(others) > 1 else "",
                                                          ", ".join(map(str, others)))
                                if others else ""), file=sys.stderr)
    stop(procs)
    return 1


def stop(procs):
    """Terminate the ranks still running; kill those still there 10 s later."""
    for p in procs:
        if p.exitcode is None:
            p.terminate()
    for p in procs:
        p.join(10)
        if p.exitcode is None:
            p.kill()
            p.join()


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    make_output_dirs(a)
    with tempfile.TemporaryDirectory() as tmp:
        return run_ranks(a, os.path.join(tmp, "rendezvous"))


if __name__ == "__main__":
    sys.exit(main())
