// SPDX-License-Identifier: MIT
// test_sgdr_torch.cpp -- the libtorch adapter (include/sgdr_torch.hpp): every param group's
// lr follows the schedule (ratio to the first group or explicit scales), with SGD and Adam;
// snapshots are deep copies of parameters and buffers and the last is restored exactly; a
// run saved and loaded at any step continues bit for bit; bad input is an sgdr::Error that
// changes nothing. Built only where libtorch is, run by scripts/checks/65-libtorch.sh (not
// by ctest: libtorch under valgrind would take far too long).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <torch/torch.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.hpp"
#include "sgdr_torch.hpp"

namespace {

constexpr std::uint64_t kSteps = 4; // batches per epoch
constexpr std::uint64_t kEpochs = 9; // warm-up 1, cycles of 1, 2, 4 epochs, then 1 at min_lr

sgdr::Config config()
{
    sgdr::Config c;
    c.min_lr = 0.001;
    c.max_lr = 0.05;
    c.steps_per_epoch = kSteps;
    c.cycle_length = 1;
    c.mult_factor = 2;
    c.lr_decay = 0.8;
    c.warmup_epochs = 1;
    c.warmup_start_lr = 0.005;
    c.max_cycles = 3;
    return c;
}

// A model with buffers (batch norm's running statistics and batch count).
torch::nn::Sequential make_model(std::uint64_t seed)
{
    torch::manual_seed(seed);
    torch::nn::Sequential m(torch::nn::Linear(8, 16), torch::nn::BatchNorm1d(16),
                            torch::nn::ReLU(), torch::nn::Linear(16, 1));
    m->to(torch::kDouble);
    return m;
}

// Two param groups: the first layer, and everything else.
std::vector<torch::optim::OptimizerParamGroup> groups(torch::nn::Sequential &m)
{
    std::vector<torch::Tensor> first, rest;
    for (auto &p : m->named_parameters())
        (p.key().rfind("0.", 0) == 0 ? first : rest).push_back(p.value());
    return {torch::optim::OptimizerParamGroup(first), torch::optim::OptimizerParamGroup(rest)};
}

enum class Kind { sgd, adam };

std::unique_ptr<torch::optim::Optimizer> make_optimizer(Kind kind, torch::nn::Sequential &m)
{
    auto g = groups(m);
    if (kind == Kind::sgd) {
        // group 1 at a fifth of group 0's lr
        g[1].set_options(std::make_unique<torch::optim::SGDOptions>(
            torch::optim::SGDOptions(0.02).momentum(0.9)));
        return std::make_unique<torch::optim::SGD>(g, torch::optim::SGDOptions(0.1).momentum(0.9));
    }
    g[1].set_options(std::make_unique<torch::optim::AdamOptions>(torch::optim::AdamOptions(0.004)));
    return std::make_unique<torch::optim::Adam>(g, torch::optim::AdamOptions(0.001));
}

// The data: 32 rows of 8 inputs and a target, the same for every run.
struct Data {
    torch::Tensor x, y;
    Data()
    {
        torch::manual_seed(99);
        x = torch::randn({static_cast<std::int64_t>(kSteps) * 8, 8}, torch::kDouble);
        y = x.sum(1, true).sin();
    }
};

// Train batches [from, to) of the run (8 rows each), reading each batch's lrs back from
// the optimizer as it trains.
void train(torch::nn::Sequential &m, torch::optim::Optimizer &opt, sgdr::torch::SGDR &s,
           const Data &d, std::uint64_t from, std::uint64_t to,
           std::vector<std::vector<double>> &lrs)
{
    m->train();
    for (std::uint64_t step = from; step < to; step++) {
        auto b = static_cast<std::int64_t>(step % kSteps) * 8;
        lrs.push_back(s.get_last_lr());
        opt.zero_grad();
        auto loss = torch::mse_loss(m->forward(d.x.slice(0, b, b + 8)), d.y.slice(0, b, b + 8));
        loss.backward();
        opt.step();
        s.step();
    }
}

bool same(const std::vector<torch::Tensor> &a, const std::vector<torch::Tensor> &b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); i++)
        if (!torch::equal(a[i], b[i])) return false;
    return true;
}

