/* SPDX-License-Identifier: MIT */
/* epochs.hpp -- the epochs of a C++ digits trainer (examples/tinydnn, examples/dlib): the
 * batch order shuffled as every digits trainer shuffles it, an epoch line per epoch, and
 * --stop-after-epoch's checkpoint; the framework's part comes in as two callables. */
#ifndef DIGITS_EPOCHS_HPP
#define DIGITS_EPOCHS_HPP

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "sgdr.hpp"
extern "C" {
#include "options.h"
#include "report.h"
#include "rng.h"
}

enum class digits_epochs_end { ended, stopped, failed };

/* Trains epochs first .. o.epochs-1 of `train` (any type with vectors x and y of the same
 * length). For each: train_epoch(batches, epoch, lr) trains the epoch's batches in order and
 * writes the rate of each into lr[0 .. spe-1]; measure(record) fills the record's loss and
 * test accuracy. lr holds o.epochs * spe rates. After epoch o.stop_after, save(epochs) writes
 * the checkpoint and the run stops (stopped); otherwise on_train_end() ends it (ended). The
 * --lr-csv file is written either way; failed after its message. */
template <class Images, class TrainEpoch, class Measure, class Save>
digits_epochs_end digits_epochs(sgdr::Scheduler &s, const digits_options &o, const char *program,
                                std::size_t spe, std::uint64_t first, const Images &train,
                                std::vector<double> &lr, TrainEpoch train_epoch,
                                Measure measure, Save save)
{
    report_progress pr{s.native_handle(), o.epochs};
    std::vector<std::size_t> order(train.x.size());
    rng r;
    rng_order_start(&r, order.data(), order.size(), o.seed, first);
    Images batches;
    std::size_t end = o.epochs;
    for (std::size_t epoch = first; epoch < o.epochs; epoch++) {
        const std::uint64_t before = s.snapshots();
        rng_shuffle(&r, order.data(), order.size());
        batches.x.clear();
        batches.y.clear();
        for (std::size_t i : order) {
            batches.x.push_back(train.x[i]);
            batches.y.push_back(train.y[i]);
        }
        double *elr = lr.data() + epoch * spe;
        train_epoch(batches, epoch, elr);
        epoch_record rec{};
        report_lr_range(&rec, elr, spe);
        measure(rec);
        rec.snapshot = s.snapshots() > before;
        rec.cycle = static_cast<std::uint32_t>(s.progress(SGDR_PROGRESS_LAST_SNAPSHOT));
        report_epoch(&pr, epoch, &rec);
        if (epoch + 1 == o.stop_after) {
            save(epoch + 1);
            end = epoch + 1;
            break;
        }
    }
    if (end == o.epochs) s.on_train_end();
    if (o.lr_csv != nullptr &&
        report_lr_csv(program, o.lr_csv, lr.data(), first * spe, end * spe, spe) != 0)
        return digits_epochs_end::failed;
    if (end == o.epochs) return digits_epochs_end::ended;
    std::printf("\ncheckpoint after epoch %zu: %s\n", end, o.checkpoint);
    return digits_epochs_end::stopped;
}

#endif
