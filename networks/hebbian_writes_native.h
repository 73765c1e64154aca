/* H-Mem's Hebbian writes over whole stories and their gradient, one story per OpenMP thread,
   float32: the equations are in hebbian_writes_native.pyx, which wraps these functions.
   k, v: (R, m) keys and values, the rows of story s from offsets[s] to offsets[s + 1] (n + 1
   offsets: stories packed one after another, or at a fixed stride T); mask: (R), 0 for a
   padding sentence (no write); M: [value unit i, key unit j], (n, m, m), row-major. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Each entry point is compiled for three x86-64 levels (AVX-512, AVX2, the baseline) and the
   loader picks the one this CPU runs: one build serves every node of a cluster. */
#if defined(__x86_64__) && defined(__linux__) && !defined(__clang__) && __GNUC__ >= 11
#define HM_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HM_CLONES
#endif
#if defined(__GNUC__)
#define HM_INLINE static inline __attribute__((always_inline))  /* compiled into each clone */
#else
#define HM_INLINE static inline
#endif

HM_INLINE void hm_step(float *M, const float *k, const float *v, int m, float gp, float gn, float w) {
    for (int i = 0; i < m; i++) {
        float a = gp * v[i];
        float *row = M + (size_t)i * m;
        #pragma omp simd
        for (int j = 0; j < m; j++)
            row[j] = row[j] + a * (w - row[j]) * k[j] - gn * row[j] * (k[j] * k[j]);
    }
}

/* the number of story s's sentences up to its last real one (no writes after it) */
HM_INLINE int hm_length(const unsigned char *mask, const int *offsets, int s) {
    int T = offsets[s + 1] - offsets[s];
    while (T > 0 && !mask[offsets[s] + T - 1]) T--;
    return T;
}

/* the most sentences of any story: the size of the backward passes' scratch */
HM_INLINE int hm_longest(const int *offsets, int n) {
    int T = 0;
    for (int s = 0; s < n; s++) if (offsets[s + 1] - offsets[s] > T) T = offsets[s + 1] - offsets[s];
    return T;
}

/* one write's backward pass: dk, dv of the write of k, v into M (the memory before it) for the
   cotangent G of the memory after it, which becomes the cotangent of M (acc: m of scratch) */
HM_INLINE void hm_step_back(float *G, const float *M, const float *k, const float *v, float *dk, float *dv, float *acc,
                         int m, float gp, float gn, float w) {
    memset(dk, 0, sizeof(float) * m); memset(acc, 0, sizeof(float) * m);
    for (int i = 0; i < m; i++) {
        const float *Mr = M + (size_t)i * m;
        float *Gr = G + (size_t)i * m;
        float vi = v[i], a = gp * vi, sum = 0.0f;
        #pragma omp simd reduction(+:sum)
        for (int j = 0; j < m; j++) {
            float H = Gr[j] * gp * (w - Mr[j]);
            sum += H * k[j];
            dk[j] += H * vi;
            acc[j] += Gr[j] * Mr[j];
            Gr[j] = Gr[j] * (1.0f - a * k[j] - gn * k[j] * k[j]);
        }
        dv[i] = sum;
    }
    for (int j = 0; j < m; j++) dk[j] -= 2.0f * gn * k[j] * acc[j];
}

/* out: the memory after each story (n, m, m) */
HM_CLONES static void hm_forward(const float *k, const float *v, const unsigned char *mask, const int *offsets, float *out,
                       int n, int m, float gp, float gn, float w) {
    #pragma omp parallel for schedule(dynamic)
    for (int s = 0; s < n; s++) {
        float *M = out + (size_t)s * m * m;
        size_t row = offsets[s];
        memset(M, 0, sizeof(float) * m * m);
        for (int t = 0; t < hm_length(mask, offsets, s); t++)
            if (mask[row + t])
                hm_step(M, k + (row + t) * m, v + (row + t) * m, m, gp, gn, w);
    }
}

/* G_in: (n, m, m) the cotangent of each story's final memory (not changed); dk, dv: (R, m),
   zero on entry. Per story: a forward pass keeping the memory before every block-th sentence
   (thread-local), then block by block backwards, recomputing the block's memories from its
   start. */
