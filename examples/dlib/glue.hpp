// SPDX-License-Identifier: MIT
/* glue.hpp -- libsgdr in a dlib training loop: the hooks and one epoch (included once, by
 * main.cpp; docs/guides/dlib.md shows this file in full). */

using Trainer = dlib::dnn_trainer<Net>; // SGD with momentum (dlib::sgd), the default solver

// set_lr keeps the next batch's rate and train_epoch hands it to dlib just before that batch:
// at a cycle's end libsgdr passes the cycle's last value (min_lr, maybe 0) before the restart,
// and dlib's set_learning_rate() refuses 0 (DLIB_CASSERT(lr > 0), also in release builds).
void attach(sgdr::Scheduler &s, Trainer &trainer, double &next_lr,
            std::map<std::uint32_t, Net> &snaps)
{
    s.set_lr_hooks(nullptr, [&next_lr](double lr) { next_lr = lr; });
    s.set_weight_hooks([&](std::uint32_t cycle) { snaps[cycle] = trainer.get_net(); },
                       [&](std::uint32_t cycle) { trainer.get_net() = snaps.at(cycle); });
}

// One epoch: the images x, y (in this epoch's order) in batches; lr[b] gets the rate batch b
// trained with, read back from the trainer.
void train_epoch(sgdr::Scheduler &s, Trainer &trainer, const double &next_lr,
                 const std::vector<Image> &x, const std::vector<unsigned long> &y,
                 std::size_t batch, std::uint64_t epoch, double *lr)
{
    for (std::size_t b = 0, from = 0; from < x.size(); b++, from += batch) {
        trainer.set_learning_rate(next_lr); // waits until the batch before has trained
        lr[b] = trainer.get_learning_rate();
        trainer.train_one_step(x.begin() + from, x.begin() + std::min(from + batch, x.size()),
                               y.begin() + from);
        s.on_batch_end(b);
    }
    s.on_epoch_end(epoch);
}
