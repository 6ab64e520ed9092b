/* SPDX-License-Identifier: MIT */
// test_wrapper.cpp -- the C++ wrapper (include/sgdr.hpp): RAII and moves, errors as
// exceptions, hooks as callables, and hooks that throw through the C library safely.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "expect.hpp"
#include "sgdr.hpp"

namespace {

// The exception type the tests' hooks throw.
struct HookBroke {
    int code;
};

sgdr::Config small_config()
{
    sgdr::Config c;
    c.min_lr = 1e-4;
    c.max_lr = 0.1;
    c.steps_per_epoch = 3;
    c.cycle_length = 1;
    c.mult_factor = 2;
    c.lr_decay = 0.9;
    return c;
}

// Run whole epochs [first, last) with one "loss" metric per batch.
void run_epochs(sgdr::Scheduler &s, std::uint64_t first, std::uint64_t last)
{
    for (std::uint64_t e = first; e < last; e++) {
        for (std::uint64_t b = 0; b < 3; b++) s.on_batch_end(b, {{"loss", 1.0 / double(b + 1)}});
        s.on_epoch_end(e);
    }
}

void test_move_only()
{
    static_assert(!std::is_copy_constructible<sgdr::Scheduler>::value, "copyable");
    static_assert(!std::is_copy_assignable<sgdr::Scheduler>::value, "copy-assignable");
    static_assert(std::is_nothrow_move_constructible<sgdr::Scheduler>::value, "move ctor");
    static_assert(std::is_nothrow_move_assignable<sgdr::Scheduler>::value, "move assign");

    std::vector<double> lrs;
    sgdr::Scheduler a(small_config());
    a.set_lr_hooks({}, [&](double lr) { lrs.push_back(lr); });
    a.on_train_begin();
    run_epochs(a, 0, 2);
    // The hooks keep working after the scheduler moves (their user pointer is stable).
    sgdr::Scheduler b(std::move(a));
    std::size_t before = lrs.size();
    run_epochs(b, 2, 3);
    EXPECT(lrs.size() == before + 4); // 3 batches, and the restart that ends epoch 2
    EXPECT(a.native_handle() == nullptr);
    EXPECT_ERROR(a.on_batch_end(0), SGDR_ENULL, "NULL");
    EXPECT_ERROR(a.set_lr_hooks({}, {}), SGDR_ENULL, "moved from");

    sgdr::Scheduler c(1e-3, 0.5, 2);
    c = std::move(b);
    EXPECT(c.step() == 9 && c.epoch() == 3);
    c.on_train_end();
    EXPECT(!c.running());
}

void test_errors_name_the_parameter()
{
    sgdr::Config c = small_config();
    c.max_lr = 1e-5;
    EXPECT_ERROR(sgdr::Scheduler{c}, SGDR_ECONFIG, "max_lr (1.0000000000000001e-05)");
    EXPECT_ERROR(sgdr::Scheduler(sgdr::Config{}), SGDR_EVALUE, "max_lr (0)");
    sgdr::Scheduler s(small_config());
    EXPECT_ERROR(s.set(SGDR_PARAM_STEPS_PER_EPOCH, 2.5), SGDR_EVALUE, "steps_per_epoch (2.5)");
    EXPECT(s.get(SGDR_PARAM_STEPS_PER_EPOCH) == 3);
    EXPECT_ERROR(s.on_batch_end(0), SGDR_EORDER, "sgdr_on_train_begin");
    s.on_train_begin();
    EXPECT_ERROR(s.on_epoch_end(4), SGDR_EEPOCH, "epoch 4");
    EXPECT_ERROR(s.on_batch_end(0, {{"", 1.0}}), SGDR_EMETRIC, "empty name");
    EXPECT_ERROR(s.history("accuracy"), SGDR_EINDEX, "");
    std::vector<unsigned char> blob = s.save_state();
    blob[40] ^= 1;
    EXPECT_ERROR(s.load_state(blob), SGDR_ECHECKSUM, "");
    try {
        s.set(SGDR_PARAM_MAX_LR, 0.2);
        EXPECT(false);
    } catch (const std::runtime_error &e) { // sgdr::Error is a std::runtime_error
        EXPECT(std::strstr(e.what(), "max_lr") != nullptr);
    }
}

void test_hooks_and_a_whole_run()
{
    std::vector<double> lrs;
    std::map<std::uint32_t, std::uint64_t> snapshot_epoch;
    std::uint32_t restored = 99;
    std::uint64_t epoch = 0;
    sgdr::Scheduler s(small_config());
    s.set_lr_hooks({}, [&](double lr) { lrs.push_back(lr); });
    s.set_weight_hooks([&](std::uint32_t cycle) { snapshot_epoch[cycle] = epoch; },
                       [&](std::uint32_t cycle) { restored = cycle; });
    s.on_train_begin();
    for (epoch = 0; epoch < 8; epoch++) run_epochs(s, epoch, epoch + 1);
    s.on_train_end({{"val_loss", 0.5}});
    // Cycles of 1, 2, 4 epochs end after epochs 0, 2 and 6.
    EXPECT(snapshot_epoch.size() == 3 && snapshot_epoch[0] == 0 && snapshot_epoch[1] == 2 &&
          snapshot_epoch[2] == 6);
    EXPECT(restored == 2 && s.snapshots() == 3);
    std::vector<double> trained = s.history(0);
    EXPECT(trained.size() == 24);
    bool same = true;
    for (std::size_t i = 0; i < trained.size(); i++) same = same && trained[i] == s.lr_at(i);
    EXPECT(same);
    EXPECT(lrs.front() == 0.1 && lrs.back() == s.lr());
    EXPECT(s.history_columns() == 2 && s.history_column_name(1) == "loss");
    EXPECT(s.history("loss")[1] == 0.5);
    std::string csv = s.history_csv();
    EXPECT(csv.compare(0, 13, "step,lr,loss\n") == 0);
}

void test_state_resume_is_exact()
{
    sgdr::Scheduler full(small_config());
    full.on_train_begin();
    run_epochs(full, 0, 9);
    sgdr::Scheduler first(small_config());
    first.on_train_begin();
    run_epochs(first, 0, 4);
    std::vector<unsigned char> blob = first.save_state();
    sgdr::Scheduler resumed(0.0, 1.0, 7); // another configuration: the blob replaces it
    double handed = -1;
    resumed.set_lr_hooks({}, [&](double lr) { handed = lr; });
    resumed.load_state(blob);
    resumed.on_train_begin();
    EXPECT(handed == first.lr());
    run_epochs(resumed, 4, 9);
    EXPECT(resumed.save_state() == full.save_state());
}

// A resume with another number of batches per epoch: 4 epochs of 3, then 6 an epoch, with
// the learning rates of a run with 6 from the start; mid-epoch only where it maps exactly.
void test_resume_with_other_steps_per_epoch()
{
    sgdr::Config six = small_config();
    six.steps_per_epoch = 6;
    sgdr::Scheduler reference(six);
    sgdr::Scheduler first(small_config());
    first.on_train_begin();
    run_epochs(first, 0, 4);
    sgdr::Scheduler resumed(small_config());
    double handed = -1;
    resumed.set_lr_hooks({}, [&](double lr) { handed = lr; });
    resumed.load_state(first.save_state());
    resumed.set_steps_per_epoch(6).on_train_begin();
    bool same = handed == reference.lr_at(4 * 6);
    for (std::uint64_t e = 4; e < 9; e++) {
        for (std::uint64_t b = 0; b < 6; b++) {
            same = same && resumed.lr() == reference.lr_at(e * 6 + b) && handed == resumed.lr();
            resumed.on_batch_end(b);
        }
        resumed.on_epoch_end(e);
    }
    EXPECT(same);
    EXPECT(resumed.progress(SGDR_PROGRESS_STEP) == 4 * 3 + 5 * 6);
    resumed.on_batch_end(0);
    EXPECT_ERROR(resumed.set_steps_per_epoch(4), SGDR_EORDER,
                 "nearest batch positions where the change is exact are 0 and 3");
    EXPECT(resumed.get(SGDR_PARAM_STEPS_PER_EPOCH) == 6);
    resumed.set_steps_per_epoch(12);
    EXPECT(resumed.progress(SGDR_PROGRESS_BATCH_IN_EPOCH) == 2);
}

// A hook that throws: the exception is caught before it reaches C, the callback fails,
// nothing changes, and the same exception comes out of the wrapper call.
void test_throwing_hooks()
{
    bool break_set = false, break_get = false, break_snap = false, break_restore = false;
    sgdr::Scheduler s(small_config());
    s.set_lr_hooks(
        [&]() -> double {
            if (break_get) throw HookBroke{1};
            return 0.05;
        },
        [&](double) {
            if (break_set) throw HookBroke{2};
        });
    s.set_weight_hooks(
        [&](std::uint32_t) {
            if (break_snap) throw std::runtime_error("disk full");
        },
        [&](std::uint32_t) {
            if (break_restore) throw HookBroke{4};
        });

    auto expect_hook_throw = [&](bool &flag, int code, auto call) {
        std::vector<unsigned char> before = s.save_state();
        std::size_t rows = s.history_rows();
        flag = true;
        try {
            call();
            EXPECT(false);
        } catch (const HookBroke &e) {
            EXPECT(e.code == code);
        }
        flag = false;
        EXPECT(s.save_state() == before && s.history_rows() == rows);
        call(); // the retry succeeds
        EXPECT(s.save_state() != before);
    };

    break_set = true;
    try {
        s.on_train_begin();
        EXPECT(false);
    } catch (const HookBroke &e) {
        EXPECT(e.code == 2);
    }
    break_set = false;
    EXPECT(!s.running());
    s.on_train_begin();
    expect_hook_throw(break_set, 2, [&] { s.on_batch_end(0); });
    expect_hook_throw(break_get, 1, [&] { s.on_batch_end(1); });
    EXPECT(s.history(0)[1] == 0.05); // what get_lr returned is what history keeps
    s.on_batch_end(2);
    break_snap = true;
    try {
        s.on_epoch_end(0);
        EXPECT(false);
    } catch (const std::runtime_error &e) {
        EXPECT(std::strcmp(e.what(), "disk full") == 0);
        EXPECT(dynamic_cast<const sgdr::Error *>(&e) == nullptr); // the hook's own exception
    }
    break_snap = false;
    EXPECT(s.epoch() == 0 && s.snapshots() == 0);
    s.on_epoch_end(0);
    EXPECT(s.epoch() == 1 && s.snapshots() == 1);
    expect_hook_throw(break_restore, 4, [&] { s.on_train_end(); });
    EXPECT(!s.running());
    // The hook's exception was consumed: a later plain failure is an sgdr::Error.
    EXPECT_ERROR(s.on_batch_end(0), SGDR_EORDER, "no run in progress");
}

// configure() changes all parameters or none: a Config refused by a later parameter (or by
// a rule between two) leaves every earlier one as it was, so the scheduler still runs.
void test_configure_is_atomic()
{
    const sgdr_param all[] = {SGDR_PARAM_MIN_LR,        SGDR_PARAM_MAX_LR,
                              SGDR_PARAM_STEPS_PER_EPOCH, SGDR_PARAM_LR_DECAY,
                              SGDR_PARAM_CYCLE_LENGTH,  SGDR_PARAM_MULT_FACTOR,
                              SGDR_PARAM_RESTART_MODE,  SGDR_PARAM_WARMUP_EPOCHS,
                              SGDR_PARAM_WARMUP_START_LR, SGDR_PARAM_MAX_CYCLES,
                              SGDR_PARAM_RESTORE_AT_END, SGDR_PARAM_HISTORY};
    sgdr::Scheduler s(small_config());
    std::vector<double> before;
    for (sgdr_param p : all) before.push_back(s.get(p));
    auto unchanged = [&](int line) {
        for (std::size_t i = 0; i < before.size(); i++) {
            if (s.get(all[i]) != before[i]) {
                std::fprintf(stderr, "line %d: %s is %.17g, was %.17g\n", line,
                             sgdr_param_name(all[i]), s.get(all[i]), before[i]);
                failures++;
            }
        }
    };

    sgdr::Config bad = small_config();
    bad.min_lr = 0.01;
    bad.max_lr = 0.5;
    bad.steps_per_epoch = 7;
    bad.history = false;
    bad.mult_factor = 0.5; // refused by its own range, after five parameters were set
    EXPECT_ERROR(s.configure(bad), SGDR_EVALUE, "mult_factor (0.5)");
    unchanged(__LINE__);

    bad = small_config();
    bad.min_lr = 0.01;
    bad.cycle_length = 4;
    bad.max_lr = 0.001; // every value valid alone, max_lr <= min_lr together
    EXPECT_ERROR(s.configure(bad), SGDR_ECONFIG, "max_lr");
    unchanged(__LINE__);

    bad = small_config();
    bad.restart_mode = sgdr::RestartMode::keras_seed;
    bad.warmup_epochs = 2; // warm-up is refused in keras-seed mode
    EXPECT_ERROR(s.configure(bad), SGDR_ECONFIG, "");
    unchanged(__LINE__);

    std::vector<double> lrs;
    s.set_lr_hooks({}, [&](double lr) { lrs.push_back(lr); });
    s.on_train_begin(); // the scheduler is as it was: it starts and runs its schedule
    run_epochs(s, 0, 2);
    EXPECT(!lrs.empty() && lrs[0] == 0.1 && s.epoch() == 2);
    // During a run configure() is refused as a whole too.
    EXPECT_ERROR(s.configure(small_config()), SGDR_EORDER, "");
    s.on_train_end();
    unchanged(__LINE__);

    // A fresh scheduler keeps its required parameters unset.
    sgdr::Scheduler fresh;
    bad = small_config();
    bad.lr_decay = -1;
    EXPECT_ERROR(fresh.configure(bad), SGDR_EVALUE, "lr_decay (-1)");
    EXPECT(std::isnan(fresh.get(SGDR_PARAM_MIN_LR)));
    EXPECT(std::isnan(fresh.get(SGDR_PARAM_MAX_LR)));
    EXPECT_ERROR(fresh.on_train_begin(), SGDR_ECONFIG, "");
}

void test_version()
{
    EXPECT(sgdr::version_string() == SGDR_VERSION_STRING);
    EXPECT(sgdr::version_number() == SGDR_VERSION_NUMBER);
}

// Config's defaults are the library's: every member against sgdr_param_describe(), and one
// member per parameter the library has (a parameter added to the library without a Config
// member, or a default changed on one side only, fails here).
void test_config_defaults_are_the_library_s()
{
    const sgdr::Config c;
    const std::vector<std::pair<sgdr_param, double>> members = {
        {SGDR_PARAM_LR_DECAY, c.lr_decay},
        {SGDR_PARAM_CYCLE_LENGTH, static_cast<double>(c.cycle_length)},
        {SGDR_PARAM_MULT_FACTOR, c.mult_factor},
        {SGDR_PARAM_RESTART_MODE, static_cast<double>(static_cast<int>(c.restart_mode))},
        {SGDR_PARAM_WARMUP_EPOCHS, static_cast<double>(c.warmup_epochs)},
        {SGDR_PARAM_WARMUP_START_LR, c.warmup_start_lr},
        {SGDR_PARAM_MAX_CYCLES, static_cast<double>(c.max_cycles)},
        {SGDR_PARAM_RESTORE_AT_END, c.restore_at_end ? 1.0 : 0.0},
        {SGDR_PARAM_HISTORY, c.history ? 1.0 : 0.0},
        {SGDR_PARAM_CYCLE_WARMUP_STEPS, static_cast<double>(c.cycle_warmup_steps)},
        // required: no default, 0 in a Config
        {SGDR_PARAM_MIN_LR, c.min_lr},
        {SGDR_PARAM_MAX_LR, c.max_lr},
        {SGDR_PARAM_STEPS_PER_EPOCH, static_cast<double>(c.steps_per_epoch)},
    };
    std::map<int, double> config;
    for (const auto &m : members) config[m.first] = m.second;
    sgdr_param_desc d;
    int id = 1;
    for (; sgdr_param_describe(static_cast<sgdr_param>(id), &d) == SGDR_OK; id++) {
        auto it = config.find(id);
        EXPECT(it != config.end());
        if (it == config.end()) {
            std::fprintf(stderr, "sgdr::Config has no member for %s\n", d.name);
            continue;
        }
        const bool same = d.required ? it->second == 0 : it->second == d.default_value;
        if (!same)
            std::fprintf(stderr, "sgdr::Config: %s is %.17g, the library's default %.17g\n",
                         d.name, it->second, d.default_value);
        EXPECT(same);
    }
    EXPECT(static_cast<std::size_t>(id - 1) == config.size());
}

} // namespace

int main()
{
    test_move_only();
    test_errors_name_the_parameter();
    test_hooks_and_a_whole_run();
    test_state_resume_is_exact();
    test_resume_with_other_steps_per_epoch();
    test_throwing_hooks();
    test_configure_is_atomic();
    test_version();
    test_config_defaults_are_the_library_s();
    if (failures != 0) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("sgdr.hpp: all checks passed\n");
    return 0;
}