HM_CLONES static void hm_backward(const float *k, const float *v, const unsigned char *mask, const int *offsets,
                        const float *G_in, float *dk, float *dv, int n, int m, int block, float gp, float gn,
                        float w) {
    size_t mm = (size_t)m * m;
    int T = hm_longest(offsets, n);
    #pragma omp parallel
    {
        float *G = malloc(sizeof(float) * mm);
        float *starts = malloc(sizeof(float) * mm * ((T + block - 1) / block + 1));
        float *traj = malloc(sizeof(float) * (size_t)block * mm);
        float *acc_gm = malloc(sizeof(float) * m);
        #pragma omp for schedule(dynamic)
        for (int s = 0; s < n; s++) {
            size_t row = offsets[s];
            const float *ks = k + row * m, *vs = v + row * m;
            const unsigned char *ms = mask + row;
            float *dks = dk + row * m, *dvs = dv + row * m;
            int length = hm_length(mask, offsets, s);  /* dk, dv after it stay 0 */
            memset(starts, 0, sizeof(float) * mm);
            for (int b = 1; b * block < length; b++) {  /* the start of block b: block b - 1's after its writes */
                float *start = starts + (size_t)b * mm;
                memcpy(start, start - mm, sizeof(float) * mm);
                for (int u = (b - 1) * block; u < b * block; u++)
                    if (ms[u]) hm_step(start, ks + (size_t)u * m, vs + (size_t)u * m, m, gp, gn, w);
            }
            memcpy(G, G_in + (size_t)s * mm, sizeof(float) * mm);
            for (int b = (length + block - 1) / block - 1; b >= 0; b--) {
                int t0 = b * block, t1 = t0 + block < length ? t0 + block : length;
                memcpy(traj, starts + (size_t)b * mm, sizeof(float) * mm);
                for (int t = t0; t < t1 - 1; t++) {  /* traj[t - t0] = memory before write t */
                    float *next = traj + (size_t)(t - t0 + 1) * mm;
                    memcpy(next, traj + (size_t)(t - t0) * mm, sizeof(float) * mm);
                    if (ms[t]) hm_step(next, ks + (size_t)t * m, vs + (size_t)t * m, m, gp, gn, w);
                }
                for (int t = t1 - 1; t >= t0; t--) {
                    if (!ms[t]) continue;
                    hm_step_back(G, traj + (size_t)(t - t0) * mm, ks + (size_t)t * m, vs + (size_t)t * m,
                                 dks + (size_t)t * m, dvs + (size_t)t * m, acc_gm, m, gp, gn, w);
                }
            }
        }
        free(G); free(starts); free(traj); free(acc_gm);
    }
}

/* Read-before-write: before each write k <- LN_k(k), v <- LN_v(W [v ; M k]).
   W: (m, 2m) row-major; norms: (4, m) the scales and offsets of LN_k and LN_v, in that order. */
typedef struct { const float *W, *norms; float eps; } rbw_params;

/* y = (x - mean) / sqrt(var + eps) * g + b; keeps x's normalised form in xhat and returns
   1 / sqrt(var + eps) */
HM_INLINE float rbw_norm(const float *x, const float *g, const float *b, float *xhat, float *y, int m, float eps) {
    float mean = 0.0f, var = 0.0f;
    for (int j = 0; j < m; j++) mean += x[j];
    mean /= m;
    for (int j = 0; j < m; j++) var += (x[j] - mean) * (x[j] - mean);
    float r = 1.0f / sqrtf(var / m + eps);
    for (int j = 0; j < m; j++) {
        xhat[j] = (x[j] - mean) * r;
        y[j] = xhat[j] * g[j] + b[j];
    }
    return r;
}