std::vector<torch::Tensor> state_of_module(const torch::nn::Module &m)
{
    std::vector<torch::Tensor> out;
    for (auto &p : m.named_parameters()) out.push_back(p.value().detach().clone());
    for (auto &b : m.named_buffers()) out.push_back(b.value().clone());
    return out;
}

std::vector<torch::Tensor> state_of(torch::nn::Sequential &m)
{
    return state_of_module(*m);
}

// One whole run, stopping after `stop` batches to save everything and continuing in new
// objects from the archive when stop < the run's length.
struct Run {
    std::vector<std::vector<double>> lrs;
    std::vector<torch::Tensor> final_weights;
    std::map<std::uint32_t, sgdr::torch::Snapshot> snapshots;
};

Run run(Kind kind, std::uint64_t stop)
{
    const Data d;
    const std::uint64_t total = kSteps * kEpochs;
    Run r;
    auto m = make_model(1);
    auto opt = make_optimizer(kind, m);
    sgdr::torch::Options o;
    o.model = m.ptr();
    o.keep_snapshots = 0;
    auto s = std::make_unique<sgdr::torch::SGDR>(*opt, config(), o);
    train(m, *opt, *s, d, 0, std::min(stop, total), r.lrs);
    if (stop < total) {
        std::stringstream file;
        torch::serialize::OutputArchive out;
        s->save(out);
        out.save_to(file);
        // fresh objects, another initialisation: everything must come from the archive
        m = make_model(2);
        opt = make_optimizer(kind, m);
        o.model = m.ptr();
        s = std::make_unique<sgdr::torch::SGDR>(*opt, config(), o);
        torch::serialize::InputArchive in;
        in.load_from(file);
        s->load(in);
        train(m, *opt, *s, d, stop, total, r.lrs);
    }
    s->finish();
    r.final_weights = state_of(m);
    r.snapshots = s->snapshots();
    return r;
}

void test_group_lrs(Kind kind)
{
    const char *name = kind == Kind::sgd ? "SGD" : "Adam";
    Run r = run(kind, ~0ull);
    auto m = make_model(1);
    auto opt = make_optimizer(kind, m);
    sgdr::torch::SGDR s(*opt, config());
    const double scale = kind == Kind::sgd ? 0.02 / 0.1 : 0.004 / 0.001;
    EXPECT(s.group_scales().size() == 2 && s.group_scales()[0] == 1 && s.group_scales()[1] == scale);
    EXPECT(r.lrs.size() == kSteps * kEpochs);
    int bad = 0;
    for (std::size_t k = 0; k < r.lrs.size(); k++) {
        // group 0 follows the schedule bit for bit, group 1 keeps its ratio
        if (r.lrs[k][0] != s.lr_at(k) || r.lrs[k][1] != s.lr_at(k) * scale) bad++;
    }
    if (bad) std::fprintf(stderr, "%s: %d steps with an lr off the schedule\n", name, bad);
    EXPECT(bad == 0);
    if (bad) return;
    EXPECT(r.lrs[0][0] == 0.005);       // warm-up's first batch
    EXPECT(r.lrs[kSteps][0] == 0.05);   // the first cycle's peak
    EXPECT(r.lrs.back()[0] == 0.001);   // held at min_lr after max_cycles
    std::printf("%s: %zu steps, group lrs follow the schedule (scale %g)\n", name, r.lrs.size(),
                scale);
}

