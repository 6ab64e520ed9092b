// SPDX-License-Identifier: MIT
/*
 * sgdr_torch.hpp -- libsgdr as a learning-rate scheduler for libtorch (PyTorch's C++ API).
 *
 * Header-only, on top of sgdr.hpp; include it only in code that builds with libtorch (libsgdr
 * itself never needs it). The C++ twin of the Python sgdr.torch.SGDR:
 *
 *     auto net = std::make_shared<Net>();
 *     torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
 *     sgdr::Config c;
 *     c.min_lr = 1e-3; c.max_lr = 0.1; c.steps_per_epoch = batches_per_epoch;
 *     sgdr::torch::Options o;
 *     o.model = net;                       // snapshot at cycle ends, restore the last
 *     sgdr::torch::SGDR sched(opt, c, o);  // starts the run: every group gets its lr
 *     for (...epochs...)
 *         for (...batches...) {
 *             opt.zero_grad(); loss.backward(); opt.step();
 *             sched.step();                // once per batch; epoch ends are counted here
 *         }
 *     sched.finish();                      // the weights of the last cycle end are back
 *
 * Per-group learning rates: group i trains at lr * scale[i], lr being the schedule's
 * (min_lr..max_lr). By default scale[i] is group i's lr at construction divided by group 0's,
 * so group 0 follows the schedule exactly and the others keep their ratio to it; or give
 * Options::group_scales (one finite value >= 0 per group). Every optimizer whose options
 * implement get_lr/set_lr works (SGD, Adam, AdamW, Adagrad, RMSprop, LBFGS).
 *
 * Snapshots: with Options::model, the module's parameters and buffers are deep-copied (on
 * their own devices) at every cycle end; the `keep_snapshots` most recent are kept (0: all,
 * e.g. for a snapshot ensemble) and finish() copies the last back (restore_at_end).
 *
 * Checkpoints: save(path) writes the scheduler (libsgdr's state blob, the group scales, the
 * kept snapshots), the model and the optimizer to a file; load(path) on a SGDR built the same
 * way continues the run bit for bit as if it had never stopped. The file is a
 * torch::serialize archive behind an 8-byte magic and a CRC-32 of the archive, checked before
 * libtorch reads a byte of it: libtorch's reader trusts its input (a flipped bit can crash
 * it or load other numbers). Files of libsgdr 1.1.0 (the bare archive) still load, unchecked.
 * save(archive)/load(archive) are the same without the file; write_archive()/read_archive()
 * give an archive with keys of the program's own the same file form and checksum.
 *
 * Errors: every failure is an sgdr::Error (sgdr.hpp) naming what was wrong; libtorch's own
 * exceptions are turned into one. A refused call changes nothing: load() puts the model and
 * optimizer back when libtorch refuses their part of an archive.
 */
#ifndef SGDR_TORCH_HPP
#define SGDR_TORCH_HPP

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <c10/util/Exception.h>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "sgdr.hpp"