/* the layer norm's backward pass: dx from dy; dg, db accumulate */
HM_INLINE void rbw_norm_back(const float *dy, const float *g, const float *xhat, float r, float *dg, float *db,
                          float *dx, int m) {
    float mean = 0.0f, mean_x = 0.0f;
    for (int j = 0; j < m; j++) {
        dg[j] += dy[j] * xhat[j];
        db[j] += dy[j];
        mean += dy[j] * g[j];
        mean_x += dy[j] * g[j] * xhat[j];
    }
    mean /= m; mean_x /= m;
    for (int j = 0; j < m; j++) dx[j] = r * (dy[j] * g[j] - mean - xhat[j] * mean_x);
}

/* one step's key kn and value vn for the write into M; keeps xk, x = [v ; M kn] (2m), xu and the
   two reciprocal deviations r[0], r[1] for the backward pass (u: m of scratch) */
HM_INLINE void rbw_inputs(const float *M, const float *k, const float *v, const rbw_params *p, int m, float *kn,
                       float *xk, float *x, float *u, float *xu, float *vn, float *r) {
    r[0] = rbw_norm(k, p->norms, p->norms + m, xk, kn, m, p->eps);
    memcpy(x, v, sizeof(float) * m);
    for (int i = 0; i < m; i++) {
        const float *row = M + (size_t)i * m;
        float sum = 0.0f;
        #pragma omp simd reduction(+:sum)
        for (int j = 0; j < m; j++) sum += row[j] * kn[j];
        x[m + i] = sum;
    }
    for (int i = 0; i < m; i++) {
        const float *row = p->W + (size_t)i * 2 * m;
        float sum = 0.0f;
        #pragma omp simd reduction(+:sum)
        for (int c = 0; c < 2 * m; c++) sum += row[c] * x[c];
        u[i] = sum;
    }
    r[1] = rbw_norm(u, p->norms + 2 * m, p->norms + 3 * m, xu, vn, m, p->eps);
}

/* out: the memory after each story (n, m, m) */
HM_CLONES static void hm_rbw_forward(const float *k, const float *v, const unsigned char *mask, const int *offsets,
                           const rbw_params *p, float *out, int n, int m, float gp, float gn, float w) {
    #pragma omp parallel
    {
        float *buffer = malloc(sizeof(float) * 8 * m);  /* kn, xk, x (2m), u, xu, vn, r */
        #pragma omp for schedule(dynamic)
        for (int s = 0; s < n; s++) {
            float *M = out + (size_t)s * m * m;
            size_t row = offsets[s];
            memset(M, 0, sizeof(float) * m * m);
            int length = hm_length(mask, offsets, s);
            for (int t = 0; t < length; t++) {
                if (!mask[row + t]) continue;
                rbw_inputs(M, k + (row + t) * m, v + (row + t) * m, p, m, buffer, buffer + m,
                           buffer + 2 * m, buffer + 4 * m, buffer + 5 * m, buffer + 6 * m, buffer + 7 * m);
                hm_step(M, buffer, buffer + 6 * m, m, gp, gn, w);
            }
        }
        free(buffer);
    }
}

/* G_in: (n, m, m) the cotangent of each story's final memory; dk, dv: (R, m), dW: (n, m, 2m),
   dnorms: (n, 4, m), each story's share, zero on entry (summed by the caller in a fixed order).
   As hm_backward, with each write's inputs recomputed with its block's memories. */
