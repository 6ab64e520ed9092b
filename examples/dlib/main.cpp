// SPDX-License-Identifier: MIT
/* sgdr-dlib-digits -- the digits trainer of examples/digits in dlib (19.24): the same data,
 * split, batch order and flags, a 64-H-10 perceptron (loss_multiclass_log<fc<10, relu<fc<H,
 * input>>>>) trained by dlib's own dnn_trainer::train_one_step() with dlib::sgd (momentum),
 * whose learning rate libsgdr sets through set_learning_rate() after every batch. The weights
 * are kept at every cycle end, the last put back at the end; --checkpoint and --resume save
 * and continue a run through libsgdr's state blob and dlib's serialize() of the trainer (the
 * net and the solvers' momentum).
 *
 * dlib trains on the trainer's one worker thread with the reference BLAS (single-threaded),
 * so the same flags give the same output, byte for byte, and a resumed run ends bit for bit
 * as one that never stopped. */
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <dlib/dnn.h>

#include "sgdr.hpp"

extern "C" {
#include "cli.h"
#include "dataset.h"
#include "options.h"
#include "report.h"
#include "rng.h"
#include "start.h"
#include "train.h"
}
#include "epochs.hpp"

namespace {

const char *const program = "sgdr-dlib-digits";

using Image = dlib::matrix<float, 0, 1>;
using Net = dlib::loss_multiclass_log<
    dlib::fc<DIGITS_CLASSES, dlib::relu<dlib::fc<64, dlib::input<Image>>>>>;

#include "glue.hpp"

struct Failure {
    std::string message;
    int status;
};

struct Images {
    std::vector<Image> x;
    std::vector<unsigned long> y;
};

Images images_of(const dataset &d)
{
    Images im;
    for (std::size_t i = 0; i < d.n; i++) {
        Image v(DIGITS_PIXELS);
        for (long k = 0; k < DIGITS_PIXELS; k++) v(k) = static_cast<float>(d.x[i * DIGITS_PIXELS + k]);
        im.x.push_back(v);
        im.y.push_back(static_cast<unsigned long>(d.y[i]));
    }
    return im;
}

/* The test accuracy; the softmax outputs are added to `sum` when it is given. */
double accuracy(Net &net, const Images &test, std::vector<double> *sum = nullptr)
{
    dlib::resizable_tensor t;
    net.to_tensor(test.x.begin(), test.x.end(), t);
    net.subnet().forward(t);
    const float *out = net.subnet().get_output().host();
    std::size_t right = 0;
    for (std::size_t i = 0; i < test.x.size(); i++) {
        const float *z = out + i * DIGITS_CLASSES;
        const std::size_t best = static_cast<std::size_t>(std::max_element(z, z + DIGITS_CLASSES) - z);
        right += best == test.y[i];
        double total = 0;
        for (std::size_t k = 0; sum != nullptr && k < DIGITS_CLASSES; k++) total += std::exp(z[k] - z[best]);
        for (std::size_t k = 0; sum != nullptr && k < DIGITS_CLASSES; k++)
            (*sum)[i * DIGITS_CLASSES + k] += std::exp(z[k] - z[best]) / total;
    }
    return static_cast<double>(right) / static_cast<double>(test.x.size());
}

/* The mean loss over the training set (dlib's own average of the batches' losses decays over
 * 2000 of them, more than a run has). */
double training_loss(Net &net, const Images &train)
{
    dlib::resizable_tensor t;
    net.to_tensor(train.x.begin(), train.x.end(), t);
    return net.compute_loss(t, train.y.begin());
}

/* The snapshot ensemble: the mean of the snapshots' softmax outputs. */
double ensemble_accuracy(std::map<std::uint32_t, Net> &snaps, const Images &test)
{
    std::vector<double> sum(test.x.size() * DIGITS_CLASSES);
    for (auto &kv : snaps) accuracy(kv.second, test, &sum);
    std::size_t right = 0;
    for (std::size_t i = 0; i < test.x.size(); i++) {
        const double *p = sum.data() + i * DIGITS_CLASSES;
        right += static_cast<std::size_t>(std::max_element(p, p + DIGITS_CLASSES) - p) == test.y[i];
    }
    return static_cast<double>(right) / static_cast<double>(test.x.size());
}

/* The checkpoint: dlib serialize() of a tag, the hidden units, the epochs trained, libsgdr's
 * state blob and the snapshots (cycle, net), then of the trainer itself (net, solvers). */
const std::string tag = "sgdr-dlib-digits checkpoint 1";

void save(const std::string &path, Trainer &trainer, const sgdr::Scheduler &s,
          const std::map<std::uint32_t, Net> &snaps, std::uint64_t hidden, std::uint64_t epochs)
{
    std::ofstream out(path, std::ios::binary);
    dlib::serialize(tag, out);
    dlib::serialize(hidden, out);
    dlib::serialize(epochs, out);
    dlib::serialize(s.save_state(), out);
    dlib::serialize(static_cast<std::uint64_t>(snaps.size()), out);
    for (const auto &kv : snaps) {
        dlib::serialize(kv.first, out);
        dlib::serialize(kv.second, out);
    }
    serialize(trainer, out); // dlib's own, as its synchronization files (found by ADL)
    if (!out.flush()) throw Failure{"cannot write " + path, 1};
}

/* The scheduler's state is checked before the trainer and the snapshots change. */
std::uint64_t load(const std::string &path, Trainer &trainer, sgdr::Scheduler &s,
                   std::map<std::uint32_t, Net> &snaps, std::uint64_t hidden)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure{"--resume " + path + ": cannot read the file", 1};
    std::string t;
    try {
        dlib::deserialize(t, in);
    } catch (const dlib::serialization_error &) {
    }
    if (t != tag) throw Failure{path + ": not a checkpoint of " + program, 1};
    try {
        std::uint64_t saved_hidden = 0, epochs = 0, count = 0;
        std::vector<unsigned char> blob;
        std::map<std::uint32_t, Net> saved;
        dlib::deserialize(saved_hidden, in);
        if (saved_hidden != hidden)
            throw Failure{path + ": saved from another model (--hidden " +
                          std::to_string(saved_hidden) + ")", 1};
        dlib::deserialize(epochs, in);
        dlib::deserialize(blob, in);
        dlib::deserialize(count, in);
        for (std::uint64_t i = 0; i < count; i++) {
            std::uint32_t cycle = 0;
            dlib::deserialize(cycle, in);
            dlib::deserialize(saved[cycle], in);
        }
        s.load_state(blob);
        if (s.epoch() != epochs)
            throw Failure{path + ": saved after epoch " + std::to_string(epochs) +
                          ", but its scheduler has counted " + std::to_string(s.epoch()), 1};
        deserialize(trainer, in);
        snaps = saved;
        return epochs;
    } catch (const dlib::serialization_error &e) {
        throw Failure{path + ": truncated or damaged (" + e.info + ")", 1};
    }
}

