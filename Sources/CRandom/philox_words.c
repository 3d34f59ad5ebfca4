// Philox4x32-10 (Salmon et al., SC'11) in bulk: eight blocks at a time in AVX2 lanes, with a
// portable scalar path. Both produce exactly the words of Numerics' Philox4x32_10.block.
#include "philox_words.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static void philox_words_scalar(uint64_t first, uint32_t ch0, uint32_t ch1, uint32_t k0, uint32_t k1,
                                uint64_t *out, size_t blocks) {
    for (size_t j = 0; j < blocks; j++) {
        uint64_t b = first + j;
        uint32_t x0 = (uint32_t)b, x1 = (uint32_t)(b >> 32), x2 = ch0, x3 = ch1;
        uint32_t key0 = k0, key1 = k1;
        for (int round = 0; round < 10; round++) {
            if (round > 0) { key0 += PHILOX_W0; key1 += PHILOX_W1; }
            uint64_t p0 = (uint64_t)PHILOX_M0 * x0, p1 = (uint64_t)PHILOX_M1 * x2;
            x0 = (uint32_t)(p1 >> 32) ^ x1 ^ key0;
            x1 = (uint32_t)p1;
            x2 = (uint32_t)(p0 >> 32) ^ x3 ^ key1;
            x3 = (uint32_t)p0;
        }
        out[2 * j] = (uint64_t)x0 | ((uint64_t)x1 << 32);
        out[2 * j + 1] = (uint64_t)x2 | ((uint64_t)x3 << 32);
    }
}

void alphasweep_philox_words_portable(uint64_t first, uint32_t ch0, uint32_t ch1, uint32_t k0, uint32_t k1,
                                      uint64_t *out, size_t blocks) {
    philox_words_scalar(first, ch0, ch1, k0, k1, out, blocks);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

// One 32-bit Philox lane in each 64-bit lane: _mm256_mul_epu32 is the 32×32→64 product.
#define PHILOX_ROUND(x0, x1, x2, x3, K0, K1)                                     \
    do {                                                                          \
        __m256i p0 = _mm256_mul_epu32(x0, m0), p1 = _mm256_mul_epu32(x2, m1);     \
        x0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x1), K0); \
        x1 = _mm256_and_si256(p1, lo);                                            \
        x2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x3), K1); \
        x3 = _mm256_and_si256(p0, lo);                                            \
    } while (0)

__attribute__((target("avx2")))
static void store_words(uint64_t *out, __m256i x0, __m256i x1, __m256i x2, __m256i x3) {
    __m256i even = _mm256_or_si256(x0, _mm256_slli_epi64(x1, 32));
    __m256i odd = _mm256_or_si256(x2, _mm256_slli_epi64(x3, 32));
    __m256i a = _mm256_unpacklo_epi64(even, odd);  // e0 o0 e2 o2
    __m256i b = _mm256_unpackhi_epi64(even, odd);  // e1 o1 e3 o3
    _mm256_storeu_si256((__m256i *)out, _mm256_permute2x128_si256(a, b, 0x20));
    _mm256_storeu_si256((__m256i *)(out + 4), _mm256_permute2x128_si256(a, b, 0x31));
}

__attribute__((target("avx2")))
static void philox_words_avx2(uint64_t first, uint32_t ch0, uint32_t ch1, uint32_t k0, uint32_t k1,
                              uint64_t *out, size_t blocks) {
    const __m256i m0 = _mm256_set1_epi64x(PHILOX_M0), m1 = _mm256_set1_epi64x(PHILOX_M1);
    const __m256i lo = _mm256_set1_epi64x(0xffffffffLL);
    const __m256i c0 = _mm256_set1_epi64x((long long)ch0), c1 = _mm256_set1_epi64x((long long)ch1);
    for (size_t j = 0; j < blocks; j += 8) {
        __m256i base = _mm256_set1_epi64x((long long)(first + j));
        __m256i ca = _mm256_add_epi64(base, _mm256_setr_epi64x(0, 1, 2, 3));
        __m256i cb = _mm256_add_epi64(base, _mm256_setr_epi64x(4, 5, 6, 7));
        __m256i a0 = _mm256_and_si256(ca, lo), a1 = _mm256_srli_epi64(ca, 32), a2 = c0, a3 = c1;
        __m256i b0 = _mm256_and_si256(cb, lo), b1 = _mm256_srli_epi64(cb, 32), b2 = c0, b3 = c1;
        uint32_t key0 = k0, key1 = k1;
        for (int round = 0; round < 10; round++) {
            if (round > 0) { key0 += PHILOX_W0; key1 += PHILOX_W1; }
            __m256i K0 = _mm256_set1_epi64x((long long)key0), K1 = _mm256_set1_epi64x((long long)key1);
            PHILOX_ROUND(a0, a1, a2, a3, K0, K1);
            PHILOX_ROUND(b0, b1, b2, b3, K0, K1);
        }
        store_words(out + 2 * j, a0, a1, a2, a3);
        store_words(out + 2 * j + 8, b0, b1, b2, b3);
    }
}

static int has_avx2 = -1;

int alphasweep_philox_uses_avx2(void) {
    if (has_avx2 < 0) {
        __builtin_cpu_init();
        has_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return has_avx2;
}

void alphasweep_philox_words(uint64_t first, uint32_t ch0, uint32_t ch1, uint32_t k0, uint32_t k1,
                             uint64_t *out, size_t blocks) {
    if (alphasweep_philox_uses_avx2()) {
        philox_words_avx2(first, ch0, ch1, k0, k1, out, blocks);
    } else {
        philox_words_scalar(first, ch0, ch1, k0, k1, out, blocks);
    }
}
#else
int alphasweep_philox_uses_avx2(void) { return 0; }

void alphasweep_philox_words(uint64_t first, uint32_t ch0, uint32_t ch1, uint32_t k0, uint32_t k1,
                             uint64_t *out, size_t blocks) {
    philox_words_scalar(first, ch0, ch1, k0, k1, out, blocks);
}
#endif
