// SPDX-License-Identifier: MIT
/* sgdr-tinydnn-digits -- the digits trainer of examples/digits in tiny-dnn (header-only
 * C++14): the same data, split, batch order and flags, a 64-H-10 perceptron
 * (fully_connected_layer<relu>, fully_connected_layer<softmax>) trained by tiny-dnn's own
 * network::train() with its momentum optimizer, whose learning rate (the float `alpha`)
 * libsgdr sets after every batch. The weights are kept at every cycle end, the last put back
 * at the end; --checkpoint and --resume save and continue a run through libsgdr's state blob
 * and tiny-dnn's cereal serialization.
 *
 * Built with CNN_SINGLE_THREAD: tiny-dnn then trains on one thread, so the same flags give
 * the same output, byte for byte, and a resumed run ends bit for bit as one that never
 * stopped. */
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <cereal/archives/binary.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <tiny_dnn/tiny_dnn.h>

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

const char *const program = "sgdr-tinydnn-digits";

using Net = tiny_dnn::network<tiny_dnn::sequential>;
using Weights = std::vector<tiny_dnn::vec_t>;

#include "glue.hpp"

Net make_net(std::size_t hidden)
{
    const auto h = static_cast<tiny_dnn::serial_size_t>(hidden);
    Net net;
    net << tiny_dnn::fully_connected_layer<tiny_dnn::activation::relu>(DIGITS_PIXELS, h)
        << tiny_dnn::fully_connected_layer<tiny_dnn::activation::softmax>(h, DIGITS_CLASSES);
    net.init_weight();
    return net;
}

struct Failure {
    std::string message;
};

struct Images {
    std::vector<tiny_dnn::vec_t> x;
    std::vector<tiny_dnn::label_t> y;
    std::vector<tiny_dnn::vec_t> t; /* y one-hot, for get_loss() */
};

Images images_of(const dataset &d)
{
    Images im;
    for (std::size_t i = 0; i < d.n; i++) {
        im.x.emplace_back(d.x + i * DIGITS_PIXELS, d.x + (i + 1) * DIGITS_PIXELS);
        im.y.push_back(static_cast<tiny_dnn::label_t>(d.y[i]));
        im.t.emplace_back(DIGITS_CLASSES, tiny_dnn::float_t(0));
        im.t.back()[im.y.back()] = 1;
    }
    return im;
}

/* The test accuracy; the softmax outputs are added to `sum` when it is given. */
double accuracy(Net &net, const Images &test, std::vector<double> *sum = nullptr)
{
    std::size_t right = 0;
    for (std::size_t i = 0; i < test.x.size(); i++) {
        tiny_dnn::vec_t p = net.predict(test.x[i]);
        std::size_t best = 0;
        for (std::size_t k = 0; k < p.size(); k++) {
            if (p[k] > p[best]) best = k;
            if (sum) (*sum)[i * DIGITS_CLASSES + k] += p[k];
        }
        right += best == test.y[i];
    }
    return static_cast<double>(right) / static_cast<double>(test.x.size());
}

/* The snapshot ensemble: the mean of the snapshots' softmax outputs; the net's own weights
 * are back afterwards. */
double ensemble_accuracy(Net &net, std::map<std::uint32_t, Weights> &snaps, const Images &test)
{
    std::vector<double> sum(test.x.size() * DIGITS_CLASSES);
    Weights own;
    copy_weights(net, own, true);
    for (auto &kv : snaps) {
        copy_weights(net, kv.second, false);
        accuracy(net, test, &sum);
    }
    copy_weights(net, own, false);
    std::size_t right = 0;
    for (std::size_t i = 0; i < test.x.size(); i++) {
        std::size_t best = 0;
        for (std::size_t k = 1; k < DIGITS_CLASSES; k++)
            if (sum[i * DIGITS_CLASSES + k] > sum[i * DIGITS_CLASSES + best]) best = k;
        right += best == test.y[i];
    }
    return static_cast<double>(right) / static_cast<double>(test.x.size());
}

/* The checkpoint: one cereal binary archive of a tag, the epochs trained, libsgdr's state
 * blob, the momentum velocities and snapshots (in the order of copy_weights) and the net's
 * weights through tiny-dnn's own to_archive(). */
const std::string tag = "sgdr-tinydnn-digits checkpoint 1";

Weights velocities(Net &net, Momentum &opt)
{
    Weights v;
    for (std::size_t i = 0; i < net.depth(); i++)
        for (tiny_dnn::vec_t *w : net[i]->weights()) {
            auto it = opt.velocity().find(w);
            v.push_back(it != opt.velocity().end() ? it->second : tiny_dnn::vec_t());
        }
    return v;
}

void save(const std::string &path, Net &net, Momentum &opt, const sgdr::Scheduler &s,
          const std::map<std::uint32_t, Weights> &snaps, std::uint64_t epochs)
{
    std::ostringstream bytes;
    {
        cereal::BinaryOutputArchive ar(bytes);
        std::vector<unsigned char> blob = s.save_state();
        ar(tag, epochs, blob, velocities(net, opt), snaps);
        net.to_archive(ar, tiny_dnn::content_type::weights);
    }
    std::ofstream out(path, std::ios::binary);
    out << bytes.str();
    if (!out.flush()) throw Failure{"cannot write " + path};
}

