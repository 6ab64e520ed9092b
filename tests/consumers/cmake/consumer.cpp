/* SPDX-License-Identifier: MIT */
// consumer.cpp -- the installed C++ wrapper (sgdr.hpp) used through find_package: a short
// run with callable hooks, checked against the closed form; a bad value must throw.
#include <cstdio>
#include <cstring>
#include <vector>

#include <sgdr.hpp>

int main()
{
    try {
        sgdr::Scheduler s(1e-4, 0.1, 4);
        std::vector<double> lrs;
        s.set_lr_hooks({}, [&](double lr) { lrs.push_back(lr); });
        s.on_train_begin();
        for (std::uint64_t epoch = 0; epoch < 3; epoch++) {
            for (std::uint64_t batch = 0; batch < 4; batch++) s.on_batch_end(batch, {{"loss", 1.0}});
            s.on_epoch_end(epoch);
        }
        for (std::size_t i = 0; i < 12; i++) {
            if (lrs[i] != s.lr_at(i)) {
                std::fprintf(stderr, "consumer_cxx: lr %zu differs from lr_at\n", i);
                return 1;
            }
        }
        s.on_train_end();
        try {
            s.set(SGDR_PARAM_MAX_LR, -1);
            std::fprintf(stderr, "consumer_cxx: a bad value did not throw\n");
            return 1;
        } catch (const sgdr::Error &e) {
            if (e.status() != SGDR_EVALUE || std::strstr(e.what(), "max_lr") == nullptr) {
                std::fprintf(stderr, "consumer_cxx: unexpected error %s\n", e.what());
                return 1;
            }
        }
        std::printf("consumer_cxx: sgdr.hpp with libsgdr %s, %zu lrs\n",
                    sgdr::version_string().c_str(), lrs.size());
        return 0;
    } catch (const sgdr::Error &e) {
        std::fprintf(stderr, "consumer_cxx: %s\n", e.what());
        return 1;
    }
}
