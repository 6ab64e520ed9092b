// SPDX-License-Identifier: MIT
// expect.hpp -- the C++ tests' checks: EXPECT(cond) counts a failure and goes on, and
// EXPECT_ERROR(expr, status, text) wants expr to throw sgdr::Error with that status and a
// message containing text. (Not CHECK: libtorch's logging headers define that.)
#ifndef SGDR_TEST_EXPECT_HPP
#define SGDR_TEST_EXPECT_HPP

#include <cstdio>
#include <cstring>

#include "sgdr.hpp"

inline int failures = 0;

#define EXPECT(cond)                                                                       \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

// Run f, which must throw sgdr::Error with `status` and a message containing `text`.
template <class F>
inline void expect_error(F f, sgdr_status status, const char *text, int line)
{
    try {
        f();
        std::fprintf(stderr, "line %d: no sgdr::Error thrown\n", line);
        failures++;
    } catch (const sgdr::Error &e) {
        if (e.status() != status || std::strstr(e.what(), text) == nullptr) {
            std::fprintf(stderr, "line %d: got status %d \"%s\", want %d with \"%s\"\n", line,
                         static_cast<int>(e.status()), e.what(), static_cast<int>(status),
                         text);
            failures++;
        }
    }
}
#define EXPECT_ERROR(expr, status, text) expect_error([&] { expr; }, status, text, __LINE__)

#endif
