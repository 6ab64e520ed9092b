/* SPDX-License-Identifier: MIT */
/*
 * sgdr.hpp -- header-only C++17 interface to libsgdr.
 *
 * The same scheduler as sgdr.h (read it for the contract of every call), as a move-only RAII
 * class: sgdr::Scheduler owns one sgdr_scheduler, hooks are any callables, and every failure
 * is an exception.
 *
 *     sgdr::Config c;
 *     c.min_lr = 1e-5; c.max_lr = 0.1; c.steps_per_epoch = 100;
 *     sgdr::Scheduler s(c);
 *     s.set_lr_hooks({}, [&](double lr) { optimizer.lr = lr; });
 *     s.on_train_begin();
 *     for (std::uint64_t epoch = 0; epoch < epochs; epoch++) {
 *         for (std::uint64_t batch = 0; batch < 100; batch++) {
 *             double loss = train_one_batch();
 *             s.on_batch_end(batch, {{"loss", loss}});
 *         }
 *         s.on_epoch_end(epoch);
 *     }
 *     s.on_train_end();
 *
 * Errors. A failing call throws sgdr::Error, which carries the sgdr_status and the library's
 * message (sgdr_last_error: it names the parameter and the value); the scheduler is then
 * exactly as it was before the call.
 *
 * Hooks. A hook fails by throwing. The exception never crosses the C library's frames: the
 * trampoline catches it, returns non-zero (so the library fails the callback with the hook's
 * status and changes nothing), and the wrapper rethrows the very same exception once the C
 * call has returned. The call may then be retried.
 *
 * Nothing here needs more than C++17 (no std::span). Link with libsgdr as for sgdr.h.
 */
#ifndef SGDR_HPP
#define SGDR_HPP

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sgdr.h"

namespace sgdr {

/* A failed libsgdr call: status() is the sgdr_status, what() the library's message. */
class Error : public std::runtime_error {
public:
    Error(sgdr_status status, const std::string &message)
        : std::runtime_error(message), status_(status) {}
    sgdr_status status() const noexcept { return status_; }

private:
    sgdr_status status_;
};

/* A named metric, as in Keras' logs: {"loss", 0.25}. The name must outlive the call. */
using Metric = sgdr_metric;

enum class RestartMode : int { peak = SGDR_RESTART_PEAK, keras_seed = SGDR_RESTART_KERAS_SEED };

/* Every parameter with the library's defaults (sgdr.h, sgdr_param; sgdr_param_describe()
 * says the same, and tests/cxx holds the two together). min_lr, max_lr and steps_per_epoch
 * are required: a Config left with them at 0 is refused. */
struct Config {
    double min_lr = 0;
    double max_lr = 0;
    std::uint64_t steps_per_epoch = 0;
    double lr_decay = 1;
    std::uint64_t cycle_length = 10;
    double mult_factor = 2;
    RestartMode restart_mode = RestartMode::peak;
    std::uint64_t warmup_epochs = 0;
    double warmup_start_lr = 0;
    std::uint64_t max_cycles = 0;
    bool restore_at_end = true;
    bool history = true;
    std::uint64_t cycle_warmup_steps = 0; /* since 1.1 */
};

/* The library's version, as loaded at run time. */
inline std::string version_string() { return sgdr_version_string(); }
inline unsigned version_number() { return sgdr_version_number(); }

namespace detail {

/* The host's callables and the exception the last failing one threw. Heap-allocated and
 * owned by the Scheduler, so its address (the hooks' user pointer) survives moves. */
struct Hooks {
    std::function<double()> get_lr;
    std::function<void(double)> set_lr;
    std::function<void(std::uint32_t)> snapshot;
    std::function<void(std::uint32_t)> restore;
    std::exception_ptr error;

