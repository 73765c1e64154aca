/* H-Mem's Hebbian writes over whole stories and their gradient, one story per OpenMP thread,
   float32: the equations are in hebbian_writes_native.pyx, which wraps these functions.
   k, v: (n, T, m) keys and values; mask: (n, T), 0 for a padding sentence (no write);
   M: [value unit i, key unit j], (n, m, m), row-major. */
#include <stdlib.h>
#include <string.h>

static void hm_step(float *M, const float *k, const float *v, int m, float gp, float gn, float w) {
    for (int i = 0; i < m; i++) {
        float a = gp * v[i];
        float *row = M + (size_t)i * m;
        #pragma omp simd
        for (int j = 0; j < m; j++)
            row[j] = row[j] + a * (w - row[j]) * k[j] - gn * row[j] * (k[j] * k[j]);
    }
}

/* the number of sentences up to the story's last real one (no writes after it) */
static int hm_length(const unsigned char *mask, int T) {
    while (T > 0 && !mask[T - 1]) T--;
    return T;
}

/* out: the memory after each story (n, m, m) */
static void hm_forward(const float *k, const float *v, const unsigned char *mask, float *out,
                       int n, int T, int m, float gp, float gn, float w) {
    #pragma omp parallel for schedule(dynamic)
    for (int s = 0; s < n; s++) {
        float *M = out + (size_t)s * m * m;
        memset(M, 0, sizeof(float) * m * m);
        for (int t = 0; t < hm_length(mask + (size_t)s * T, T); t++)
            if (mask[(size_t)s * T + t])
                hm_step(M, k + ((size_t)s * T + t) * m, v + ((size_t)s * T + t) * m, m, gp, gn, w);
    }
}

/* G_in: (n, m, m) the cotangent of each story's final memory (not changed); dk, dv: (n, T, m),
   zero on entry. Per story: a forward pass keeping the memory before every block-th sentence
   (thread-local), then block by block backwards, recomputing the block's memories from its
   start. */
static void hm_backward(const float *k, const float *v, const unsigned char *mask, const float *G_in,
                        float *dk, float *dv, int n, int T, int m, int block, float gp, float gn, float w) {
    size_t mm = (size_t)m * m;
    #pragma omp parallel
    {
        float *G = malloc(sizeof(float) * mm);
        float *starts = malloc(sizeof(float) * mm * ((T + block - 1) / block + 1));
        float *traj = malloc(sizeof(float) * (size_t)block * mm);
        float *acc_k = malloc(sizeof(float) * m);
        float *acc_gm = malloc(sizeof(float) * m);
        #pragma omp for schedule(dynamic)
        for (int s = 0; s < n; s++) {
            const float *ks = k + (size_t)s * T * m, *vs = v + (size_t)s * T * m;
            const unsigned char *ms = mask + (size_t)s * T;
            float *dks = dk + (size_t)s * T * m, *dvs = dv + (size_t)s * T * m;
            int length = hm_length(ms, T);  /* dk, dv after it stay 0 */
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
                    const float *kt = ks + (size_t)t * m, *vt = vs + (size_t)t * m;
                    const float *M = traj + (size_t)(t - t0) * mm;
                    memset(acc_k, 0, sizeof(float) * m); memset(acc_gm, 0, sizeof(float) * m);
                    for (int i = 0; i < m; i++) {
                        const float *Mr = M + (size_t)i * m;
                        float *Gr = G + (size_t)i * m;
                        float vi = vt[i], a = gp * vi, sum = 0.0f;
                        #pragma omp simd reduction(+:sum)
                        for (int j = 0; j < m; j++) {
                            float H = Gr[j] * gp * (w - Mr[j]);
                            sum += H * kt[j];
                            acc_k[j] += H * vi;
                            acc_gm[j] += Gr[j] * Mr[j];
                            Gr[j] = Gr[j] * (1.0f - a * kt[j] - gn * kt[j] * kt[j]);
                        }
                        dvs[(size_t)t * m + i] = sum;
                    }
                    for (int j = 0; j < m; j++)
                        dks[(size_t)t * m + j] = acc_k[j] - 2.0f * gn * kt[j] * acc_gm[j];
                }
            }
        }
        free(G); free(starts); free(traj); free(acc_k); free(acc_gm);
    }
}
