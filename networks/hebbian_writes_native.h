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

/* out: the memory after the story (n, m, m); starts: NULL or (n, blocks, m, m), the memory
   before sentences 0, block, 2 block, ... (the backward pass recomputes the others from it) */
static void hm_forward(const float *k, const float *v, const unsigned char *mask, float *out, float *starts,
                       int n, int T, int m, int block, float gp, float gn, float w) {
    int blocks = (T + block - 1) / block;
    #pragma omp parallel for schedule(dynamic)
    for (int s = 0; s < n; s++) {
        float *M = out + (size_t)s * m * m;
        memset(M, 0, sizeof(float) * m * m);
        for (int t = 0; t < T; t++) {
            if (starts && t % block == 0)
                memcpy(starts + ((size_t)s * blocks + t / block) * m * m, M, sizeof(float) * m * m);
            if (mask[(size_t)s * T + t])
                hm_step(M, k + ((size_t)s * T + t) * m, v + ((size_t)s * T + t) * m, m, gp, gn, w);
        }
    }
}

/* G_in: (n, m, m) the cotangent of the final memory (not changed); dk, dv: (n, T, m) */
static void hm_backward(const float *k, const float *v, const unsigned char *mask, const float *starts,
                        const float *G_in, float *dk, float *dv, int n, int T, int m, int block,
                        float gp, float gn, float w) {
    int blocks = (T + block - 1) / block;
    #pragma omp parallel
    {
        float *G = malloc(sizeof(float) * m * m);
        float *traj = malloc(sizeof(float) * (size_t)block * m * m);
        float *acc_k = malloc(sizeof(float) * m);
        float *acc_gm = malloc(sizeof(float) * m);
        #pragma omp for schedule(dynamic)
        for (int s = 0; s < n; s++) {
            memcpy(G, G_in + (size_t)s * m * m, sizeof(float) * m * m);
            for (int b = blocks - 1; b >= 0; b--) {
                int t0 = b * block, t1 = t0 + block < T ? t0 + block : T;
                memcpy(traj, starts + ((size_t)s * blocks + b) * m * m, sizeof(float) * m * m);
                for (int t = t0; t < t1 - 1; t++) {  /* traj[t - t0] = memory before write t */
                    float *next = traj + (size_t)(t - t0 + 1) * m * m;
                    memcpy(next, traj + (size_t)(t - t0) * m * m, sizeof(float) * m * m);
                    if (mask[(size_t)s * T + t])
                        hm_step(next, k + ((size_t)s * T + t) * m, v + ((size_t)s * T + t) * m, m, gp, gn, w);
                }
                for (int t = t1 - 1; t >= t0; t--) {
                    float *dk_t = dk + ((size_t)s * T + t) * m, *dv_t = dv + ((size_t)s * T + t) * m;
                    if (!mask[(size_t)s * T + t]) {
                        memset(dk_t, 0, sizeof(float) * m); memset(dv_t, 0, sizeof(float) * m);
                        continue;
                    }
                    const float *kt = k + ((size_t)s * T + t) * m, *vt = v + ((size_t)s * T + t) * m;
                    const float *M = traj + (size_t)(t - t0) * m * m;
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
                        dv_t[i] = sum;
                    }
                    for (int j = 0; j < m; j++)
                        dk_t[j] = acc_k[j] - 2.0f * gn * kt[j] * acc_gm[j];
                }
            }
        }
        free(G); free(traj); free(acc_k); free(acc_gm);
    }
}
