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
#include "schedflags.h"
}

namespace {

const char *const program = "sgdr-torch-digits";
const std::uint64_t split_seed = 2017; /* as examples/digits: the same split for every seed */
const double test_fraction = 0.2;

struct Flags { /* defaults(): examples/digits' */
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

/* examples/digits' defaults: its schedule on `s`, and its training flags. */
Flags defaults(sgdr_scheduler *s)
{
    digits_options o;
    digits_defaults(s, &o);
    Flags f;
    f.epochs = o.epochs;
    f.batch_size = o.batch_size;
    f.hidden = o.hidden;
    f.momentum = o.momentum;
    f.seed = o.seed;
    f.data = o.data;
    return f;
}

/* Bits for cli_once: schedule flags use their parameter's value (1..13), the rest these. */
enum : unsigned { SEEN_EPOCHS = 16, SEEN_BATCH, SEEN_HIDDEN, SEEN_MOMENTUM, SEEN_SEED, SEEN_DATA,
                  SEEN_LR_CSV, SEEN_CHECKPOINT, SEEN_STOP, SEEN_RESUME, SEEN_DUMP };

std::size_t parse_size(const char *flag, const char *value, std::size_t lo, std::size_t hi)
{
    std::uint64_t u = 0;
    if (cli_parse_u64(value, &u) != 0 || u < lo || u > hi)
        throw BadFlag{std::string(flag) + " '" + value + "': expected a whole number from " +
                      std::to_string(lo) + " to " + std::to_string(hi)};
    return static_cast<std::size_t>(u);
}

/* Read argv over the defaults; schedule flags go to `s` through the library's checks. */
Flags parse(int argc, char **argv, sgdr_scheduler *s)
{
    Flags f = defaults(s);
    cli_cursor c;
    unsigned long seen = 0;
    char err[512];
    int rc;
    cli_start(&c, argc, argv);
    while ((rc = cli_next(&c, err, sizeof err)) == 1) {
        const std::string name = c.name;
        const char *value = nullptr;
        sgdr_param p;
        if (name == "--help") {
            if (cli_no_value(&c, err, sizeof err) != 0) throw BadFlag{err};
            f.help = true;
            return f;
        }
        /* steps_per_epoch follows from the data and the batch size: not a flag here */
        bool sched = schedflag_find(c.name, &p) == 0 && p != SGDR_PARAM_STEPS_PER_EPOCH;
        static const struct { const char *name; unsigned bit; } own[] = {
            {"--epochs", SEEN_EPOCHS}, {"--batch-size", SEEN_BATCH}, {"--hidden", SEEN_HIDDEN},
            {"--momentum", SEEN_MOMENTUM}, {"--seed", SEEN_SEED}, {"--data", SEEN_DATA},
            {"--lr-csv", SEEN_LR_CSV}, {"--checkpoint", SEEN_CHECKPOINT},
            {"--stop-after-epoch", SEEN_STOP}, {"--resume", SEEN_RESUME}, {"--dump", SEEN_DUMP}};
        unsigned bit = sched ? static_cast<unsigned>(p) : 0;
        for (const auto &o : own)
            if (name == o.name) bit = o.bit;
        if (bit == 0) throw BadFlag{"unknown flag " + name};
        if (cli_once(&seen, bit, c.name, err, sizeof err) != 0 ||
            (value = cli_value(&c, err, sizeof err)) == nullptr)
            throw BadFlag{err};
        if (sched) {
            if (schedflag_set(s, p, value, err, sizeof err) != 0) throw BadFlag{err};
        } else if (bit == SEEN_EPOCHS) {
            f.epochs = parse_size(c.name, value, 1, 100000);
        } else if (bit == SEEN_BATCH) {
            f.batch_size = parse_size(c.name, value, 1, 100000);
        } else if (bit == SEEN_HIDDEN) {
            f.hidden = parse_size(c.name, value, 1, 4096);
        } else if (bit == SEEN_STOP) {
            f.stop_after = parse_size(c.name, value, 1, 100000);
        } else if (bit == SEEN_SEED) {
            if (cli_parse_u64(value, &f.seed) != 0)
                throw BadFlag{name + " '" + value + "': expected a whole number from 0 to 2^64-1"};
        } else if (bit == SEEN_MOMENTUM) {
            if (cli_parse_double(value, &f.momentum) != 0 || !(f.momentum >= 0 && f.momentum < 1))
                throw BadFlag{name + " '" + value + "': expected a number from 0 to below 1"};
        } else {
            if (value[0] == '\0') throw BadFlag{name + ": the path is empty"};
            std::string *path[] = {&f.data, &f.lr_csv, &f.checkpoint, nullptr, &f.resume, &f.dump};
            *path[bit - SEEN_DATA] = value;
        }
    }
    if (rc != 0) throw BadFlag{err};
    if (f.stop_after != 0 && f.checkpoint.empty())
        throw BadFlag{"--stop-after-epoch needs --checkpoint FILE to save the run to"};
    if (!f.checkpoint.empty() && f.stop_after == 0)
        throw BadFlag{"--checkpoint needs --stop-after-epoch E: the epoch to save after"};
    if (f.stop_after > f.epochs)
        throw BadFlag{"--stop-after-epoch " + std::to_string(f.stop_after) + ": after --epochs " +
                      std::to_string(f.epochs)};
    return f;
}

void help()
{
    sgdr_scheduler *s = nullptr;
    if (sgdr_create(&s) != SGDR_OK) return;
    const Flags f = defaults(s);
    strbuf b;
    strbuf_init(&b);
    static const sgdr_param derived[] = {SGDR_PARAM_STEPS_PER_EPOCH, static_cast<sgdr_param>(0)};
    strbuf_add(&b, "Usage: sgdr-torch-digits [FLAG VALUE]...\n"
                   "\n"
                   "The digits trainer of sgdr-digits in C++ with libtorch: a 64-H-10 perceptron\n"
                   "trained by torch::optim::SGD whose learning rate libsgdr drives\n"
                   "(sgdr::torch::SGDR), snapshots at cycle ends, the last restored at the end,\n"
                   "and the snapshot ensemble, on the held-out test images.\n"
                   "\n"
                   "Schedule (steps_per_epoch is the number of batches in the training set):\n");
    schedflag_help(&b, s, derived);
    strbuf_printf(&b,
                  "\n"
                  "Training:\n"
                  "  --epochs N               epochs to train (default %zu)\n"
                  "  --batch-size N           images per batch (default %zu)\n"
                  "  --hidden N               hidden units (default %zu)\n"
                  "  --momentum X             SGD momentum, 0 <= X < 1 (default %g)\n"
                  "  --seed N                 initial weights and batch order (default %" PRIu64 ")\n"
                  "\n"
                  "Files:\n"
                  "  --data PATH              the digits CSV, gzip or plain (default %s)\n"
                  "  --lr-csv PATH            step,epoch,lr of every batch, the lr read back from\n"
                  "                           the optimizer (as sgdr-schedule --format csv)\n"
                  "  --checkpoint PATH        with --stop-after-epoch E: save the run after\n"
                  "                           epoch E to PATH and stop\n"
                  "  --resume PATH            continue the run saved in PATH (its schedule and\n"
                  "                           counters; the other flags as when it was saved,\n"
                  "                           but --batch-size may change)\n"
                  "  --dump PATH              the final weights and every snapshot, exactly (%%a)\n"
                  "  --help                   print this help and exit\n"
                  "\n"
                  "Exit status: 0 on success, 2 for a bad flag or value, 1 when the data cannot\n"
                  "be read, a file written or a checkpoint loaded.\n",
                  f.epochs, f.batch_size, f.hidden, f.momentum, f.seed, f.data.c_str());
    strbuf_write(&b, stdout);
    strbuf_free(&b);
    sgdr_destroy(s);
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