void dump(const std::string &path, Net &net, std::map<std::uint32_t, Net> &snaps)
{
    std::FILE *f = std::fopen(path.c_str(), "w");
    if (f == nullptr) throw Failure{"cannot write " + path, 1};
    auto lines = [f](const std::string &label, Net &n) {
        dlib::visit_layer_parameters(n, [&](std::size_t i, dlib::tensor &t) {
            std::fprintf(f, "%s %zu", label.c_str(), i);
            for (float v : t) std::fprintf(f, " %a", static_cast<double>(v));
            std::fprintf(f, "\n");
        });
    };
    lines("final", net);
    for (auto &kv : snaps) lines("cycle" + std::to_string(kv.first + 1), kv.second);
    if (std::fclose(f) != 0) throw Failure{"cannot write " + path, 1};
}

/* dlib refuses a learning rate of 0: say so before training, naming the first such step. */
void refuse_zero_lr(const sgdr::Scheduler &s, std::uint64_t from, std::uint64_t to, int status)
{
    for (std::uint64_t step = from; step < to; step++)
        if (!(s.lr_at(step) > 0))
            throw Failure{"the schedule trains step " + std::to_string(step) +
                              " with a learning rate of 0" +
                              ", which dlib refuses (dnn_trainer::set_learning_rate: "
                              "DLIB_CASSERT(lr > 0)); raise --min-lr or --warmup-start-lr",
                          status};
}