namespace sgdr {
namespace torch {

struct Options {
    /* Snapshot its parameters and buffers at cycle ends; none when empty. */
    std::shared_ptr<::torch::nn::Module> model;
    /* How many end-of-cycle copies to keep, the most recent; 0 keeps all. */
    std::size_t keep_snapshots = 1;
    /* One lr multiplier per param group; empty: each group's lr / group 0's lr. */
    std::vector<double> group_scales;
};

/* One snapshot: the model's parameters, then its buffers, in the module's own order. */
using Snapshot = std::vector<::at::Tensor>;

namespace detail {

/* The tensors a snapshot copies (the live ones), and in `names` a line per tensor with its
 * name and shape, so that a checkpoint of another model is recognised. */
inline std::vector<::at::Tensor> live_tensors(const ::torch::nn::Module &m,
                                              std::string *names = nullptr)
{
    std::vector<::at::Tensor> out;
    auto add = [&](const ::torch::OrderedDict<std::string, ::at::Tensor> &d) {
        for (const auto &item : d) {
            out.push_back(item.value());
            if (!names) continue;
            *names += item.key();
            if (item.value().defined())
                for (std::int64_t n : item.value().sizes()) *names += " " + std::to_string(n);
            *names += "\n";
        }
    };
    add(m.named_parameters());
    add(m.named_buffers());
    return out;
}

/* Call f, turning libtorch's exceptions into Error(status, "<what>: <libtorch's message>"). */
template <class F>
auto torch_call(sgdr_status status, const std::string &what, F f) -> decltype(f())
{
    try {
        return f();
    } catch (const Error &) {
        throw;
    } catch (const c10::Error &e) {
        throw Error(status, what + ": " + e.what_without_backtrace());
    } catch (const std::exception &e) {
        throw Error(status, what + ": " + e.what());
    }
}

/* A number in a message, as libsgdr writes them: every digit that matters. */
inline std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

/* f() on param group i's options, which may hold no learning rate. It runs for every group
 * on every batch, so the message is only built when f throws (torch_call then turns the
 * exception being handled into an Error). */
template <class F>
auto group_call(std::size_t i, F f) -> decltype(f())
{
    try {
        return f();
    } catch (...) {
        return torch_call(SGDR_EVALUE,
                          "param group " + std::to_string(i) + ": its options have no learning rate",
                          []() -> decltype(f()) { throw; });
    }
}

inline double group_lr(const ::torch::optim::OptimizerParamGroup &g, std::size_t i)
{
    return group_call(i, [&] { return g.options().get_lr(); });
}

/* The per-group scales, checked as sgdr.torch.SGDR checks them. */
inline std::vector<double> scales(const std::vector<::torch::optim::OptimizerParamGroup> &groups,
                                  const std::vector<double> &given)
{
    if (groups.empty()) throw Error(SGDR_EVALUE, "the optimizer has no param groups");
    std::vector<double> out;
    if (given.empty()) {
        double ref = group_lr(groups[0], 0);
        if (!(std::isfinite(ref) && ref > 0))
            throw Error(SGDR_EVALUE, "group_scales: the first param group's lr (" +
                                         num(ref) +
                                         ") must be a positive number to scale the other "
                                         "groups by; give group_scales explicitly");
        for (std::size_t i = 0; i < groups.size(); i++) out.push_back(group_lr(groups[i], i) / ref);
        return out;
    }
    if (given.size() != groups.size())
        throw Error(SGDR_EVALUE, "group_scales has " + std::to_string(given.size()) +
                                     " values for " + std::to_string(groups.size()) +
                                     " param groups");
    for (std::size_t i = 0; i < given.size(); i++)
        if (!(std::isfinite(given[i]) && given[i] >= 0))
            throw Error(SGDR_EVALUE, "group_scales[" + std::to_string(i) + "] (" +
                                         num(given[i]) + ") must be finite and >= 0");
    return given;
}

/* The checkpoint file's first bytes, then the CRC-32 (little-endian) of the archive after it. */
constexpr char kFileMagic[8] = {'S', 'G', 'D', 'R', '-', 'P', 'T', '1'};
constexpr std::size_t kFileHeader = sizeof kFileMagic + 4;

/* CRC-32 (IEEE 802.3, as zlib's): it detects every error of up to 32 consecutive bits. */
inline std::uint32_t crc32(const char *p, std::size_t n)
{
    static const auto table = [] {
        std::vector<std::uint32_t> t(256);
        for (std::uint32_t i = 0; i < 256; i++) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; i++)
        c = table[(c ^ static_cast<unsigned char>(p[i])) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/* The weight hooks' side: snapshots of one module. Heap-allocated, so that the hooks' pointer
 * to it survives moves of the SGDR. */
struct Keeper {
    std::shared_ptr<::torch::nn::Module> model;
    std::size_t keep = 1;
    std::map<std::uint32_t, Snapshot> snapshots;

    void take(std::uint32_t cycle)
    {
        Snapshot copy;
        torch_call(SGDR_EHOOK_SNAPSHOT, "snapshot of cycle " + std::to_string(cycle), [&] {
            for (const auto &t : live_tensors(*model))
                copy.push_back(t.defined() ? t.detach().clone() : t);
        });
        /* A retried cycle replaces its own copy (hooks are idempotent per cycle). */
        snapshots[cycle] = std::move(copy);
        while (keep != 0 && snapshots.size() > keep) snapshots.erase(snapshots.begin());
    }

    void put(std::uint32_t cycle)
    {
        auto it = snapshots.find(cycle);
        if (it == snapshots.end())
            throw Error(SGDR_EHOOK_RESTORE,
                        "no snapshot of cycle " + std::to_string(cycle) + " is kept");
        torch_call(SGDR_EHOOK_RESTORE, "restore of cycle " + std::to_string(cycle), [&] {
            ::torch::NoGradGuard no_grad;
            std::vector<::at::Tensor> live = live_tensors(*model);
            for (std::size_t i = 0; i < live.size(); i++)
                if (live[i].defined()) live[i].copy_(it->second[i]);
        });
    }
};

} // namespace detail

/* Write `archive` to the file at `path` behind the magic and the CRC-32 of the archive,
 * replacing the file whole (a failed write leaves the old one): the file form of save(). For
 * a program that adds its own keys to the archive (SGDR::save(archive) first). */
inline void write_archive(::torch::serialize::OutputArchive &archive, const std::string &path)
{
    std::ostringstream body;
    detail::torch_call(SGDR_EIO, "saving the archive", [&] { archive.save_to(body); });
    const std::string data = body.str();
    std::uint32_t crc = detail::crc32(data.data(), data.size());
    char header[detail::kFileHeader];
    std::memcpy(header, detail::kFileMagic, sizeof detail::kFileMagic);
    for (std::size_t i = 0; i < 4; i++)
        header[sizeof detail::kFileMagic + i] = static_cast<char>((crc >> (8 * i)) & 0xFFu);
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f.write(header, sizeof header);
        f.write(data.data(), static_cast<std::streamsize>(data.size()));
        f.close();
        if (!f) {
            std::remove(tmp.c_str());
            throw Error(SGDR_EIO, "cannot write " + tmp);
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw Error(SGDR_EIO, "cannot replace " + path + " with " + tmp);
    }
}

/* Read into `archive` the file write_archive() wrote at `path`, after verifying its magic
 * and checksum (SGDR_EMAGIC, SGDR_ECHECKSUM; SGDR_EIO when it cannot be read): nothing of a
 * damaged file reaches libtorch. A bare archive (libsgdr 1.1.0's files) is read unchecked. */
inline void read_archive(const std::string &path, ::torch::serialize::InputArchive &archive)
{
    std::string data;
    {
        std::ifstream f(path, std::ios::binary);
        if (!f) throw Error(SGDR_EIO, "cannot read " + path);
        std::ostringstream whole; // a buffer at a time: a byte-wise iterator is much slower
        whole << f.rdbuf();       // nothing inserted (an empty file): data stays empty
        data = whole.str();
    }
    std::size_t start = 0;
    if (data.compare(0, 4, std::string("PK\3\4", 4)) != 0) { /* else a bare archive */
        if (data.size() < detail::kFileHeader ||
            std::memcmp(data.data(), detail::kFileMagic, sizeof detail::kFileMagic) != 0)
            throw Error(SGDR_EMAGIC, path + " is not an sgdr::torch checkpoint (it does not "
                                            "start with SGDR-PT1)");
        std::uint32_t want = 0;
        for (std::size_t i = 0; i < 4; i++)
            want |= static_cast<std::uint32_t>(
                        static_cast<unsigned char>(data[sizeof detail::kFileMagic + i]))
                    << (8 * i);
        start = detail::kFileHeader;
        if (detail::crc32(data.data() + start, data.size() - start) != want)
            throw Error(SGDR_ECHECKSUM, path + ": the checksum does not match (the file is "
                                               "damaged or truncated)");
    }
    std::istringstream in(data.substr(start));
    detail::torch_call(SGDR_ECORRUPT, path + " holds no readable archive",
                       [&] { archive.load_from(in); });
}

class SGDR {
public:
    /* Start a run (on_train_begin) of the schedule `config` over `optimizer`, which must
     * outlive this object, and set every param group's lr. */
    SGDR(::torch::optim::Optimizer &optimizer, const Config &config, Options options = {})
        : opt_(&optimizer), sched_(config), spe_(config.steps_per_epoch),
          scales_(detail::scales(optimizer.param_groups(), options.group_scales))
    {
        if (options.model) {
            keeper_ = std::make_unique<detail::Keeper>();
            keeper_->model = std::move(options.model);
            keeper_->keep = options.keep_snapshots;
            detail::Keeper *k = keeper_.get();
            sched_.set_weight_hooks([k](std::uint32_t c) { k->take(c); },
                                    [k](std::uint32_t c) { k->put(c); });
        }
        sched_.on_train_begin();
        apply_lr();
    }

    /* Count one trained batch (call it after optimizer.step()) and set the next batch's lr
     * in every group; after every steps_per_epoch batches also end the epoch (restart,
     * snapshot). An epoch end that failed is retried by the next step(). */
    void step()
    {
        check_groups(); /* a refused step counts nothing */
        if (batch_ == spe_) end_epoch();
        sched_.on_batch_end(batch_);
        batch_++;
        if (batch_ == spe_) end_epoch();
        apply_lr();
    }

    /* End the run (on_train_end): with a model, copy the last end-of-cycle weights back. */
    void finish() { sched_.on_train_end(); }

    /* The lr of every param group, as the last step() set it (like LRScheduler's). */
    std::vector<double> get_last_lr() const
    {
        std::vector<double> out;
        const auto &groups = opt_->param_groups();
        for (std::size_t i = 0; i < groups.size(); i++) out.push_back(detail::group_lr(groups[i], i));
        return out;
    }

    /* The schedule's lr (group 0's at scale 1) of batch `step`, 0-based. */
    double lr_at(std::uint64_t step) const { return sched_.lr_at(step); }

    const std::vector<double> &group_scales() const noexcept { return scales_; }
    std::uint64_t epoch() const noexcept { return epoch_; }

    /* The kept snapshots by cycle (0-based); empty without a model. */
    const std::map<std::uint32_t, Snapshot> &snapshots() const noexcept
    {
        static const std::map<std::uint32_t, Snapshot> none;
        return keeper_ ? keeper_->snapshots : none;
    }

    /* The libsgdr scheduler underneath (progress counters, history, parameters). */
    Scheduler &scheduler() noexcept { return sched_; }
    const Scheduler &scheduler() const noexcept { return sched_; }

    /* ---- checkpoint and resume ---- */

    /* Write the scheduler (as "sgdr"), the model ("model") and the optimizer ("optimizer")
     * into `archive`; the caller may add its own keys. */
    void save(::torch::serialize::OutputArchive &archive) const
    {
        detail::torch_call(SGDR_EIO, "saving the scheduler", [&] {
            ::torch::serialize::OutputArchive mine(archive.compilation_unit());
            std::vector<unsigned char> blob = sched_.save_state();
            mine.write("state", bytes_tensor(blob));
            mine.write("group_scales", doubles_tensor(scales_));
            if (keeper_) {
                std::string names;
                (void)detail::live_tensors(*keeper_->model, &names);
                mine.write("names", ::c10::IValue(names));
                std::vector<double> cycles;
                for (const auto &kv : keeper_->snapshots) {
                    cycles.push_back(kv.first);
                    ::torch::serialize::OutputArchive snap(archive.compilation_unit());
                    for (std::size_t i = 0; i < kv.second.size(); i++)
                        if (kv.second[i].defined()) snap.write(std::to_string(i), kv.second[i]);
                    mine.write("snapshot_" + std::to_string(kv.first), snap);
                }
                mine.write("snapshot_cycles", doubles_tensor(cycles));
                ::torch::serialize::OutputArchive model(archive.compilation_unit());
                keeper_->model->save(model);
                archive.write("model", model);
            }
            ::torch::serialize::OutputArchive opt(archive.compilation_unit());
            opt_->save(opt);
            archive.write("optimizer", opt);
            archive.write("sgdr", mine);
        });
    }

    /* Continue the run saved by save() in `archive`: counters, schedule, group scales and
     * snapshots are replaced, the model and optimizer loaded, every group's lr set. The
     * archive is checked (state blob, scales, snapshot shapes against the model) before
     * anything changes. A `steps_per_epoch` other than 0 continues the run with that many
     * batches per epoch (a resume with another batch size or number of workers, see
     * Scheduler::set_steps_per_epoch): always at an epoch end, mid-epoch only where the
     * position maps exactly (Error otherwise, nothing changed). */
    void load(::torch::serialize::InputArchive &archive, std::uint64_t steps_per_epoch = 0)
    {
        ::torch::serialize::InputArchive mine, model, opt;
        std::vector<unsigned char> blob;
        std::vector<double> scales;
        std::map<std::uint32_t, Snapshot> snaps;
        detail::torch_call(SGDR_ECORRUPT, "the archive holds no SGDR checkpoint of this setup", [&] {
            archive.read("sgdr", mine);
            archive.read("optimizer", opt);
            if (keeper_) archive.read("model", model);
            ::at::Tensor state, group_scales; /* read() into a defined tensor would copy */
            mine.read("state", state);
            blob = tensor_bytes(state);
            mine.read("group_scales", group_scales);
            scales = tensor_doubles(group_scales);
            if (keeper_) snaps = read_snapshots(mine);
        });
        scales = detail::scales(opt_->param_groups(), scales);
        Scheduler probe; /* checks the blob before this scheduler changes */
        probe.load_state(blob);
        if (steps_per_epoch != 0) blob = probe.set_steps_per_epoch(steps_per_epoch).save_state();
        load_model_and_optimizer(model, opt);
        sched_.load_state(blob);
        if (sched_.running()) sched_.on_train_begin(); /* the resume path: counters kept */
        spe_ = static_cast<std::uint64_t>(sched_.get(SGDR_PARAM_STEPS_PER_EPOCH));
        batch_ = sched_.progress(SGDR_PROGRESS_BATCH_IN_EPOCH);
        epoch_ = sched_.progress(SGDR_PROGRESS_EPOCH);
        scales_ = std::move(scales);
        if (keeper_) keeper_->snapshots = std::move(snaps);
        apply_lr();
    }

    /* Write the checkpoint file at `path` (write_archive: replaced whole, checksummed). */
    void save(const std::string &path) const
    {
        ::torch::serialize::OutputArchive archive;
        save(archive);
        write_archive(archive, path);
    }

    /* Continue the run saved by save(path). The file's checksum is verified before anything
     * in it is parsed (read_archive); a refused file changes nothing. steps_per_epoch as for
     * load(archive, steps_per_epoch). */
    void load(const std::string &path, std::uint64_t steps_per_epoch = 0)
    {
        ::torch::serialize::InputArchive archive;
        read_archive(path, archive);
        load(archive, steps_per_epoch);
    }

private:
    ::torch::optim::Optimizer *opt_;
    Scheduler sched_;
    std::uint64_t spe_;
    std::vector<double> scales_;
    std::unique_ptr<detail::Keeper> keeper_;
    std::uint64_t batch_ = 0; /* batches counted in the current epoch */
    std::uint64_t epoch_ = 0; /* epochs completed */

    void check_groups() const
    {
        std::size_t n = opt_->param_groups().size();
        if (n != scales_.size())
            throw Error(SGDR_EVALUE, "the optimizer has " + std::to_string(n) +
                                         " param groups but the scheduler was set up for " +
                                         std::to_string(scales_.size()));
    }

    void apply_lr()
    {
        /* param_groups() is looked up every time: Optimizer::load() may replace options. */
        check_groups();
        auto &groups = opt_->param_groups();
        double lr = sched_.lr();
        for (std::size_t i = 0; i < groups.size(); i++)
            detail::group_call(i, [&] { groups[i].options().set_lr(lr * scales_[i]); });
    }

    /* Load the model and optimizer parts of an archive; when libtorch refuses one, put back
     * what they held (it may have copied some tensors already). */
    void load_model_and_optimizer(::torch::serialize::InputArchive &model,
                                  ::torch::serialize::InputArchive &opt)
    {
        std::stringstream backup;
        detail::torch_call(SGDR_EIO, "keeping the model and optimizer for a rollback", [&] {
            ::torch::serialize::OutputArchive b;
            ::torch::serialize::OutputArchive bm(b.compilation_unit()), bo(b.compilation_unit());
            if (keeper_) keeper_->model->save(bm);
            opt_->save(bo);
            b.write("model", bm);
            b.write("optimizer", bo);
            b.save_to(backup);
        });
        try {
            detail::torch_call(SGDR_ECORRUPT, "loading the model or optimizer from the archive",
                               [&] {
                                   if (keeper_) keeper_->model->load(model);
                                   opt_->load(opt);
                               });
        } catch (...) {
            ::torch::serialize::InputArchive b, bm, bo;
            b.load_from(backup);
            b.read("model", bm);
            b.read("optimizer", bo);
            if (keeper_) keeper_->model->load(bm);
            opt_->load(bo);
            throw;
        }
    }

    void end_epoch()
    {
        try {
            sched_.on_epoch_end(epoch_);
        } catch (...) {
            apply_lr(); /* the optimizer stays at the scheduler's lr; step() retries the end */
            throw;
        }
        batch_ = 0;
        epoch_++;
    }

    static ::at::Tensor bytes_tensor(const std::vector<unsigned char> &v)
    {
        ::at::Tensor t = ::at::empty({static_cast<std::int64_t>(v.size())}, ::at::kByte);
        std::copy(v.begin(), v.end(), t.data_ptr<std::uint8_t>());
        return t;
    }
    static ::at::Tensor doubles_tensor(const std::vector<double> &v)
    {
        ::at::Tensor t = ::at::empty({static_cast<std::int64_t>(v.size())}, ::at::kDouble);
        std::copy(v.begin(), v.end(), t.data_ptr<double>());
        return t;
    }
    static std::vector<unsigned char> tensor_bytes(const ::at::Tensor &t)
    {
        ::at::Tensor c = t.to(::at::kCPU).to(::at::kByte).contiguous();
        const std::uint8_t *p = c.data_ptr<std::uint8_t>();
        return std::vector<unsigned char>(p, p + c.numel());
    }
    static std::vector<double> tensor_doubles(const ::at::Tensor &t)
    {
        ::at::Tensor c = t.to(::at::kCPU).to(::at::kDouble).contiguous();
        const double *p = c.data_ptr<double>();
        return std::vector<double>(p, p + c.numel());
    }

    /* The snapshots in `mine`, checked against the live model: same names, shapes, types. */
    std::map<std::uint32_t, Snapshot> read_snapshots(::torch::serialize::InputArchive &mine)
    {
        std::string names;
        std::vector<::at::Tensor> live = detail::live_tensors(*keeper_->model, &names);
        ::c10::IValue saved;
        mine.read("names", saved);
        if (!saved.isString() || saved.toStringRef() != names)
            throw Error(SGDR_ECORRUPT, "the archive's snapshots are of another model (its "
                                       "parameters and buffers differ from this one's)");
        ::at::Tensor t;
        mine.read("snapshot_cycles", t);
        std::map<std::uint32_t, Snapshot> out;
        for (double cycle : tensor_doubles(t)) {
            auto c = static_cast<std::uint32_t>(cycle);
            ::torch::serialize::InputArchive snap;
            mine.read("snapshot_" + std::to_string(c), snap);
            Snapshot s(live.size());
            for (std::size_t i = 0; i < live.size(); i++) {
                if (!live[i].defined()) continue;
                snap.read(std::to_string(i), s[i]);
                if (s[i].sizes() != live[i].sizes() || s[i].dtype() != live[i].dtype())
                    throw Error(SGDR_ECORRUPT, "snapshot of cycle " + std::to_string(c) +
                                                   ": tensor " + std::to_string(i) +
                                                   " differs in shape or type from the model's");
                s[i] = s[i].to(live[i].device());
            }
            out[c] = std::move(s);
        }
        return out;
    }
};

} // namespace torch
} // namespace sgdr

#endif /* SGDR_TORCH_HPP */