void test_snapshots(Kind kind)
{
    Run r = run(kind, ~0ull);
    // cycles 0, 1, 2 (max_cycles 3), each a deep copy of parameters and buffers
    EXPECT(r.snapshots.size() == 3);
    EXPECT(r.snapshots.count(0) && r.snapshots.count(2));
    EXPECT(same(r.final_weights, r.snapshots.at(2)));
    EXPECT(!same(r.snapshots.at(1), r.snapshots.at(2)));
    EXPECT(r.final_weights.size() == 4 + 2 + 3); // 2 linear layers, batch norm's weight/bias, 3 buffers

    // keep_snapshots 1 (the default) keeps the last only; without restore_at_end the final
    // weights are the trained ones.
    const Data d;
    auto m = make_model(1);
    auto opt = make_optimizer(kind, m);
    sgdr::torch::Options o;
    o.model = m.ptr();
    sgdr::Config c = config();
    c.restore_at_end = false;
    sgdr::torch::SGDR s(*opt, c, o);
    std::vector<std::vector<double>> lrs;
    train(m, *opt, s, d, 0, kSteps * kEpochs, lrs);
    auto trained = state_of(m);
    s.finish();
    EXPECT(s.snapshots().size() == 1 && s.snapshots().count(2));
    EXPECT(same(s.snapshots().at(2), r.snapshots.at(2)));
    EXPECT(same(state_of(m), trained) && !same(trained, r.snapshots.at(2)));
    // deep copies: changing the model leaves the snapshot alone
    {
        torch::NoGradGuard g;
        for (auto &p : m->parameters()) p.add_(1.0);
    }
    EXPECT(same(s.snapshots().at(2), r.snapshots.at(2)));
}

void test_resume_is_exact(Kind kind)
{
    Run whole = run(kind, ~0ull);
    int bad = 0;
    // every batch: mid-epoch, at epoch ends, at cycle ends, in warm-up and after max_cycles
    for (std::uint64_t stop = 1; stop < kSteps * kEpochs; stop++) {
        Run part = run(kind, stop);
        bool ok = part.lrs == whole.lrs && same(part.final_weights, whole.final_weights) &&
                  part.snapshots.size() == whole.snapshots.size();
        for (auto &kv : whole.snapshots)
            ok = ok && part.snapshots.count(kv.first) && same(part.snapshots.at(kv.first), kv.second);
        if (!ok) {
            std::fprintf(stderr, "%s: resumed after batch %llu differs from the whole run\n",
                         kind == Kind::sgd ? "SGD" : "Adam", static_cast<unsigned long long>(stop));
            bad++;
        }
    }
    EXPECT(bad == 0);
    if (bad == 0)
        std::printf("%s: stopped and resumed after each of %llu batches: lrs, snapshots and final "
                "weights identical\n",
                kind == Kind::sgd ? "SGD" : "Adam",
                static_cast<unsigned long long>(kSteps * kEpochs - 1));
}

// A resume with twice the batches per epoch (half the batch size): after 3 epochs of 4, load
// with 8 and train on; every lr is that of a run with 8 from the start. Mid-epoch, 1 of 4
// batches has no exact counterpart among 6: refused, nothing changed.
void test_resume_with_other_steps_per_epoch()
{
    const Data d;
    auto m = make_model(1);
    auto opt = make_optimizer(Kind::sgd, m);
    auto s = std::make_unique<sgdr::torch::SGDR>(*opt, config());
    std::vector<std::vector<double>> lrs;
    train(m, *opt, *s, d, 0, 3 * kSteps, lrs);
    std::stringstream file;
    torch::serialize::OutputArchive out;
    s->save(out);
    out.save_to(file);
    opt = make_optimizer(Kind::sgd, m);
    s = std::make_unique<sgdr::torch::SGDR>(*opt, config());
    torch::serialize::InputArchive in;
    in.load_from(file);
    s->load(in, 2 * kSteps);
    sgdr::Config c = config();
    c.steps_per_epoch = 2 * kSteps;
    sgdr::Scheduler reference(c);
    int bad = 0;
    for (std::uint64_t step = 3 * 2 * kSteps; step < kEpochs * 2 * kSteps; step++) {
        auto b = static_cast<std::int64_t>(step % kSteps) * 8;
        if (s->get_last_lr()[0] != reference.lr_at(step)) bad++;
        opt->zero_grad();
        torch::mse_loss(m->forward(d.x.slice(0, b, b + 8)), d.y.slice(0, b, b + 8)).backward();
        opt->step();
        s->step();
    }
    EXPECT(bad == 0);
    EXPECT(s->scheduler().progress(SGDR_PROGRESS_STEP) == 3 * kSteps + 6 * 2 * kSteps);

    std::vector<std::vector<double>> more;
    s = std::make_unique<sgdr::torch::SGDR>(*opt, config());
    train(m, *opt, *s, d, 0, 1, more);
    std::stringstream mid;
    torch::serialize::OutputArchive out2;
    s->save(out2);
    out2.save_to(mid);
    torch::serialize::InputArchive in2;
    in2.load_from(mid);
    const double lr = s->get_last_lr()[0];
    EXPECT_ERROR(s->load(in2, 6), SGDR_EORDER, "the nearest batch positions where the change is "
                                               "exact are 0 and 2");
    EXPECT(s->get_last_lr()[0] == lr && s->scheduler().progress(SGDR_PROGRESS_STEP) == 1);
}

