/* SPDX-License-Identifier: MIT */
/* checkpoint.h -- one file that resumes a run of sgdr-digits or sgdr-digits-mpi: the
 * weights, the momentum buffers, the end-of-cycle snapshots and libsgdr's state blob, after
 * a whole number of epochs.
 *
 * Layout (host byte order and doubles: a checkpoint moves between processes of one cluster,
 * not between architectures; the blob inside is portable on its own, see
 * docs/STATE_FORMAT.md):
 *   "SGDRDPC1"                              8 bytes
 *   epochs trained, parameters P, snapshots K, blob length B    4 x uint64
 *   weights, momentum                        2 x P doubles
 *   K x (cycle as uint64, P doubles)
 *   the blob                                 B bytes */
#ifndef DIGITS_CHECKPOINT_H
#define DIGITS_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "mlp.h"
#include "sgdr.h"
#include "snapshots.h"
#include "strbuf.h"

/* Append the checkpoint of `m`, `snaps` and `s` after `epochs` epochs to `b`. Returns 0, or
 * -1 with a message in err. */
int checkpoint_build(strbuf *b, const mlp *m, const snapshot_set *snaps,
                     const sgdr_scheduler *s, uint64_t epochs, char *err, size_t cap);

/* Put the checkpoint `data` (len bytes, read from `name`) into a model built with the same
 * --hidden, an empty snapshot set and a scheduler with its hooks, and return the epochs it
 * had trained in *epochs. Checks everything before changing the scheduler; returns 0, or -1
 * with a message in err naming the file and what is wrong. */
int checkpoint_load(const unsigned char *data, size_t len, const char *name, mlp *m,
                    snapshot_set *snaps, sgdr_scheduler *s, uint64_t *epochs, char *err,
                    size_t cap);

/* Read the file at `path` whole into *data (malloc'ed, the caller frees it). Returns 0, or -1
 * with a message in err naming the file. */
int checkpoint_read(const char *path, unsigned char **data, size_t *len, char *err, size_t cap);

#endif