    /* The C trampolines: nothing may propagate out of them into C frames. */
    static int call_get_lr(void *user, double *lr) noexcept
    {
        Hooks *h = static_cast<Hooks *>(user);
        try {
            *lr = h->get_lr();
            return 0;
        } catch (...) {
            h->error = std::current_exception();
            return 1;
        }
    }
    static int call_set_lr(void *user, double lr) noexcept
    {
        return call(user, &Hooks::set_lr, lr);
    }
    static int call_snapshot(void *user, std::uint32_t cycle) noexcept
    {
        return call(user, &Hooks::snapshot, cycle);
    }
    static int call_restore(void *user, std::uint32_t cycle) noexcept
    {
        return call(user, &Hooks::restore, cycle);
    }

private:
    template <class F, class Arg>
    static int call(void *user, F Hooks::*member, Arg arg) noexcept
    {
        Hooks *h = static_cast<Hooks *>(user);
        try {
            (h->*member)(arg);
            return 0;
        } catch (...) {
            h->error = std::current_exception();
            return 1;
        }
    }
};

} // namespace detail

class Scheduler {
public:
    /* A scheduler at the library's defaults, with min_lr, max_lr, steps_per_epoch unset. */
    Scheduler() : hooks_(new detail::Hooks)
    {
        sgdr_status st = sgdr_create(&s_);
        if (st != SGDR_OK) throw Error(st, sgdr_strerror(st));
    }

    /* A scheduler with every parameter of `c`, checked as a whole (Error names the first
     * parameter that is wrong). */
    explicit Scheduler(const Config &c) : Scheduler() { configure(c); }

    Scheduler(double min_lr, double max_lr, std::uint64_t steps_per_epoch) : Scheduler()
    {
        Config c;
        c.min_lr = min_lr;
        c.max_lr = max_lr;
        c.steps_per_epoch = steps_per_epoch;
        configure(c);
    }

    ~Scheduler() { sgdr_destroy(s_); }

    Scheduler(const Scheduler &) = delete;
    Scheduler &operator=(const Scheduler &) = delete;

    /* A moved-from Scheduler owns nothing; any call on it throws Error(SGDR_ENULL). */
    Scheduler(Scheduler &&other) noexcept
        : s_(std::exchange(other.s_, nullptr)), hooks_(std::move(other.hooks_)) {}

    Scheduler &operator=(Scheduler &&other) noexcept
    {
        if (this != &other) {
            sgdr_destroy(s_);
            s_ = std::exchange(other.s_, nullptr);
            hooks_ = std::move(other.hooks_);
        }
        return *this;
    }

    /* The C handle, for calls this class does not wrap. Still owned by the Scheduler. */
    sgdr_scheduler *native_handle() const noexcept { return s_; }

    /* ---- configuration ---- */

    /* Set every parameter of `c`, checked as a whole: all of them or, when one is refused,
     * none (Error names the first that is wrong). */
    void configure(const Config &c)
    {
        /* Tried first on a scratch scheduler, so that a value refused after others were set
         * leaves this one untouched. Copying to this one can then only fail as a whole: on
         * the first parameter, during a run (SGDR_EORDER). */
        Scheduler scratch;
        scratch.apply(c);
        (void)scratch.lr_at(0); /* the rules that involve two parameters */
        apply(c);
    }

    Scheduler &set(sgdr_param p, double value)
    {
        check(sgdr_set_param(s_, p, value));
        return *this;
    }

    /* Another number of batches per epoch, also during a run or on a loaded state before
     * on_train_begin (a resume with another batch size or number of workers): the run goes
     * on as one with `n` from the start at the same epoch. Mid-epoch only where the batch
     * position maps exactly (sgdr_set_param has the rules); Error otherwise, nothing changed. */
    Scheduler &set_steps_per_epoch(std::uint64_t n)
    {
        return set(SGDR_PARAM_STEPS_PER_EPOCH, static_cast<double>(n));
    }

    double get(sgdr_param p) const
    {
        double v = 0;
        check(sgdr_get_param(s_, p, &v));
        return v;
    }

