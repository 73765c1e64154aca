# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""H-Mem's Hebbian writes over whole stories and their gradient as compiled loops (the C of
hebbian_writes_native.h, one story per OpenMP thread; float32): the ``native`` kernel of
:func:`networks.hebbian_memory_twin.hebbian_writes`, the same arithmetic as its JAX scan.

Source: Limbacher & Legenstein (2020) H-Mem, NeurIPS 33; shared/specs/hmem.md. The stories'
sentences come as rows, k and v (R, m) and mask (R), story s in rows offsets[s] to
offsets[s + 1] (n + 1 offsets): packed one after another, as the twin passes only the real
sentences, or at a fixed stride T. Per story, from M_0 = 0, for each real sentence t (mask
true; padding leaves M unchanged)::

    M_t = M_{t-1} + gamma_pos (w_max - M_{t-1}) * v_t k_t^T - gamma_neg M_{t-1} * (k_t^2)^T

and backward, from the cotangent G of M_T, with H = G * gamma_pos (w_max - M_{t-1})::

    dv_t = H k_t,   dk_t = H^T v_t - 2 gamma_neg k_t * sum_i (G * M_{t-1})_i,
    G <- G * (1 - gamma_pos v_t k_t^T - gamma_neg 1 (k_t^2)^T)

The JAX scan passes over the whole batch's memories (n x m x m) once per sentence; here each
story's memory (40 kB at m = 100) stays in the core's cache for the whole story, which is what
makes it faster on a CPU, and a story's loops end at its last sentence. The backward pass runs
the story forward again, keeps the memory at every ``block``-th sentence and recomputes the
block's others from it (the forward pass returns the final memory alone: nothing of the size
of all memories passes between XLA and the loops).

