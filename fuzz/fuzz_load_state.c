/* SPDX-License-Identifier: MIT */
/* fuzz_load_state.c -- libFuzzer target: sgdr_load_state on arbitrary bytes.
 *
 * Input: one control byte, then the blob. Control bit 0 makes the harness write the blob's
 * length into its header and bit 1 a valid CRC-32C over it, so that mutations reach the
 * field checks behind the framing instead of dying at the checksum; bit 2 loads into a
 * scheduler in the middle of a run instead of a fresh one.
 *
 * Checked on every input:
 * - a refused load returns a load status, leaves a message, and changes nothing: the
 *   target's saved bytes, learning rate and progress are as before;
 * - an accepted load saves back to the same bytes (a 1.0 blob) or to a 1.0 blob that loads
 *   again to the same bytes (a newer minor), calls no hook, and gives a scheduler that runs:
 *   it resumes or starts, takes batches and epoch ends without error (or, for a blob whose
 *   counters are near 2^64, until a call is refused because a counter is at its limit),
 *   every learning rate it hands over or reports is finite and >= 0, and its state still
 *   round-trips.
 * A failed check aborts (libFuzzer reports it as a crash with the input). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h" /* sgdr_crc32c */
#include "fuzz_common.h"
#include "sgdr.h"

static void check_refused_status(sgdr_status st)
{
    CHECK(st == SGDR_ETRUNCATED || st == SGDR_EMAGIC || st == SGDR_EVERSION ||
          st == SGDR_ECHECKSUM || st == SGDR_ECORRUPT);
}

/* A callback refused because the step or the epoch count is at its limit (a loaded blob may
 * hold counters just short of 2^64; fuzz/corpus/fuzz_load_state/counters-at-limit). */
static int at_limit(const sgdr_scheduler *s, sgdr_status st)
{
    uint64_t step = 0, epoch = 0;
    CHECK(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &step) == SGDR_OK);
    CHECK(sgdr_get_progress(s, SGDR_PROGRESS_EPOCH, &epoch) == SGDR_OK);
    return st == SGDR_EORDER && (step == UINT64_MAX || epoch == UINT64_MAX - 1);
}

/* Run a loaded scheduler a little: resume (or start), batches, epoch ends, the end. */
static void exercise(sgdr_scheduler *s, fuzz_host *h, unsigned rounds)
{
    uint64_t running = 0, epoch = 0, step = 0;
    double lr;
    unsigned r, b;
    CHECK(sgdr_get_progress(s, SGDR_PROGRESS_RUNNING, &running) == SGDR_OK);
    if (sgdr_on_train_begin(s) != SGDR_OK) {
        /* Only a scheduler between runs whose configuration is incomplete or invalid. */
        CHECK(!running);
        return;
    }
    CHECK(!running || h->set_lr_calls == 1);
    for (r = 0; r < rounds; r++) {
        sgdr_status st = SGDR_OK;
        for (b = 0; b < 3 && st == SGDR_OK; b++) st = sgdr_on_batch_end(s, b, NULL, 0);
        CHECK(sgdr_get_progress(s, SGDR_PROGRESS_EPOCH, &epoch) == SGDR_OK);
        if (st == SGDR_OK) {
            CHECK(sgdr_on_epoch_end(s, epoch + 1, NULL, 0) == SGDR_EEPOCH);
            st = sgdr_on_epoch_end(s, epoch, NULL, 0);
        }
        if (st != SGDR_OK) {
            CHECK(at_limit(s, st));
            break;
        }
        lr = sgdr_lr(s);
        CHECK(isfinite(lr) && lr >= 0);
    }
    CHECK(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &step) == SGDR_OK);
    fuzz_check_round_trip(s);
    CHECK(sgdr_on_train_end(s, NULL, 0) == SGDR_OK);
    fuzz_check_round_trip(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t control = size > 0 ? data[0] : 0;
    size_t len = size > 0 ? size - 1 : 0;
    /* An exact-size copy, so that any read past the blob is an ASan report. */
    unsigned char *blob = malloc(len ? len : 1);
    unsigned char saved[FUZZ_STATE_CAP];
    sgdr_scheduler *s;
    fuzz_host h;
    fuzz_view before, after;
    sgdr_status st;
    size_t n = 0;

    if (blob == NULL) return 0;
    if (len) memcpy(blob, data + 1, len);
    if ((control & 1) && len >= 16) {
        uint32_t total = (uint32_t)len;
        memcpy(blob + 12, (unsigned char[4]){(unsigned char)total, (unsigned char)(total >> 8),
                                             (unsigned char)(total >> 16),
                                             (unsigned char)(total >> 24)}, 4);
    }
    if ((control & 2) && len >= 20) {
        uint32_t crc = sgdr_crc32c(blob, len - 4);
        int i;
        for (i = 0; i < 4; i++) blob[len - 4 + i] = (unsigned char)(crc >> (8 * i));
    }

    s = (control & 4) ? fuzz_running_scheduler(&h) : fuzz_fresh_scheduler(&h);
    fuzz_view_take(s, &before);
    h.set_lr_calls = h.weight_calls = 0;
    st = sgdr_load_state(s, blob, len);
    CHECK(h.set_lr_calls == 0 && h.weight_calls == 0); /* a load calls no hook */
    if (st != SGDR_OK) {
        check_refused_status(st);
        CHECK(sgdr_last_error(s)[0] != '\0');
        fuzz_view_take(s, &after);
        CHECK(fuzz_view_same(&before, &after));
    } else {
        CHECK(sgdr_save_state(s, saved, sizeof saved, &n) == SGDR_OK);
        if (len >= 12 && blob[10] == 0 && blob[11] == 0) {
            /* Format 1.0: only canonical blobs are accepted, so they save back as given. */
            CHECK(n == len && memcmp(saved, blob, n) == 0);
        }
        fuzz_check_round_trip(s);
        exercise(s, &h, (control >> 3) & 7);
    }
    sgdr_destroy(s);
    free(blob);
    return 0;
}