/* Everything is read before anything changes, the scheduler's state checked first. */
std::uint64_t load(const std::string &path, Net &net, Momentum &opt, sgdr::Scheduler &s,
                   std::map<std::uint32_t, Weights> &snaps)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure{"--resume " + path + ": cannot read the file"};
    std::string t;
    std::uint64_t epochs = 0;
    std::vector<unsigned char> blob;
    Weights velocity, weights;
    std::map<std::uint32_t, Weights> saved;
    Net copy = make_net(1); /* its own layers: from_archive() gives them the saved shapes */
    try {
        cereal::BinaryInputArchive ar(in);
        ar(t);
        if (t != tag) throw Failure{path + ": not a checkpoint of " + program};
        ar(epochs, blob, velocity, saved);
        copy.from_archive(ar, tiny_dnn::content_type::weights);
    } catch (const cereal::Exception &e) {
        throw Failure{path + ": truncated or damaged (" + e.what() + ")"};
    } catch (const std::length_error &) {
        throw Failure{path + ": not a checkpoint of " + program};
    }
    copy_weights(copy, weights, true);
    Weights own;
    copy_weights(net, own, true);
    bool same_shape = weights.size() == own.size() && velocity.size() == own.size();
    for (std::size_t i = 0; same_shape && i < own.size(); i++)
        same_shape = weights[i].size() == own[i].size();
    if (!same_shape) throw Failure{path + ": saved from another model (--hidden)"};
    s.load_state(blob);
    if (s.epoch() != epochs)
        throw Failure{path + ": saved after epoch " + std::to_string(epochs) +
                      ", but its scheduler has counted " + std::to_string(s.epoch())};
    copy_weights(net, weights, false);
    std::size_t k = 0;
    for (std::size_t i = 0; i < net.depth(); i++)
        for (tiny_dnn::vec_t *w : net[i]->weights())
            if (!velocity[k++].empty()) opt.velocity()[w] = velocity[k - 1];
    snaps = saved;
    return epochs;
}

void dump(const std::string &path, Net &net, const std::map<std::uint32_t, Weights> &snaps)
{
    std::FILE *f = std::fopen(path.c_str(), "w");
    if (f == nullptr) throw Failure{"cannot write " + path};
    Weights own;
    copy_weights(net, own, true);
    auto lines = [f](const std::string &label, const Weights &w) {
        for (std::size_t i = 0; i < w.size(); i++) {
            std::fprintf(f, "%s %zu", label.c_str(), i);
            for (tiny_dnn::float_t v : w[i]) std::fprintf(f, " %a", static_cast<double>(v));
            std::fprintf(f, "\n");
        }
    };
    lines("final", own);
    for (const auto &kv : snaps) lines("cycle" + std::to_string(kv.first + 1), kv.second);
    if (std::fclose(f) != 0) throw Failure{"cannot write " + path};
}

int run(sgdr::Scheduler &s, const digits_options &o, const dataset &train_set,
        const dataset &test_set)
{
    const std::size_t spe = train_steps_per_epoch(train_set.n, o.batch_size);
    const Images train = images_of(train_set), test = images_of(test_set);
    tiny_dnn::set_random_seed(static_cast<unsigned>(o.seed));
    Net net = make_net(o.hidden);
    Momentum opt;
    opt.mu = static_cast<tiny_dnn::float_t>(o.momentum);
    std::map<std::uint32_t, Weights> snaps;
    std::vector<double> lr(o.epochs * spe);

    std::uint64_t first = 0;
    if (o.resume != nullptr) {
        first = load(o.resume, net, opt, s, snaps);
        char err[512];
        if (digits_resume_check(s.native_handle(), o.resume, first, spe, o.epochs, err,
                                sizeof err) != 0)
            throw Failure{err};
    }
    attach(s, net, opt, snaps);
    s.on_train_begin();

    report_header(s.native_handle(), &o, &train_set, &test_set, spe);
    if (first > 0) std::printf("(resumed from %s after epoch %" PRIu64 ")\n", o.resume, first);
    const digits_epochs_end e = digits_epochs(
        s, o, program, spe, first, train, lr,
        [&](const Images &batches, std::size_t epoch, double *elr) {
            train_epoch(s, net, opt, batches.x, batches.y, o.batch_size, epoch, elr);
        },
        [&](epoch_record &rec) {
            /* tiny-dnn's train() reports no loss: the mean over the training set after the
             * epoch */
            rec.loss = static_cast<double>(net.get_loss<tiny_dnn::cross_entropy_multiclass>(
                           train.x, train.t)) /
                       static_cast<double>(train.x.size());
            rec.test_accuracy = accuracy(net, test);
        },
        [&](std::size_t epochs) { save(o.checkpoint, net, opt, s, snaps, epochs); });
    if (e != digits_epochs_end::ended) return e == digits_epochs_end::failed ? 1 : 0;

    std::printf("\n");
    const long restored =
        snaps.empty() ? -1 : static_cast<long>(s.progress(SGDR_PROGRESS_LAST_SNAPSHOT));
    report_final(restored, snaps.size(), accuracy(net, test),
                 restored >= 0 ? ensemble_accuracy(net, snaps, test) : 0, test_set.n, o.epochs);
    if (o.dump != nullptr) dump(o.dump, net, snaps);
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
                     "The digits trainer of sgdr-digits in tiny-dnn: a 64-H-10 perceptron trained\n"
                     "by tiny-dnn's network::train() with its momentum optimizer (float), whose\n"
                     "learning rate libsgdr sets after every batch, snapshots at cycle ends, the\n"
                     "last restored at the end, and the snapshot ensemble, on the held-out test\n"
                     "images.\n",
                     "\nExit status: 0 on success, 2 for a bad flag or value, 1 when the data\n"
                     "cannot be read, a file written or a checkpoint loaded.\n",
                     DIGITS_ACCEPT_DUMP, s.native_handle(), &o, &train_set, &test_set, &rc) != 0)
        return rc;
    try {
        rc = run(s, o, train_set, test_set);
    } catch (const Failure &e) {
        std::fprintf(stderr, "%s: %s\n", program, e.message.c_str());
        rc = 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        rc = 1;
    }
    dataset_free(&train_set);
    dataset_free(&test_set);
    return rc;
}
