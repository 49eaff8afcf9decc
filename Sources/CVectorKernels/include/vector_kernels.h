#ifndef BENCH_VECTOR_KERNELS_H
#define BENCH_VECTOR_KERNELS_H

#include <stdint.h>

/// The k smallest scores of every query over `n` base vectors, where
/// score(q, j) = bias[j] + scale[j] * dot(q, base_j); a row whose bias is +infinity is never chosen.
///
/// base: n rows of dim floats; queries: nq rows of dim floats (both row-major).
/// out_ids, out_scores: nq rows of k, ascending by score; rows with fewer than k candidates are padded
/// with id -1 and score +infinity. Uses AVX2 and FMA where the CPU has them. Memory: one block of the
/// base (256 rows) packed, and k candidates per query; never nq x n scores.
void bench_topk_scores(const float *base, int64_t n, int32_t dim,
                       const float *queries, int32_t nq,
                       const float *bias, const float *scale,
                       int32_t k, int32_t *out_ids, float *out_scores);

/// 1 when the AVX2 + FMA kernel is used on this CPU, 0 for the portable one.
int bench_topk_uses_avx2(void);

#endif
