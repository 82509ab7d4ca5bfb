/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * testlib.h - the unit tests' registry and typed asserts.
 *
 * A test file defines its cases with TEST(name) and lists them once in
 * TEST_MAIN(...).  Asserts print both values and the source line, then abort
 * the current case; the binary exits non-zero if any case failed.  Run one
 * case with `./test_x name`.
 */
#ifndef SESS_TESTLIB_H
#define SESS_TESTLIB_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jmp_buf testlib_jmp;
static int testlib_failed;

#define TEST(name) static void test_##name(void)

#define TESTLIB_FAIL(...)                                                      \
    do {                                                                       \
        fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                      \
        fprintf(stderr, __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                   \
        longjmp(testlib_jmp, 1);                                               \
    } while (0)

#define ASSERT(cond)                                                           \
    do {                                                                       \
        if (!(cond))                                                           \
            TESTLIB_FAIL("assertion failed: %s", #cond);                       \
    } while (0)

#define ASSERT_INT_OP(a, op, b)                                                \
    do {                                                                       \
        long long testlib_a = (long long)(a), testlib_b = (long long)(b);      \
        if (!(testlib_a op testlib_b))                                         \
            TESTLIB_FAIL("%s %s %s: %lld vs %lld", #a, #op, #b, testlib_a,     \
                         testlib_b);                                           \
    } while (0)

#define ASSERT_EQ(a, b) ASSERT_INT_OP(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_INT_OP(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_INT_OP(a, <, b)
#define ASSERT_LE(a, b) ASSERT_INT_OP(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_INT_OP(a, >, b)
#define ASSERT_GE(a, b) ASSERT_INT_OP(a, >=, b)

#define ASSERT_STR_EQ(a, b)                                                    \
    do {                                                                       \
        const char *testlib_a = (a), *testlib_b = (b);                         \
        if (strcmp(testlib_a, testlib_b) != 0)                                 \
            TESTLIB_FAIL("%s == %s: \"%s\" vs \"%s\"", #a, #b, testlib_a,      \
                         testlib_b);                                           \
    } while (0)

/* Compares n bytes and prints the first difference with some context. */
#define ASSERT_MEM_EQ(a, b, n)                                                 \
    do {                                                                       \
        const unsigned char *testlib_a = (const unsigned char *)(a);           \
        const unsigned char *testlib_b = (const unsigned char *)(b);           \
        size_t testlib_n = (n);                                                \
        for (size_t testlib_i = 0; testlib_i < testlib_n; testlib_i++)         \
            if (testlib_a[testlib_i] != testlib_b[testlib_i])                  \
                TESTLIB_FAIL("%s == %s: differ at byte %zu of %zu: "           \
                             "0x%02x vs 0x%02x",                               \
                             #a, #b, testlib_i, testlib_n,                     \
                             testlib_a[testlib_i], testlib_b[testlib_i]);      \
    } while (0)

/* Steps a[0..n) to its next permutation in lexicographic order (start
 * from ascending values); false after the last.  For "every arrival
 * order" tables. */
static inline int testlib_next_permutation(size_t *a, size_t n)
{
    if (n < 2)
        return 0;
    size_t i = n - 1;
    while (i > 0 && a[i - 1] >= a[i])
        i--;
    if (i == 0)
        return 0;
    size_t j = n - 1;
    while (a[j] <= a[i - 1])
        j--;
    size_t t = a[i - 1];
    a[i - 1] = a[j];
    a[j] = t;
    for (size_t l = i, r = n - 1; l < r; l++, r--)
        t = a[l], a[l] = a[r], a[r] = t;
    return 1;
}

typedef struct testlib_case {
    const char *name;
    void (*fn)(void);
} testlib_case;

#define TEST_CASE(name) {#name, test_##name}

static int testlib_run(const testlib_case *cases, size_t n, int argc,
                       char **argv)
{
    volatile size_t ran = 0; /* live across longjmp */
    for (volatile size_t i = 0; i < n; i++) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
            continue;
        ran++;
        if (setjmp(testlib_jmp) == 0) {
            cases[i].fn();
            printf("ok   %s\n", cases[i].name);
        } else {
            printf("FAIL %s\n", cases[i].name);
            testlib_failed++;
        }
    }
    if (ran == 0) {
        fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "(any)");
        return 2;
    }
    printf("%zu run, %d failed\n", ran, testlib_failed);
    return testlib_failed ? 1 : 0;
}

#define TEST_MAIN(...)                                                         \
    int main(int argc, char **argv)                                            \
    {                                                                          \
        static const testlib_case cases[] = {__VA_ARGS__};                     \
        return testlib_run(cases, sizeof cases / sizeof cases[0], argc, argv); \
    }

#endif