    /* Replace the learning-rate hooks; an empty function removes that hook. */
    void set_lr_hooks(std::function<double()> get_lr, std::function<void(double)> set_lr)
    {
        live_hooks();
        hooks_->get_lr = std::move(get_lr);
        hooks_->set_lr = std::move(set_lr);
        check(sgdr_set_lr_hooks(s_, hooks_->get_lr ? &detail::Hooks::call_get_lr : nullptr,
                                hooks_->set_lr ? &detail::Hooks::call_set_lr : nullptr,
                                hooks_.get()));
    }

    /* Replace the weight hooks; an empty function removes that hook. */
    void set_weight_hooks(std::function<void(std::uint32_t)> snapshot,
                          std::function<void(std::uint32_t)> restore)
    {
        live_hooks();
        hooks_->snapshot = std::move(snapshot);
        hooks_->restore = std::move(restore);
        check(sgdr_set_weight_hooks(
            s_, hooks_->snapshot ? &detail::Hooks::call_snapshot : nullptr,
            hooks_->restore ? &detail::Hooks::call_restore : nullptr, hooks_.get()));
    }

    /* ---- the four callbacks ---- */

    void on_train_begin() { check(sgdr_on_train_begin(s_)); }

    void on_batch_end(std::uint64_t batch, const Metric *m = nullptr, std::size_t n = 0)
    {
        check(sgdr_on_batch_end(s_, batch, m, n));
    }
    void on_batch_end(std::uint64_t batch, std::initializer_list<Metric> m)
    {
        on_batch_end(batch, m.begin(), m.size());
    }
    void on_batch_end(std::uint64_t batch, const std::vector<Metric> &m)
    {
        on_batch_end(batch, m.data(), m.size());
    }

    void on_epoch_end(std::uint64_t epoch, const Metric *m = nullptr, std::size_t n = 0)
    {
        check(sgdr_on_epoch_end(s_, epoch, m, n));
    }
    void on_epoch_end(std::uint64_t epoch, std::initializer_list<Metric> m)
    {
        on_epoch_end(epoch, m.begin(), m.size());
    }
    void on_epoch_end(std::uint64_t epoch, const std::vector<Metric> &m)
    {
        on_epoch_end(epoch, m.data(), m.size());
    }

    void on_train_end(const Metric *m = nullptr, std::size_t n = 0)
    {
        check(sgdr_on_train_end(s_, m, n));
    }
    void on_train_end(std::initializer_list<Metric> m) { on_train_end(m.begin(), m.size()); }
    void on_train_end(const std::vector<Metric> &m) { on_train_end(m.data(), m.size()); }

    /* ---- learning rate and progress ---- */

    /* The learning rate of the next batch (NaN before on_train_begin). */
    double lr() const noexcept { return sgdr_lr(s_); }

    /* The learning rate batch `step` trains with, in closed form. */
    double lr_at(std::uint64_t step) const
    {
        double lr = 0;
        check(sgdr_lr_at(s_, step, &lr));
        return lr;
    }

    std::uint64_t progress(sgdr_progress what) const
    {
        std::uint64_t v = 0;
        check(sgdr_get_progress(s_, what, &v));
        return v;
    }
    std::uint64_t step() const { return progress(SGDR_PROGRESS_STEP); }
    std::uint64_t epoch() const { return progress(SGDR_PROGRESS_EPOCH); }
    std::uint64_t cycle() const { return progress(SGDR_PROGRESS_CYCLE); }
    std::uint64_t snapshots() const { return progress(SGDR_PROGRESS_SNAPSHOTS); }
    bool running() const { return progress(SGDR_PROGRESS_RUNNING) != 0; }

    /* ---- history ---- */