// Moved, the scheduler keeps working: its hooks point to heap state, not to the object.
void test_move()
{
    static_assert(!std::is_copy_constructible<sgdr::torch::SGDR>::value, "copyable");
    static_assert(std::is_nothrow_move_constructible<sgdr::torch::SGDR>::value, "move ctor");
    const Data d;
    auto m = make_model(1);
    auto opt = make_optimizer(Kind::sgd, m);
    sgdr::torch::Options o;
    o.model = m.ptr();
    o.keep_snapshots = 0;
    sgdr::torch::SGDR first(*opt, config(), o);
    sgdr::torch::SGDR s(std::move(first));
    std::vector<std::vector<double>> lrs;
    train(m, *opt, s, d, 0, kSteps * kEpochs, lrs);
    s.finish();
    Run r = run(Kind::sgd, ~0ull);
    EXPECT(lrs == r.lrs && same(state_of(m), r.final_weights) && s.snapshots().size() == 3);
}

// An optimizer whose options have no learning rate.
struct NoLrOptions : torch::optim::OptimizerCloneableOptions<NoLrOptions> {};
struct NoLrOptimizer : torch::optim::Optimizer {
    explicit NoLrOptimizer(std::vector<torch::Tensor> p)
        : Optimizer({torch::optim::OptimizerParamGroup(std::move(p))},
                    std::make_unique<NoLrOptions>()) {}
    torch::Tensor step(LossClosure) override { return {}; }
};

