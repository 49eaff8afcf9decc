// Exact k-nearest-neighbour search for bench's ground truth (recall@k).
//
// Written by hand because nothing in bench's dependencies multiplies matrices: a BLAS would be a new
// system library on every machine bench runs on (login and compute nodes alike), for one computation.
// The work is a matrix product (queries x base) whose result is never stored: each block of scores is
// reduced at once into a bounded max-heap per query, so memory stays at the dataset plus k per query.
// The product is blocked as GEMM kernels are: 256 base rows packed into panels of 16 columns
// (dim-major), and a 6 x 16 register tile (12 AVX2 accumulators) swept over the dimension.

#include "vector_kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BENCH_X86 1
#endif

enum { PANEL = 16, ROWS = 6, BLOCK = 256 };

typedef struct {
    float *score; // k slots: a max-heap, the worst candidate at 0
    int32_t *id;
    int32_t size;
} heap_t;

static inline void heap_offer(heap_t *h, int32_t k, float score, int32_t id) {
    if (h->size < k) {
        int32_t i = h->size++;
        while (i > 0) {
            int32_t parent = (i - 1) / 2;
            if (h->score[parent] >= score) break;
            h->score[i] = h->score[parent];
            h->id[i] = h->id[parent];
            i = parent;
        }
        h->score[i] = score;
        h->id[i] = id;
        return;
    }
    if (!(score < h->score[0])) return;
    int32_t i = 0;
    for (;;) {
        int32_t l = 2 * i + 1, r = l + 1, m = i;
        float worst = score;
        if (l < k && h->score[l] > worst) { m = l; worst = h->score[l]; }
        if (r < k && h->score[r] > worst) { m = r; }
        if (m == i) break;
        h->score[i] = h->score[m];
        h->id[i] = h->id[m];
        i = m;
    }
    h->score[i] = score;
    h->id[i] = id;
}

static inline float heap_limit(const heap_t *h, int32_t k) {
    return h->size < k ? INFINITY : h->score[0];
}

/// Packs base rows [start, start + count) into panels of 16 columns: panel p holds, for every d,
/// the 16 values base[start + 16p + c][d] contiguously. Missing rows (past count) are zero.
static void pack_block(const float *base, int64_t start, int32_t count, int32_t dim, float *packed) {
    int32_t panels = (count + PANEL - 1) / PANEL;
    for (int32_t p = 0; p < panels; p++) {
        float *dst = packed + (int64_t)p * dim * PANEL;
        for (int32_t c = 0; c < PANEL; c++) {
            int32_t row = p * PANEL + c;
            if (row < count) {
                const float *src = base + (start + row) * (int64_t)dim;
                for (int32_t d = 0; d < dim; d++) dst[d * PANEL + c] = src[d];
            } else {
                for (int32_t d = 0; d < dim; d++) dst[d * PANEL + c] = 0;
            }
        }
    }
}

/// Offers a 6 x 16 tile of dot products to the heaps of its rows, as scores.
static inline void offer_tile(const float *dots, int32_t rows, const float *bias, const float *scale,
                              int64_t first, heap_t *heaps, int32_t k) {
    for (int32_t r = 0; r < rows; r++) {
        heap_t *h = &heaps[r];
        for (int32_t c = 0; c < PANEL; c++) {
            float s = bias[c] + scale[c] * dots[r * PANEL + c];
            if (s < heap_limit(h, k)) heap_offer(h, k, s, (int32_t)(first + c));
        }
    }
}

static void tile_portable(const float *const q[ROWS], const float *panel, int32_t dim, float *dots) {
    float acc[ROWS][PANEL];
    memset(acc, 0, sizeof acc);
    for (int32_t d = 0; d < dim; d++) {
        const float *b = panel + d * PANEL;
        for (int32_t r = 0; r < ROWS; r++) {
            float a = q[r][d];
            for (int32_t c = 0; c < PANEL; c++) acc[r][c] += a * b[c];
        }
    }
    memcpy(dots, acc, sizeof acc);
}

