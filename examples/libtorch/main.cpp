// SPDX-License-Identifier: MIT
/* sgdr-torch-digits -- the digits trainer of examples/digits again, in C++ with libtorch:
 * the same data, split and batch order, a 64-64-10 perceptron (torch::nn), SGD with momentum
 * (torch::optim::SGD) whose learning rate sgdr::torch::SGDR drives, snapshots at cycle ends,
 * the last restored at the end, and the snapshot ensemble.
 *
 * It also shows checkpoint and resume: --checkpoint FILE --stop-after-epoch E saves the
 * model, optimizer, scheduler and batch order after epoch E and stops; --resume FILE continues
 * from there, and the run ends exactly as one that never stopped.
 *
 * Single-threaded and seeded: the same flags give the same output, byte for byte. */
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "sgdr_torch.hpp"

extern "C" {
#include "cli.h"
#include "dataset.h"
#include "options.h"
#include "report.h"
#include "rng.h"
}

namespace {

const char *const program = "sgdr-torch-digits";
const std::uint64_t split_seed = 2017; /* as examples/digits: the same split for every seed */
const double test_fraction = 0.2;

const unsigned accept = DIGITS_ACCEPT_DUMP;

struct Flags { /* examples/digits' flags and defaults (options.h) */
    std::size_t epochs = 0, batch_size = 0, hidden = 0;
    double momentum = 0;
    std::uint64_t seed = 0;
    std::string data;
    std::string lr_csv, checkpoint, resume, dump;
    std::size_t stop_after = 0; /* 0: never */
    bool help = false;
};

/* A refused flag: the message, and exit status 2. */
struct BadFlag {
    std::string message;
};

/* Read argv over the defaults with the digits trainers' parser; schedule flags go to `s`. */
Flags parse(int argc, char **argv, sgdr_scheduler *s)
{
    digits_options o;
    char err[512];
    digits_defaults(s, &o);
    o.accept = accept;
    if (digits_parse(argc, argv, s, &o, err, sizeof err) != 0) throw BadFlag{err};
    auto str = [](const char *p) { return std::string(p != nullptr ? p : ""); };
    Flags f;
    f.epochs = o.epochs;
    f.batch_size = o.batch_size;
    f.hidden = o.hidden;
    f.momentum = o.momentum;
    f.seed = o.seed;
    f.data = str(o.data);
    f.lr_csv = str(o.lr_csv);
    f.checkpoint = str(o.checkpoint);
    f.resume = str(o.resume);
    f.dump = str(o.dump);
    f.stop_after = o.stop_after;
    f.help = o.help != 0;
    return f;
}

void help()
{
    strbuf b;
    strbuf_init(&b);
    digits_help(&b, program,
                "The digits trainer of sgdr-digits in C++ with libtorch: a 64-H-10 perceptron\n"
                "trained by torch::optim::SGD whose learning rate libsgdr drives\n"
                "(sgdr::torch::SGDR), snapshots at cycle ends, the last restored at the end,\n"
                "and the snapshot ensemble, on the held-out test images.\n",
                accept);
    strbuf_add(&b, "\n"
                   "Exit status: 0 on success, 2 for a bad flag or value, 1 when the data cannot\n"
                   "be read, a file written or a checkpoint loaded.\n");
    strbuf_write(&b, stdout);
    strbuf_free(&b);
}

sgdr::Config config_of(const sgdr_scheduler *s)
{
    auto get = [s](sgdr_param p) {
        double v = 0;
        sgdr_get_param(s, p, &v);
        return v;
    };
    auto count = [&](sgdr_param p) { return static_cast<std::uint64_t>(get(p)); };
    sgdr::Config c;
    c.min_lr = get(SGDR_PARAM_MIN_LR);
    c.max_lr = get(SGDR_PARAM_MAX_LR);
    c.steps_per_epoch = count(SGDR_PARAM_STEPS_PER_EPOCH);
    c.lr_decay = get(SGDR_PARAM_LR_DECAY);
    c.cycle_length = count(SGDR_PARAM_CYCLE_LENGTH);
    c.mult_factor = get(SGDR_PARAM_MULT_FACTOR);
    c.restart_mode = get(SGDR_PARAM_RESTART_MODE) == 1 ? sgdr::RestartMode::keras_seed
                                                        : sgdr::RestartMode::peak;
    c.warmup_epochs = count(SGDR_PARAM_WARMUP_EPOCHS);
    c.warmup_start_lr = get(SGDR_PARAM_WARMUP_START_LR);
    c.max_cycles = count(SGDR_PARAM_MAX_CYCLES);
    c.cycle_warmup_steps = count(SGDR_PARAM_CYCLE_WARMUP_STEPS);
    c.history = false; /* the lrs go to --lr-csv, read from the optimizer */
    return c;
}

struct Tensors {
    torch::Tensor x, y;
};

Tensors tensors_of(const dataset &d)
{
    auto n = static_cast<std::int64_t>(d.n);
    Tensors t;
    t.x = torch::from_blob(d.x, {n, DIGITS_PIXELS}, torch::kDouble).clone();
    t.y = torch::from_blob(d.y, {n}, torch::kInt).to(torch::kLong);
    return t;
}

double accuracy(torch::nn::Sequential &net, const Tensors &test)
{
    torch::NoGradGuard no_grad;
    auto right = net->forward(test.x).argmax(1).eq(test.y).sum().item<std::int64_t>();
    return static_cast<double>(right) / static_cast<double>(test.y.size(0));
}

/* The snapshot ensemble: the mean of the snapshots' softmax outputs. Each snapshot is put
 * into the model in turn, and the model's own weights back afterwards. */
double ensemble_accuracy(torch::nn::Sequential &net, const sgdr::torch::SGDR &sched,
                         const Tensors &test)
{
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> live = net->parameters(), own;
    for (auto &t : live) own.push_back(t.clone());
    torch::Tensor mean = torch::zeros({test.y.size(0), DIGITS_CLASSES}, torch::kDouble);
    for (const auto &kv : sched.snapshots()) {
        for (std::size_t i = 0; i < live.size(); i++) live[i].copy_(kv.second[i]);
        mean += torch::softmax(net->forward(test.x), 1);
    }
    for (std::size_t i = 0; i < live.size(); i++) live[i].copy_(own[i]);
    mean /= static_cast<double>(sched.snapshots().size());
    auto right = mean.argmax(1).eq(test.y).sum().item<std::int64_t>();
    return static_cast<double>(right) / static_cast<double>(test.y.size(0));
}

/* Every value of `tensors` as %a, one line per tensor: "<label> <index> <values>". */
void dump_tensors(std::FILE *out, const std::string &label, const std::vector<torch::Tensor> &ts)
{
    for (std::size_t i = 0; i < ts.size(); i++) {
        torch::Tensor c = ts[i].detach().to(torch::kCPU).to(torch::kDouble).contiguous();
        std::fprintf(out, "%s %zu", label.c_str(), i);
        const double *p = c.data_ptr<double>();
        for (std::int64_t k = 0; k < c.numel(); k++) std::fprintf(out, " %a", p[k]);
        std::fprintf(out, "\n");
    }
}

int fail(const std::string &message)
{
    std::fprintf(stderr, "%s: %s\n", program, message.c_str());
    return 1;
}

std::FILE *open_out(const std::string &path)
{
    std::FILE *f = std::fopen(path.c_str(), "w");
    if (f == nullptr) throw sgdr::Error(SGDR_EIO, "cannot write " + path + ": " + std::strerror(errno));
    return f;
}

int train(const Flags &f, sgdr_scheduler *defaults, const dataset &train_set,
          const dataset &test_set)
{
    const std::size_t spe = (train_set.n + f.batch_size - 1) / f.batch_size;
    const Tensors train_t = tensors_of(train_set), test_t = tensors_of(test_set);
    const auto hidden = static_cast<std::int64_t>(f.hidden);

    torch::manual_seed(f.seed);
    torch::nn::Sequential net(torch::nn::Linear(DIGITS_PIXELS, hidden), torch::nn::ReLU(),
                              torch::nn::Linear(hidden, DIGITS_CLASSES));
    net->to(torch::kDouble);
    sgdr::Config config = config_of(defaults);
    torch::optim::SGD opt(net->parameters(),
                          torch::optim::SGDOptions(config.max_lr).momentum(f.momentum));
    sgdr::torch::Options options;
    options.model = net.ptr();
    options.keep_snapshots = 0; /* all, for the ensemble */
    sgdr::torch::SGDR sched(opt, config, options);

    /* The batch order, shuffled in place every epoch as examples/digits does; a checkpoint
     * keeps both the generator and the order. */
    rng r;
    rng_seed(&r, f.seed);
    std::vector<std::size_t> order(train_set.n);
    for (std::size_t i = 0; i < order.size(); i++) order[i] = i;
    if (!f.resume.empty()) {
        torch::serialize::InputArchive archive;
        sgdr::torch::read_archive(f.resume, archive); /* checksum verified first */
        /* Another --batch-size is another number of batches per epoch: the run goes on at
         * the same epoch with the schedule of a run that had this many from the start. */
        sched.load(archive, spe);
        torch::Tensor state, saved_order;
        archive.read("trainer_rng", state);
        archive.read("trainer_order", saved_order);
        if (saved_order.numel() != static_cast<std::int64_t>(order.size()))
            return fail(f.resume + " was saved with another training set");
        r.state = static_cast<std::uint64_t>(state.item<std::int64_t>());
        for (std::size_t i = 0; i < order.size(); i++)
            order[i] = static_cast<std::size_t>(saved_order[static_cast<std::int64_t>(i)].item<std::int64_t>());
    }
    const std::size_t first_epoch = sched.epoch();

    std::printf("digits: %zu training and %zu test images, perceptron 64-%zu-10 (libtorch, "
                "double), batch %zu (%zu batches per epoch), momentum %g, seed %" PRIu64 "\n",
                train_set.n, test_set.n, f.hidden, f.batch_size, spe, f.momentum, f.seed);
    std::printf("SGDR: min_lr %g, max_lr %g, cycle_length %" PRIu64 ", mult_factor %g, lr_decay "
                "%g; %zu epochs",
                sched.scheduler().get(SGDR_PARAM_MIN_LR), sched.scheduler().get(SGDR_PARAM_MAX_LR),
                static_cast<std::uint64_t>(sched.scheduler().get(SGDR_PARAM_CYCLE_LENGTH)),
                sched.scheduler().get(SGDR_PARAM_MULT_FACTOR),
                sched.scheduler().get(SGDR_PARAM_LR_DECAY), f.epochs);
    if (first_epoch > 0) std::printf(", resumed after epoch %zu from %s", first_epoch, f.resume.c_str());
    std::printf("\n\nepoch  lr high    lr low     train loss  test acc\n");

    std::FILE *csv = nullptr;
    if (!f.lr_csv.empty()) {
        csv = open_out(f.lr_csv);
        std::fprintf(csv, "step,epoch,lr\n");
    }
    std::size_t step = first_epoch * spe;
    for (std::size_t epoch = first_epoch; epoch < f.epochs; epoch++) {
        const std::uint64_t snaps_before = sched.scheduler().snapshots();
        double lr_high = 0, lr_low = INFINITY, loss_sum = 0;
        net->train();
        rng_shuffle(&r, order.data(), order.size());
        for (std::size_t batch = 0; batch < spe; batch++, step++) {
            std::size_t from = batch * f.batch_size, n = std::min(f.batch_size, train_set.n - from);
            std::vector<std::int64_t> idx(order.begin() + static_cast<std::ptrdiff_t>(from),
                                          order.begin() + static_cast<std::ptrdiff_t>(from + n));
            torch::Tensor rows = torch::tensor(idx, torch::kLong);
            double lr = opt.param_groups()[0].options().get_lr();
            if (csv) std::fprintf(csv, "%zu,%zu,%.17g\n", step, epoch, lr);
            lr_high = std::max(lr_high, lr);
            lr_low = std::min(lr_low, lr);
            opt.zero_grad();
            torch::Tensor loss = torch::nn::functional::cross_entropy(
                net->forward(train_t.x.index_select(0, rows)), train_t.y.index_select(0, rows));
            loss.backward();
            opt.step();
            sched.step();
            loss_sum += loss.item<double>();
        }
        std::printf("%5zu  %-10.4g %-10.4g %8.4f  %8.4f", epoch + 1, lr_high, lr_low,
                    loss_sum / static_cast<double>(spe), accuracy(net, test_t));
        if (sched.scheduler().snapshots() > snaps_before)
            std::printf("  end of cycle %" PRIu64 ": snapshot %" PRIu64,
                        sched.scheduler().progress(SGDR_PROGRESS_LAST_SNAPSHOT) + 1,
                        sched.scheduler().snapshots());
        std::printf("\n");
        if (epoch + 1 == f.stop_after) {
            torch::serialize::OutputArchive archive;
            sched.save(archive);
            archive.write("trainer_rng", torch::tensor(static_cast<std::int64_t>(r.state)));
            std::vector<std::int64_t> o(order.begin(), order.end());
            archive.write("trainer_order", torch::tensor(o, torch::kLong));
            sgdr::torch::write_archive(archive, f.checkpoint);
            if (csv) std::fclose(csv);
            std::printf("\ncheckpoint after epoch %zu: %s\n", epoch + 1, f.checkpoint.c_str());
            return 0;
        }
    }
    if (csv && std::fclose(csv) != 0) return fail("cannot write " + f.lr_csv);
    sched.finish();

    std::printf("\n");
    const auto n_test = static_cast<std::size_t>(test_t.y.size(0));
    if (!sched.snapshots().empty()) {
        std::printf("restored snapshot (end of cycle %" PRIu64 "): test accuracy ",
                    sched.scheduler().progress(SGDR_PROGRESS_LAST_SNAPSHOT) + 1);
        report_accuracy(accuracy(net, test_t), n_test);
        std::printf("snapshot ensemble (%zu snapshots, mean of softmax outputs): test accuracy ",
                    sched.snapshots().size());
        report_accuracy(ensemble_accuracy(net, sched, test_t), n_test);
    } else {
        std::printf("no cycle completed in %zu epochs, no snapshot: final weights: test accuracy ",
                    f.epochs);
        report_accuracy(accuracy(net, test_t), n_test);
    }
    if (!f.dump.empty()) {
        std::FILE *out = open_out(f.dump);
        std::vector<torch::Tensor> final_weights;
        for (auto &t : net->parameters()) final_weights.push_back(t);
        dump_tensors(out, "final", final_weights);
        for (const auto &kv : sched.snapshots())
            dump_tensors(out, "cycle" + std::to_string(kv.first + 1), kv.second);
        if (std::fclose(out) != 0) return fail("cannot write " + f.dump);
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    cli_c_locale();
    torch::set_num_threads(1); /* deterministic: the same flags give the same bytes */
    sgdr_scheduler *defaults = nullptr;
    if (sgdr_create(&defaults) != SGDR_OK) return fail("out of memory");
    Flags f;
    try {
        f = parse(argc, argv, defaults);
    } catch (const BadFlag &e) {
        std::fprintf(stderr, "%s: %s\nTry '%s --help' for the list of flags.\n", program,
                     e.message.c_str(), program);
        sgdr_destroy(defaults);
        return 2;
    }
    if (f.help) {
        help();
        sgdr_destroy(defaults);
        return 0;
    }
    dataset all, train_set, test_set;
    char err[512];
    if (dataset_load(f.data.c_str(), &all, err, sizeof err) != 0) {
        sgdr_destroy(defaults);
        return fail(err);
    }
    int rc = 1;
    double lr = 0;
    if (dataset_split(&all, split_seed, test_fraction, &train_set, &test_set) != 0) {
        fail("out of memory");
    } else if (sgdr_set_param(defaults, SGDR_PARAM_STEPS_PER_EPOCH,
                              static_cast<double>((train_set.n + f.batch_size - 1) /
                                                  f.batch_size)) != SGDR_OK ||
               sgdr_lr_at(defaults, 0, &lr) != SGDR_OK) {
        /* parameters valid alone but not together, e.g. --max-lr below --min-lr */
        std::fprintf(stderr, "%s: %s\n", program, sgdr_last_error(defaults));
        rc = 2;
    } else {
        try {
            rc = train(f, defaults, train_set, test_set);
        } catch (const sgdr::Error &e) {
            rc = fail(e.what());
        } catch (const c10::Error &e) {
            rc = fail(e.what_without_backtrace());
        }
        dataset_free(&train_set);
        dataset_free(&test_set);
    }
    dataset_free(&all);
    sgdr_destroy(defaults);
    return rc;
}