HM_CLONES static void hm_rbw_backward(const float *k, const float *v, const unsigned char *mask, const int *offsets,
                            const rbw_params *p, const float *G_in, float *dk, float *dv, float *dW, float *dnorms,
                            int n, int m, int block, float gp, float gn, float w) {
    size_t mm = (size_t)m * m;
    int T = hm_longest(offsets, n);
    #pragma omp parallel
    {
        float *G = malloc(sizeof(float) * mm);
        float *starts = malloc(sizeof(float) * mm * ((T + block - 1) / block + 1));
        float *traj = malloc(sizeof(float) * (size_t)block * mm);
        float *kept = malloc(sizeof(float) * (size_t)block * 8 * m);  /* rbw_inputs' values per step */
        float *u = malloc(sizeof(float) * m), *dkn = malloc(sizeof(float) * m), *dvn = malloc(sizeof(float) * m);
        float *du = malloc(sizeof(float) * m), *dx = malloc(sizeof(float) * 2 * m), *acc_gm = malloc(sizeof(float) * m);
        #pragma omp for schedule(dynamic)
        for (int s = 0; s < n; s++) {
            size_t row = offsets[s];
            const float *ks = k + row * m, *vs = v + row * m;
            const unsigned char *ms = mask + row;
            float *dks = dk + row * m, *dvs = dv + row * m;
            float *dWs = dW + (size_t)s * 2 * mm, *dns = dnorms + (size_t)s * 4 * m;
            int length = hm_length(mask, offsets, s);
            memset(starts, 0, sizeof(float) * mm);
            for (int b = 1; b * block < length; b++) {
                float *start = starts + (size_t)b * mm;
                memcpy(start, start - mm, sizeof(float) * mm);
                for (int t = (b - 1) * block; t < b * block; t++) {
                    if (!ms[t]) continue;
                    rbw_inputs(start, ks + (size_t)t * m, vs + (size_t)t * m, p, m, kept, kept + m, kept + 2 * m, u,
                               kept + 5 * m, kept + 6 * m, kept + 7 * m);
                    hm_step(start, kept, kept + 6 * m, m, gp, gn, w);
                }
            }
            memcpy(G, G_in + (size_t)s * mm, sizeof(float) * mm);
            for (int b = (length + block - 1) / block - 1; b >= 0; b--) {
                int t0 = b * block, t1 = t0 + block < length ? t0 + block : length;
                memcpy(traj, starts + (size_t)b * mm, sizeof(float) * mm);
                for (int t = t0; t < t1; t++) {  /* traj[t - t0] = memory before write t */
                    float *M = traj + (size_t)(t - t0) * mm, *q = kept + (size_t)(t - t0) * 8 * m;
                    if (ms[t]) rbw_inputs(M, ks + (size_t)t * m, vs + (size_t)t * m, p, m, q, q + m, q + 2 * m, u,
                                          q + 5 * m, q + 6 * m, q + 7 * m);
                    if (t + 1 == t1) break;
                    memcpy(M + mm, M, sizeof(float) * mm);
                    if (ms[t]) hm_step(M + mm, q, q + 6 * m, m, gp, gn, w);
                }
                for (int t = t1 - 1; t >= t0; t--) {
                    if (!ms[t]) continue;
                    const float *M = traj + (size_t)(t - t0) * mm, *q = kept + (size_t)(t - t0) * 8 * m;
                    const float *kn = q, *xk = q + m, *x = q + 2 * m, *xu = q + 5 * m, *vn = q + 6 * m;
                    hm_step_back(G, M, kn, vn, dkn, dvn, acc_gm, m, gp, gn, w);
                    rbw_norm_back(dvn, p->norms + 2 * m, xu, q[7 * m + 1], dns + 2 * m, dns + 3 * m, du, m);
                    memset(dx, 0, sizeof(float) * 2 * m);
                    for (int i = 0; i < m; i++) {  /* u = W x */
                        const float *Wr = p->W + (size_t)i * 2 * m;
                        float *dWr = dWs + (size_t)i * 2 * m, d = du[i];
                        #pragma omp simd
                        for (int c = 0; c < 2 * m; c++) {
                            dWr[c] += d * x[c];
                            dx[c] += Wr[c] * d;
                        }
                    }
                    memcpy(dvs + (size_t)t * m, dx, sizeof(float) * m);
                    for (int i = 0; i < m; i++) {  /* the read x[m:] = M kn */
                        const float *Mr = M + (size_t)i * m;
                        float *Gr = G + (size_t)i * m, dr = dx[m + i];
                        #pragma omp simd
                        for (int j = 0; j < m; j++) {
                            Gr[j] += dr * kn[j];
                            dkn[j] += Mr[j] * dr;
                        }
                    }
                    rbw_norm_back(dkn, p->norms, xk, q[7 * m], dns, dns + m, dks + (size_t)t * m, m);
                }
            }
        }
        free(G); free(starts); free(traj); free(kept); free(u); free(dkn); free(dvn); free(du); free(dx); free(acc_gm);
    }
}