int run(sgdr::Scheduler &s, const digits_options &o, const dataset &train_set,
        const dataset &test_set)
{
    const std::size_t spe = train_steps_per_epoch(train_set.n, o.batch_size);
    const Images train = images_of(train_set), test = images_of(test_set);
    refuse_zero_lr(s, 0, o.epochs * spe, 2);
    std::srand(static_cast<unsigned>(o.seed)); /* dlib's fc layers draw their weights from it */
    Net net;
    dlib::layer<3>(net).layer_details().set_num_outputs(static_cast<long>(o.hidden));
    Trainer trainer(net, dlib::sgd(0, static_cast<float>(o.momentum)));
    trainer.be_quiet();
    trainer.set_learning_rate_shrink_factor(1); /* no shrinking of its own: libsgdr decides */
    std::map<std::uint32_t, Net> snaps;
    std::vector<double> lr(o.epochs * spe);
    double next_lr = 0;

    std::uint64_t first = 0;
    if (o.resume != nullptr) {
        first = load(o.resume, trainer, s, snaps, o.hidden);
        char err[512];
        if (digits_resume_check(s.native_handle(), o.resume, first, spe, o.epochs, err,
                                sizeof err) != 0)
            throw Failure{err, 1};
        refuse_zero_lr(s, first * spe, o.epochs * spe, 1);
    }
    attach(s, trainer, next_lr, snaps);
    s.on_train_begin();

    report_header(s.native_handle(), &o, &train_set, &test_set, spe);
    if (first > 0) std::printf("(resumed from %s after epoch %" PRIu64 ")\n", o.resume, first);
    const digits_epochs_end e = digits_epochs(
        s, o, program, spe, first, train, lr,
        [&](const Images &batches, std::size_t epoch, double *elr) {
            train_epoch(s, trainer, next_lr, batches.x, batches.y, o.batch_size, epoch, elr);
        },
        [&](epoch_record &rec) {
            rec.loss = training_loss(trainer.get_net(), train);
            rec.test_accuracy = accuracy(trainer.get_net(), test);
        },
        [&](std::size_t epochs) { save(o.checkpoint, trainer, s, snaps, o.hidden, epochs); });
    if (e != digits_epochs_end::ended) return e == digits_epochs_end::failed ? 1 : 0;

    std::printf("\n");
    const long restored =
        snaps.empty() ? -1 : static_cast<long>(s.progress(SGDR_PROGRESS_LAST_SNAPSHOT));
    report_final(restored, snaps.size(), accuracy(trainer.get_net(), test),
                 restored >= 0 ? ensemble_accuracy(snaps, test) : 0, test_set.n, o.epochs);
    if (o.dump != nullptr) dump(o.dump, trainer.get_net(), snaps);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    cli_c_locale();
    sgdr::Scheduler s;
    digits_options o;
    dataset train_set, test_set;
    int rc = 1;
    if (digits_start(argc, argv, program,
                     "The digits trainer of sgdr-digits in dlib: a 64-H-10 perceptron trained by\n"
                     "dlib's dnn_trainer::train_one_step() with dlib::sgd (momentum), whose\n"
                     "learning rate libsgdr sets after every batch, snapshots at cycle ends, the\n"
                     "last restored at the end, and the snapshot ensemble, on the held-out test\n"
                     "images. dlib refuses a learning rate of 0: so does this trainer, before\n"
                     "training (exit status 2).\n",
                     "\nExit status: 0 on success, 2 for a bad flag or value, 1 when the data\n"
                     "cannot be read, a file written or a checkpoint loaded.\n",
                     DIGITS_ACCEPT_DUMP, s.native_handle(), &o, &train_set, &test_set, &rc) != 0)
        return rc;
    try {
        rc = run(s, o, train_set, test_set);
    } catch (const Failure &e) {
        std::fprintf(stderr, "%s: %s\n", program, e.message.c_str());
        rc = e.status;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        rc = 1;
    }
    dataset_free(&train_set);
    dataset_free(&test_set);
    return rc;
}
