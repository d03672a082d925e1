// VIGIA_CLONED_FOR_AVX2: compiles a function twice, for the build's x86-64 baseline and for
// AVX2, and lets the loader pick the clone the CPU runs (GCC's target_clones, an ifunc).
//
// Why: comparing 64-bit integers in vector registers needs AVX2: the build's x86-64 baseline
// (SSE2) has no such compare, so g++ leaves the integer kernels scalar. These are cloned, and
// the loader picks the AVX2 clone once where the CPU has it: `status:>=500` over 10M rows
// took 15.5 ms scalar and 1.6 ms in the clone.
// Not under ThreadSanitizer: a clone's resolver runs while the program is being relocated,
// before the TSan runtime is set up, and the instrumented resolver crashes every binary
// linking this file (both g++ and clang).
//
// Thread-safety: a macro; the clones are plain functions.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define VIGIA_TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VIGIA_TSAN_BUILD 1
#endif
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(VIGIA_TSAN_BUILD)
#define VIGIA_CLONED_FOR_AVX2 __attribute__((target_clones("avx2", "default")))
#else
#define VIGIA_CLONED_FOR_AVX2
#endif