#ifdef BENCH_X86
__attribute__((target("avx2,fma")))
static void tile_avx2(const float *const q[ROWS], const float *panel, int32_t dim, float *dots) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    const float *q0 = q[0], *q1 = q[1], *q2 = q[2], *q3 = q[3], *q4 = q[4], *q5 = q[5];
    for (int32_t d = 0; d < dim; d++) {
        __m256 b0 = _mm256_load_ps(panel + d * PANEL);
        __m256 b1 = _mm256_load_ps(panel + d * PANEL + 8);
        __m256 a;
        a = _mm256_broadcast_ss(q0 + d); c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
        a = _mm256_broadcast_ss(q1 + d); c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
        a = _mm256_broadcast_ss(q2 + d); c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
        a = _mm256_broadcast_ss(q3 + d); c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
        a = _mm256_broadcast_ss(q4 + d); c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
        a = _mm256_broadcast_ss(q5 + d); c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
    }
    _mm256_storeu_ps(dots + 0, c00); _mm256_storeu_ps(dots + 8, c01);
    _mm256_storeu_ps(dots + 16, c10); _mm256_storeu_ps(dots + 24, c11);
    _mm256_storeu_ps(dots + 32, c20); _mm256_storeu_ps(dots + 40, c21);
    _mm256_storeu_ps(dots + 48, c30); _mm256_storeu_ps(dots + 56, c31);
    _mm256_storeu_ps(dots + 64, c40); _mm256_storeu_ps(dots + 72, c41);
    _mm256_storeu_ps(dots + 80, c50); _mm256_storeu_ps(dots + 88, c51);
}
#endif

int bench_topk_uses_avx2(void) {
#ifdef BENCH_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

void bench_topk_scores(const float *base, int64_t n, int32_t dim,
                       const float *queries, int32_t nq,
                       const float *bias, const float *scale,
                       int32_t k, int32_t *out_ids, float *out_scores) {
    if (nq <= 0 || k <= 0) return;
    void (*tile)(const float *const[ROWS], const float *, int32_t, float *) = tile_portable;
#ifdef BENCH_X86
    if (bench_topk_uses_avx2()) tile = tile_avx2;
#endif
    float *packed = aligned_alloc(64, sizeof(float) * (size_t)BLOCK * (size_t)(dim > 0 ? dim : 1));
    float *heap_scores = malloc(sizeof(float) * (size_t)nq * (size_t)k);
    int32_t *heap_ids = malloc(sizeof(int32_t) * (size_t)nq * (size_t)k);
    heap_t *heaps = malloc(sizeof(heap_t) * (size_t)nq);
    float *zero_row = calloc((size_t)(dim > 0 ? dim : 1), sizeof(float));
    if (!packed || !heap_scores || !heap_ids || !heaps || !zero_row) {
        // Out of memory: report no neighbours rather than crash; the caller sees ids of -1.
        for (int64_t i = 0; i < (int64_t)nq * k; i++) { out_ids[i] = -1; out_scores[i] = INFINITY; }
        free(packed); free(heap_scores); free(heap_ids); free(heaps); free(zero_row);
        return;
    }
    for (int32_t i = 0; i < nq; i++) {
        heaps[i].score = heap_scores + (int64_t)i * k;
        heaps[i].id = heap_ids + (int64_t)i * k;
        heaps[i].size = 0;
    }
    float dots[ROWS * PANEL];
    float block_bias[BLOCK], block_scale[BLOCK];
    for (int64_t start = 0; start < n; start += BLOCK) {
        int32_t count = (int32_t)(n - start < BLOCK ? n - start : BLOCK);
        pack_block(base, start, count, dim, packed);
        for (int32_t c = 0; c < BLOCK; c++) {
            block_bias[c] = c < count ? bias[start + c] : INFINITY;
            block_scale[c] = c < count ? scale[start + c] : 0;
        }
        int32_t panels = (count + PANEL - 1) / PANEL;
        for (int32_t q0 = 0; q0 < nq; q0 += ROWS) {
            int32_t rows = nq - q0 < ROWS ? nq - q0 : ROWS;
            const float *q[ROWS];
            for (int32_t r = 0; r < ROWS; r++) q[r] = r < rows ? queries + (int64_t)(q0 + r) * dim : zero_row;
            for (int32_t p = 0; p < panels; p++) {
                tile(q, packed + (int64_t)p * dim * PANEL, dim, dots);
                offer_tile(dots, rows, block_bias + p * PANEL, block_scale + p * PANEL, start + p * PANEL, heaps + q0, k);
            }
        }
    }
    // Heaps to ascending lists (ties by id, so the answer does not depend on the order rows were seen).
    for (int32_t i = 0; i < nq; i++) {
        heap_t *h = &heaps[i];
        int32_t size = h->size;
        float *s = out_scores + (int64_t)i * k;
        int32_t *ids = out_ids + (int64_t)i * k;
        for (int32_t j = 0; j < size; j++) { s[j] = h->score[j]; ids[j] = h->id[j]; }
        for (int32_t a = 1; a < size; a++) {
            float ks = s[a]; int32_t ki = ids[a]; int32_t b = a - 1;
            while (b >= 0 && (s[b] > ks || (s[b] == ks && ids[b] > ki))) { s[b + 1] = s[b]; ids[b + 1] = ids[b]; b--; }
            s[b + 1] = ks; ids[b + 1] = ki;
        }
        for (int32_t j = size; j < k; j++) { s[j] = INFINITY; ids[j] = -1; }
    }
    free(packed); free(heap_scores); free(heap_ids); free(heaps); free(zero_row);
}
