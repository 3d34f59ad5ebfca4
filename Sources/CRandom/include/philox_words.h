#ifndef ALPHASWEEP_PHILOX_WORDS_H
#define ALPHASWEEP_PHILOX_WORDS_H
#include <stdint.h>
#include <stddef.h>

/// Philox4x32-10 blocks first … first + blocks − 1 of the stream with high counter words
/// (ch0, ch1) and key (k0, k1), as 64-bit words: block j's output (w0, w1, w2, w3) goes to
/// out[2j] = w0 | w1 << 32 and out[2j + 1] = w2 | w3 << 32 (RandomStream.next()'s order).
/// `blocks` must be a multiple of 8. Uses AVX2 when the CPU has it (the words are the same
/// either way: integer arithmetic only).
void alphasweep_philox_words(uint64_t first, uint32_t ch0, uint32_t ch1, uint32_t k0, uint32_t k1,
                             uint64_t *out, size_t blocks);

/// The same words by the portable scalar path (for tests).
void alphasweep_philox_words_portable(uint64_t first, uint32_t ch0, uint32_t ch1, uint32_t k0, uint32_t k1,
                                      uint64_t *out, size_t blocks);

/// 1 when alphasweep_philox_words uses its AVX2 path on this CPU.
int alphasweep_philox_uses_avx2(void);
#endif