void test_bad_input()
{
    auto m = make_model(1);
    auto opt = make_optimizer(Kind::sgd, m);
    sgdr::torch::Options o;
    o.group_scales = {1.0};
    EXPECT_ERROR(sgdr::torch::SGDR(*opt, config(), o), SGDR_EVALUE, "1 values for 2 param groups");
    o.group_scales = {1.0, -0.5};
    EXPECT_ERROR(sgdr::torch::SGDR(*opt, config(), o), SGDR_EVALUE, "group_scales[1] (-0.5)");
    o.group_scales = {1.0, 0.25};
    {
        sgdr::torch::SGDR s(*opt, config(), o);
        EXPECT(s.get_last_lr() == (std::vector<double>{0.005, 0.005 * 0.25}));
    }
    sgdr::Config c = config();
    c.max_lr = 0.0001; // below min_lr
    EXPECT_ERROR(sgdr::torch::SGDR(*opt, c, {}), SGDR_ECONFIG, "max_lr");

    auto zero = make_model(1);
    torch::optim::SGD at_zero(zero->parameters(), torch::optim::SGDOptions(0));
    EXPECT_ERROR(sgdr::torch::SGDR(at_zero, config()), SGDR_EVALUE, "first param group's lr (0");
    NoLrOptimizer no_lr(zero->parameters());
    EXPECT_ERROR(sgdr::torch::SGDR(no_lr, config()), SGDR_EVALUE, "param group 0");
    o.group_scales = {1.0}; // no lr to read: the first one set is refused
    EXPECT_ERROR(sgdr::torch::SGDR(no_lr, config(), o), SGDR_EVALUE,
                 "param group 0: its options have no learning rate");

    // load(): a corrupt state blob, another model, a foreign archive: refused, nothing changed
    const Data d;
    o = {};
    o.model = m.ptr();
    sgdr::torch::SGDR s(*opt, config(), o);
    std::vector<std::vector<double>> lrs;
    train(m, *opt, s, d, 0, 10, lrs); // past the first cycle end (batch 8)
    torch::serialize::OutputArchive out;
    s.save(out);
    std::stringstream file;
    out.save_to(file);
    auto before = state_of(m);
    auto lr_before = s.get_last_lr();
    auto expect_unchanged = [&](int line) {
        if (!(same(state_of(m), before) && s.get_last_lr() == lr_before &&
              s.scheduler().step() == 10 && s.snapshots().size() == 1)) {
            std::fprintf(stderr, "line %d: a refused load changed the run\n", line);
            failures++;
        }
    };

    torch::serialize::InputArchive empty;
    EXPECT_ERROR(s.load(empty), SGDR_ECORRUPT, "no SGDR checkpoint");
    expect_unchanged(__LINE__);

    {
        // the same archive with one byte of the state blob flipped
        torch::serialize::InputArchive in;
        in.load_from(file);
        torch::serialize::InputArchive mine, model, optim;
        in.read("sgdr", mine);
        in.read("model", model);
        in.read("optimizer", optim);
        torch::Tensor state, scales;
        mine.read("state", state);
        mine.read("group_scales", scales);
        state = state.clone();
        state[40] = state[40].item<std::uint8_t>() ^ 1;
        torch::serialize::OutputArchive bad, bad_mine;
        bad_mine.write("state", state);
        bad_mine.write("group_scales", scales);
        bad.write("sgdr", bad_mine);
        torch::serialize::OutputArchive model_out, optim_out;
        m->save(model_out);
        opt->save(optim_out);
        bad.write("model", model_out);
        bad.write("optimizer", optim_out);
        std::stringstream bad_file;
        bad.save_to(bad_file);
        torch::serialize::InputArchive bad_in;
        bad_in.load_from(bad_file);
        // no names/snapshots in it: refused for that before the blob is looked at
        EXPECT_ERROR(s.load(bad_in), SGDR_ECORRUPT, "no SGDR checkpoint");
        expect_unchanged(__LINE__);
        // without a model the snapshots are not read: the blob's checksum refuses it
        auto plain_opt = make_optimizer(Kind::sgd, m);
        sgdr::torch::SGDR plain(*plain_opt, config());
        plain.step();
        torch::serialize::InputArchive bad_in2;
        bad_file.seekg(0);
        bad_in2.load_from(bad_file);
        EXPECT_ERROR(plain.load(bad_in2), SGDR_ECHECKSUM, "");
        EXPECT(plain.scheduler().step() == 1);
    }

    {
        // an archive of a different model
        torch::manual_seed(3);
        torch::nn::Sequential other(torch::nn::Linear(8, 4), torch::nn::ReLU(), torch::nn::Linear(4, 1));
        other->to(torch::kDouble);
        torch::optim::SGD other_opt(other->parameters(), torch::optim::SGDOptions(0.1));
        sgdr::torch::Options oo;
        oo.model = other.ptr();
        sgdr::torch::SGDR os(other_opt, config(), oo);
        torch::serialize::InputArchive in;
        file.seekg(0);
        in.load_from(file);
        EXPECT_ERROR(os.load(in), SGDR_ECORRUPT, "another model");
        EXPECT(os.scheduler().step() == 0);
    }
    EXPECT_ERROR(s.load(std::string("/nonexistent/sgdr.pt")), SGDR_EIO, "/nonexistent/sgdr.pt");
    expect_unchanged(__LINE__);

    // the file forms round-trip
    char path[] = "/tmp/sgdr-torch-XXXXXX";
    int fd = mkstemp(path);
    EXPECT(fd >= 0);
    close(fd);
    s.save(std::string(path));
    s.load(std::string(path));
    expect_unchanged(__LINE__);
    std::remove(path);
}