    std::size_t history_rows() const
    {
        std::size_t n = 0;
        check(sgdr_history_rows(s_, &n));
        return n;
    }
    std::size_t history_columns() const
    {
        std::size_t n = 0;
        check(sgdr_history_columns(s_, &n));
        return n;
    }
    std::string history_column_name(std::size_t column) const
    {
        const char *name = nullptr;
        check(sgdr_history_column_name(s_, column, &name));
        return name;
    }
    /* Column `column` (0 is "lr"), one value per batch. */
    std::vector<double> history(std::size_t column) const
    {
        std::vector<double> out(history_rows());
        check(sgdr_history_copy(s_, column, 0, out.data(), out.size()));
        return out;
    }
    /* The column called `name`; Error(SGDR_EINDEX) if there is none. */
    std::vector<double> history(const std::string &name) const
    {
        std::size_t column = 0;
        check(sgdr_history_find(s_, name.c_str(), &column));
        return history(column);
    }
    std::string history_csv() const
    {
        std::size_t len = 0;
        check(sgdr_history_to_csv(s_, nullptr, 0, &len));
        std::string out(len, '\0');
        check(sgdr_history_to_csv(s_, &out[0], out.size(), &len));
        out.resize(len);
        return out;
    }
    void write_history_csv(const std::string &path) const
    {
        check(sgdr_history_write_csv(s_, path.c_str()));
    }

    /* ---- checkpoint and resume ---- */

    std::vector<unsigned char> save_state() const
    {
        std::size_t len = 0;
        check(sgdr_save_state(s_, nullptr, 0, &len));
        std::vector<unsigned char> out(len);
        check(sgdr_save_state(s_, out.data(), out.size(), &len));
        out.resize(len);
        return out;
    }
    void load_state(const void *blob, std::size_t len) { check(sgdr_load_state(s_, blob, len)); }
    void load_state(const std::vector<unsigned char> &blob)
    {
        load_state(blob.data(), blob.size());
    }

private:
    sgdr_scheduler *s_ = nullptr;
    std::unique_ptr<detail::Hooks> hooks_;

    void apply(const Config &c)
    {
        set(SGDR_PARAM_MIN_LR, c.min_lr);
        set(SGDR_PARAM_MAX_LR, c.max_lr);
        set(SGDR_PARAM_STEPS_PER_EPOCH, static_cast<double>(c.steps_per_epoch));
        set(SGDR_PARAM_LR_DECAY, c.lr_decay);
        set(SGDR_PARAM_CYCLE_LENGTH, static_cast<double>(c.cycle_length));
        set(SGDR_PARAM_MULT_FACTOR, c.mult_factor);
        set(SGDR_PARAM_RESTART_MODE, static_cast<double>(static_cast<int>(c.restart_mode)));
        set(SGDR_PARAM_WARMUP_EPOCHS, static_cast<double>(c.warmup_epochs));
        set(SGDR_PARAM_WARMUP_START_LR, c.warmup_start_lr);
        set(SGDR_PARAM_MAX_CYCLES, static_cast<double>(c.max_cycles));
        set(SGDR_PARAM_RESTORE_AT_END, c.restore_at_end ? 1.0 : 0.0);
        set(SGDR_PARAM_HISTORY, c.history ? 1.0 : 0.0);
        set(SGDR_PARAM_CYCLE_WARMUP_STEPS, static_cast<double>(c.cycle_warmup_steps));
    }

    void live_hooks()
    {
        if (!hooks_) throw Error(SGDR_ENULL, "the scheduler has been moved from");
    }

    /* Turn a failed status into an exception: a hook's own exception first (rethrown as it
     * was thrown), else Error with the library's message. */
    void check(sgdr_status st) const
    {
        if (st == SGDR_OK) return;
        if (hooks_ && hooks_->error) {
            std::exception_ptr e = std::exchange(hooks_->error, nullptr);
            std::rethrow_exception(e);
        }
        throw Error(st, sgdr_last_error(s_));
    }
};

} // namespace sgdr

#endif /* SGDR_HPP */