Read-before-write (:func:`rbw_forward`, :func:`rbw_backward`): before each write
``k_t <- LN_k(k_t)``, ``v_t <- LN_v(W [v_t ; M_{t-1} k_t])`` (LN(x) = (x - mean) / sqrt(var +
eps) * scale + offset); the backward pass adds the read's ``dr_t k_t^T`` to G and returns the
gradients of W and of the norms' scales and offsets per story, summed here in story order (the
same numbers whatever the threads).
"""

import numpy as np

cdef extern from "hebbian_writes_native.h" nogil:
    void hm_forward(const float* k, const float* v, const unsigned char* mask, const int* offsets, float* out,
                    int n, int m, float gp, float gn, float w)
    void hm_backward(const float* k, const float* v, const unsigned char* mask, const int* offsets, const float* G,
                     float* dk, float* dv, int n, int m, int block, float gp, float gn, float w)
    ctypedef struct rbw_params:
        const float* W
        const float* norms
        float eps
    void hm_rbw_forward(const float* k, const float* v, const unsigned char* mask, const int* offsets,
                        const rbw_params* p, float* out, int n, int m, float gp, float gn, float w)
    void hm_rbw_backward(const float* k, const float* v, const unsigned char* mask, const int* offsets,
                         const rbw_params* p, const float* G, float* dk, float* dv, float* dW, float* dnorms,
                         int n, int m, int block, float gp, float gn, float w)


def _stories(const float[:, ::1] k, const float[:, ::1] v, const unsigned char[::1] mask, const int[::1] offsets):
    """The number of stories; checks that the rows and offsets agree (a wrong offset would
    read outside the arrays)."""
    cdef int n = offsets.shape[0] - 1, s
    if n < 0 or v.shape[0] != k.shape[0] or v.shape[1] != k.shape[1] or mask.shape[0] != k.shape[0]:
        raise ValueError("k and v must be (rows, m), mask (rows,) and offsets (stories + 1,).")
    for s in range(n + 1):
        if offsets[s] < 0 or offsets[s] > k.shape[0] or (s and offsets[s] < offsets[s - 1]):
            raise ValueError(f"offsets must rise from 0 to at most {k.shape[0]} rows, got {offsets[s]} at {s}.")
    return n


def forward(const float[:, ::1] k, const float[:, ::1] v, const unsigned char[::1] mask, const int[::1] offsets,
            float gamma_pos, float gamma_neg, float w_max):
    """M_T (n, m, m) of the stories in rows k, v (R, m) under mask (R), float32."""
    cdef int n = _stories(k, v, mask, offsets), m = k.shape[1]
    out = np.zeros((n, m, m), np.float32)
    cdef float[:, :, ::1] out_view = out
    if n and k.shape[0] and m:
        with nogil:
            hm_forward(&k[0, 0], &v[0, 0], &mask[0], &offsets[0], &out_view[0, 0, 0], n, m, gamma_pos, gamma_neg,
                       w_max)
    return out


def backward(const float[:, ::1] k, const float[:, ::1] v, const unsigned char[::1] mask, const int[::1] offsets,
             const float[:, :, ::1] G, int block, float gamma_pos, float gamma_neg, float w_max):
    """(dk, dv), each (R, m): the gradient of sum(G * M_T) for the cotangent G (n, m, m); the
    memories are recomputed, kept at every ``block``-th sentence."""
    cdef int n = _stories(k, v, mask, offsets), m = k.shape[1]
    dk, dv = np.zeros((k.shape[0], m), np.float32), np.zeros((k.shape[0], m), np.float32)
    cdef float[:, ::1] dk_view = dk, dv_view = dv
    if n and k.shape[0] and m:
        with nogil:
            hm_backward(&k[0, 0], &v[0, 0], &mask[0], &offsets[0], &G[0, 0, 0], &dk_view[0, 0], &dv_view[0, 0],
                        n, m, block, gamma_pos, gamma_neg, w_max)
    return dk, dv


def rbw_forward(const float[:, ::1] k, const float[:, ::1] v, const unsigned char[::1] mask, const int[::1] offsets,
                const float[:, ::1] W, const float[:, ::1] norms, float eps, float gamma_pos, float gamma_neg,
                float w_max):
    """M_T (n, m, m) with read-before-write: W (m, 2m); norms (4, m): LN_k's scale and offset, then
    LN_v's."""
    cdef int n = _stories(k, v, mask, offsets), m = k.shape[1]
    out = np.zeros((n, m, m), np.float32)
    cdef float[:, :, ::1] out_view = out
    cdef rbw_params p
    if n and k.shape[0] and m:
        p.W, p.norms, p.eps = &W[0, 0], &norms[0, 0], eps
        with nogil:
            hm_rbw_forward(&k[0, 0], &v[0, 0], &mask[0], &offsets[0], &p, &out_view[0, 0, 0], n, m, gamma_pos,
                           gamma_neg, w_max)
    return out


def rbw_backward(const float[:, ::1] k, const float[:, ::1] v, const unsigned char[::1] mask, const int[::1] offsets,
                 const float[:, ::1] W, const float[:, ::1] norms, float eps, const float[:, :, ::1] G, int block,
                 float gamma_pos, float gamma_neg, float w_max):
    """(dk, dv, dW, dnorms): the gradient of sum(G * M_T) with read-before-write, dk and dv
    (R, m), dW (m, 2m) and dnorms (4, m) summed over the stories in order."""
    cdef int n = _stories(k, v, mask, offsets), m = k.shape[1]
    dk, dv = np.zeros((k.shape[0], m), np.float32), np.zeros((k.shape[0], m), np.float32)
    dW, dnorms = np.zeros((n, m, 2 * m), np.float32), np.zeros((n, 4, m), np.float32)
    cdef float[:, ::1] dk_view = dk, dv_view = dv
    cdef float[:, :, ::1] dW_view = dW, dnorms_view = dnorms
    cdef rbw_params p
    if n and k.shape[0] and m:
        p.W, p.norms, p.eps = &W[0, 0], &norms[0, 0], eps
        with nogil:
            hm_rbw_backward(&k[0, 0], &v[0, 0], &mask[0], &offsets[0], &p, &G[0, 0, 0], &dk_view[0, 0],
                            &dv_view[0, 0], &dW_view[0, 0, 0], &dnorms_view[0, 0, 0], n, m, block,
                            gamma_pos, gamma_neg, w_max)
    return dk, dv, np.add.reduce(dW, 0), np.add.reduce(dnorms, 0)