// A step() refused because the optimizer gained a param group counts nothing, however often
// it is retried.
void test_refused_step_counts_nothing()
{
    auto m = make_model(1);
    auto opt = make_optimizer(Kind::sgd, m);
    sgdr::torch::SGDR s(*opt, config());
    s.step();
    auto blob = s.scheduler().save_state();
    opt->add_param_group(torch::optim::OptimizerParamGroup({torch::zeros({1}, torch::kDouble)}));
    for (int i = 0; i < 3; i++) {
        EXPECT_ERROR(s.step(), SGDR_EVALUE, "3 param groups but the scheduler was set up for 2");
        EXPECT(s.scheduler().save_state() == blob && s.scheduler().step() == 1 && s.epoch() == 0);
    }
}

std::string optimizer_bytes(torch::optim::Optimizer &opt)
{
    torch::serialize::OutputArchive a;
    opt.save(a);
    std::ostringstream out;
    a.save_to(out);
    return out.str();
}

std::string read_file(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    std::ostringstream whole;
    whole << f.rdbuf();
    return whole.str();
}

void write_file(const std::string &path, const std::string &data)
{
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Overwrite the file at `path` with as many bytes, in place: a file truncated and written
// again is flushed to disk at close on ext4 (auto_da_alloc): 0.2 ms more per flip below.
void overwrite_file(const std::string &path, const std::string &data)
{
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Every single-bit flip of one checkpoint file, each loaded in a forked child: refused with an
// sgdr::Error for its magic or checksum, the scheduler, model and optimizer unchanged; none
// crashes, none loads. A tiny model keeps the file small enough for all of its bits.
void test_checkpoint_bit_flips()
{
    torch::manual_seed(5);
    torch::nn::Linear net(1, 1);
    torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    sgdr::Config c;
    c.min_lr = 0.001;
    c.max_lr = 0.1;
    c.steps_per_epoch = 1;
    c.cycle_length = 1;
    sgdr::torch::Options o;
    o.model = net.ptr();
    sgdr::torch::SGDR s(opt, c, o);
    torch::Tensor x = torch::ones({1, 1});
    for (int b = 0; b < 2; b++) { // past a cycle end: a snapshot and momentum in the file
        opt.zero_grad();
        net->forward(x).sum().backward();
        opt.step();
        s.step();
    }
    char dir[] = "/tmp/sgdr-torch-flips-XXXXXX";
    EXPECT(mkdtemp(dir) != nullptr);
    const std::string good = std::string(dir) + "/good.pt", bad = std::string(dir) + "/bad.pt";
    s.save(good);
    const std::string data = read_file(good);
    EXPECT(s.snapshots().size() == 1);
    { // the good file loads
        sgdr::torch::SGDR again(opt, c, o);
        again.load(good);
        EXPECT(again.scheduler().save_state() == s.scheduler().save_state());
    }
    const auto blob = s.scheduler().save_state();
    const auto weights = state_of_module(*net);
    const std::string opt_state = optimizer_bytes(opt);
    const auto lrs = s.get_last_lr();
    // Children of 1024 bits each (a fork of a libtorch process is slow): a crash ends only
    // its child, and the parent names the range.
    const std::size_t bits = data.size() * 8, chunk = 1024;
    int crashed = 0, loaded = 0, other_error = 0, changed = 0;
    write_file(bad, data);
    std::fflush(nullptr); // no buffered output copied into the children
    for (std::size_t from = 0; from < bits; from += chunk) {
        pid_t pid = fork();
        if (pid == 0) {
            int code = 0;
            for (std::size_t bit = from; bit < std::min(bits, from + chunk) && code == 0; bit++) {
                std::string flipped = data;
                flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
                overwrite_file(bad, flipped);
                try {
                    s.load(bad);
                    code = 1;
                } catch (const sgdr::Error &e) {
                    if (e.status() != SGDR_ECHECKSUM && e.status() != SGDR_EMAGIC) code = 2;
                } catch (...) {
                    code = 2;
                }
            }
            if (code == 0 && !(s.scheduler().save_state() == blob &&
                               same(state_of_module(*net), weights) &&
                               optimizer_bytes(opt) == opt_state && s.get_last_lr() == lrs &&
                               s.snapshots().size() == 1))
                code = 3;
            _exit(code);
        }
        int status = 0;
        EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid);
        const char *what = !WIFEXITED(status) ? "crashed" : WEXITSTATUS(status) == 1 ? "loaded"
                           : WEXITSTATUS(status) == 2 ? "was refused with another error"
                           : WEXITSTATUS(status) == 3 ? "changed the run" : nullptr;
        if (what != nullptr)
            std::fprintf(stderr, "a flip of bits %zu..%zu %s\n", from,
                         std::min(bits, from + chunk) - 1, what);
        crashed += !WIFEXITED(status);
        loaded += WIFEXITED(status) && WEXITSTATUS(status) == 1;
        other_error += WIFEXITED(status) && WEXITSTATUS(status) == 2;
        changed += WIFEXITED(status) && WEXITSTATUS(status) == 3;
    }
    std::remove(good.c_str());
    std::remove(bad.c_str());
    rmdir(dir);
    std::printf("checkpoint of %zu bytes: %zu single-bit flips in %zu forked children: %d "
                "crashed, %d loaded, %d refused with another error, %d changed the run\n",
                data.size(), bits, (bits + chunk - 1) / chunk, crashed, loaded, other_error,
                changed);
    EXPECT(crashed == 0 && loaded == 0 && other_error == 0 && changed == 0);
}

// A file of libsgdr 1.1.0 (the bare archive) still loads; one whose optimizer part libtorch
// refuses leaves the model as it was.
void test_file_forms()
{
    const Data d;
    auto m = make_model(1);
    auto opt = make_optimizer(Kind::sgd, m);
    sgdr::torch::Options o;
    o.model = m.ptr();
    sgdr::torch::SGDR s(*opt, config(), o);
    std::vector<std::vector<double>> lrs;
    train(m, *opt, s, d, 0, 10, lrs);
    char path[] = "/tmp/sgdr-torch-XXXXXX";
    int fd = mkstemp(path);
    EXPECT(fd >= 0);
    close(fd);
    torch::serialize::OutputArchive bare;
    s.save(bare);
    bare.save_to(path);
    auto m2 = make_model(2);
    auto opt2 = make_optimizer(Kind::sgd, m2);
    o.model = m2.ptr();
    sgdr::torch::SGDR s2(*opt2, config(), o);
    s2.load(std::string(path));
    EXPECT(s2.scheduler().step() == 10 && same(state_of(m2), state_of(m)));

    auto m3 = make_model(3);
    auto adam = make_optimizer(Kind::adam, m3);
    o.model = m3.ptr();
    sgdr::torch::SGDR s3(*adam, config(), o);
    auto before = state_of(m3);
    const std::string adam_before = optimizer_bytes(*adam);
    EXPECT_ERROR(s3.load(std::string(path)), SGDR_ECORRUPT, "optimizer");
    EXPECT(same(state_of(m3), before) && optimizer_bytes(*adam) == adam_before &&
           s3.scheduler().step() == 0);
    std::remove(path);
    write_file(path, "");
    EXPECT_ERROR(s3.load(std::string(path)), SGDR_EMAGIC, "SGDR-PT1");
    std::remove(path);
}

} // namespace

int main()
{
    torch::set_num_threads(1);
    test_group_lrs(Kind::sgd);
    test_group_lrs(Kind::adam);
    test_snapshots(Kind::sgd);
    test_snapshots(Kind::adam);
    test_resume_is_exact(Kind::sgd);
    test_resume_is_exact(Kind::adam);
    test_resume_with_other_steps_per_epoch();
    test_move();
    test_bad_input();
    test_refused_step_counts_nothing();
    test_file_forms();
    test_checkpoint_bit_flips();
    if (failures != 0) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("sgdr_torch.hpp: all checks passed\n");
    return 0;
}
