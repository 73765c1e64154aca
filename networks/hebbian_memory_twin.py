"""The JAX twin of H-Mem on bAbI question answering: the paper's model as a differentiable
function, for training end to end by backpropagation through time.

Source: Limbacher & Legenstein (2020) H-Mem, NeurIPS 33, "Question answering"; the layout of
the authors' code (babi_task_single.py and its layers: read for the facts, nothing copied);
shared/specs/babi.md and hmem.md. For a story of sentences t = 1..T and a question::

    s_t = BN_s( sum_w  E[x_tw] * P_w )              word embedding (80) times a learned
    q   = BN_q( sum_w  E[y_w]  * P_w )              position encoding P (init 1; the time
                                                    word's slot stays 1), batch norm
    k_t = relu(W_k s_t),  v_t = relu(W_v s_t)       keys and values (100, no bias)
    M_0 = 0;  M_t = M_{t-1} + gamma_pos (w_max - M_{t-1}) * v_t k_t^T
                            - gamma_neg M_{t-1} * (k_t^2)^T           one write per sentence
    v_0 = 0;  k_h = relu(W_r [q ; v_{h-1}]),  v_h = M_T k_h,  h = 1..3      the 3-hop read
    logits = W_o v_3                                (no bias) over the vocabulary

``M`` is [value unit i, key unit j], the layout of the ANNarchy memory
(:class:`synapses.hebbian_memory.HebbianMemory`, pre = key, post = value), which a test holds to
:func:`write` and :func:`read` step by step. Read-before-write (the paper's extension): before
each write ``k_t <- LN_1(k_t)``, ``v_t <- LN_2(W_rbw [v_t ; M_{t-1} k_t])``. Padding sentences
(all words 0) leave the memory unchanged. Batch norm (Keras' defaults: momentum 0.99,
epsilon 1e-3) uses the statistics of the batch's real sentences in training and the running
ones in testing. Initial weights: He-uniform (the original's), ones for P and the norms' scales;
the read-before-write layer Glorot-uniform (Keras' default there).
"""

import jax
import jax.numpy as jnp
import numpy as np

from networks import hebbian_writes_native as native

EMBEDDING, MEMORY, HOPS = 80, 100, 3
GAMMA_POS = GAMMA_NEG = 0.01
W_MAX = 1.0
MOMENTUM, BN_EPSILON, LN_EPSILON = 0.99, 1e-3, 1e-3
BLOCK = 16
"""Sentences per rematerialised block of the write scan: backpropagation keeps the memory only
at block boundaries, not after every sentence (a long story would not fit otherwise)."""
KERNELS = ("native", "jax")
"""How the writes run (base and read-before-write): ``native``, compiled loops called back from XLA on the host
(:mod:`networks.hebbian_writes_native`: each story's memory stays in a core's cache; several
times faster on a CPU), or ``jax``, the XLA scan :func:`hebbian_writes` (on a GPU). The same
arithmetic, equal to float32 rounding (a test)."""
REAL_PARTS = 8
"""A batch's real sentences are encoded in multiples of 1/8 of its n x T sentence slots (few
array shapes: each new one compiles the update again)."""
DECAYED = ("W_k", "W_v", "W_r")
"""The layers with the original's L2 penalty 1e-3 * sum of squares."""


def initial_parameters(vocabulary: int, width: int, seed: int, read_before_write=False,
                       embedding=EMBEDDING, memory=MEMORY) -> tuple:
    """(parameters, batch-norm state) for ``vocabulary`` word ids and sentences of ``width``
    words, drawn from ``seed`` (numpy, float32)."""
    rng = np.random.default_rng([seed, 7])

    def he(fan_in, shape):  # Keras' he_uniform: U(-sqrt(6 / fan_in), +sqrt(6 / fan_in))
        return rng.uniform(-1, 1, shape).astype(np.float32) * np.float32(np.sqrt(6 / fan_in))

    params = {
        "E": he(vocabulary, (vocabulary, embedding)),
        "P": np.ones((width, embedding), np.float32),
        "bn_s": {"scale": np.ones(embedding, np.float32), "offset": np.zeros(embedding, np.float32)},
        "bn_q": {"scale": np.ones(embedding, np.float32), "offset": np.zeros(embedding, np.float32)},
        "W_k": he(embedding, (memory, embedding)),
        "W_v": he(embedding, (memory, embedding)),
        "W_r": he(embedding + memory, (memory, embedding + memory)),
        "W_o": he(memory, (vocabulary, memory)),
    }
    if read_before_write:
        limit = np.float32(np.sqrt(6 / (3 * memory)))  # Glorot: fan_in 2m + fan_out m
        params["rbw"] = {
            "W": rng.uniform(-1, 1, (memory, 2 * memory)).astype(np.float32) * limit,
            "ln_k": {"scale": np.ones(memory, np.float32), "offset": np.zeros(memory, np.float32)},
            "ln_v": {"scale": np.ones(memory, np.float32), "offset": np.zeros(memory, np.float32)},
        }
    state = {name: {"mean": np.zeros(embedding, np.float32), "var": np.ones(embedding, np.float32)}
             for name in ("bn_s", "bn_q")}
    return params, state


def write(M, k, v, gamma_pos=GAMMA_POS, gamma_neg=GAMMA_NEG, w_max=W_MAX):
    """One Hebbian write of value ``v`` under key ``k`` (batched: M (..., m, m), k, v (..., m))."""
    return (M + gamma_pos * (w_max - M) * v[..., :, None] * k[..., None, :]
            - gamma_neg * M * (k * k)[..., None, :])


def read(M, k):
    """The memory's answer ``M k`` to key ``k``."""
    return jnp.einsum("...ij,...j->...i", M, k)


def layer_norm(x, p):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / jnp.sqrt(var + LN_EPSILON) * p["scale"] + p["offset"]


def encode(params, ids):
    """Sentence vectors sum_w E[id_w] * P_w (ids (..., words); 0 pads) and their mask."""
    present = ids > 0
    vectors = (params["E"][ids] * jnp.asarray(params["P"]).at[-1].set(1.0) * present[..., None]).sum(-2)
    return vectors, present.any(-1)


def batch_norm(x, mask, p, state, train):
    """Keras' batch norm over the real rows of ``x`` (mask); returns (y, new state)."""
    if train:
        weights = mask[..., None].astype(x.dtype)
        count = jnp.maximum(weights.sum(tuple(range(x.ndim - 1))), 1.0)
        mean = (x * weights).sum(tuple(range(x.ndim - 1))) / count
        var = (((x - mean) ** 2) * weights).sum(tuple(range(x.ndim - 1))) / count
        state = {"mean": MOMENTUM * state["mean"] + (1 - MOMENTUM) * mean,
                 "var": MOMENTUM * state["var"] + (1 - MOMENTUM) * var}
    else:
        mean, var = state["mean"], state["var"]
    return (x - mean) / jnp.sqrt(var + BN_EPSILON) * p["scale"] + p["offset"], state


def keys_and_values(params, sentences, mask):
    """k_t, v_t of the sentence vectors (zero for padding)."""
    m = mask[..., None].astype(sentences.dtype)
    return (jax.nn.relu(sentences @ params["W_k"].T) * m, jax.nn.relu(sentences @ params["W_v"].T) * m)


def _blocks(*sequences):
    """(n, T, ...) arrays as (blocks, BLOCK, n, ...) blocks of sentences (one block of T where
    T < BLOCK; padded with zeros: a padding sentence writes nothing)."""
    T = sequences[0].shape[1]
    size = min(BLOCK, T)
    pad = -T % size
    return [jnp.moveaxis(jnp.pad(x, [(0, 0), (0, pad)] + [(0, 0)] * (x.ndim - 2)), 1, 0)
            .reshape((T + pad) // size, size, x.shape[0], *x.shape[2:]) for x in sequences]


def _write_step(M, kvm):
    k_t, v_t, m_t = kvm
    return jnp.where(m_t[:, None, None], write(M, k_t, v_t), M)


def _scan_block(M, block):
    """The writes of one block; returns the memory after and the memory before each write."""
    return jax.lax.scan(lambda M, x: (_write_step(M, x), M), M, block)


@jax.custom_vjp
def hebbian_writes(k, v, mask):
    """The memory after one Hebbian write per real sentence (k, v (n, T, m); mask (n, T)),
    from M = 0. Its gradient is written out (below): the same as automatic differentiation's
    (a test), four times faster here, keeping only the memory at block boundaries."""
    return _writes_forward(k, v, mask)[0]


def _writes_forward(k, v, mask):
    blocks = _blocks(k, v, mask)
    M, starts = jax.lax.scan(lambda M, b: (_scan_block(M, b)[0], M), jnp.zeros((k.shape[0], k.shape[2], k.shape[2]), k.dtype), blocks)
    return M, (blocks, starts, k.shape[1])


def _writes_backward(residuals, G):
    """With A = 1 - gamma_pos v k^T - gamma_neg 1 (k^2)^T and H = G * gamma_pos (w_max - M_{t-1}):
    dM_{t-1} = G * A, dv = H k, dk = H^T v - 2 gamma_neg k * sum_i (G * M_{t-1})_i."""
    blocks, starts, T = residuals

    def step_back(G, x):
        (k_t, v_t, m_t), M = x
        H = G * (GAMMA_POS * (W_MAX - M))
        dv = jnp.einsum("nij,nj->ni", H, k_t)
        dk = jnp.einsum("nij,ni->nj", H, v_t) - 2 * GAMMA_NEG * k_t * jnp.einsum("nij,nij->nj", G, M)
        A = 1 - GAMMA_POS * v_t[:, :, None] * k_t[:, None, :] - GAMMA_NEG * (k_t * k_t)[:, None, :]
        real = m_t[:, None]
        return jnp.where(real[..., None], G * A, G), (jnp.where(real, dk, 0), jnp.where(real, dv, 0))

    def block_back(G, x):
        block, start = x
        before = _scan_block(start, block)[1]  # recomputed
        return jax.lax.scan(step_back, G, (block, before), reverse=True)

    _, (dk, dv) = jax.lax.scan(block_back, G, (blocks, starts), reverse=True)
    unblock = lambda d: jnp.moveaxis(d.reshape(-1, *d.shape[2:]), 0, 1)[:, :T]  # noqa: E731
    return unblock(dk), unblock(dv), None


hebbian_writes.defvjp(lambda k, v, mask: _writes_forward(k, v, mask), _writes_backward)


def default_kernel() -> str:
    """``native`` where JAX computes on the CPU, ``jax`` on an accelerator."""
    return "native" if jax.default_backend() == "cpu" else "jax"


def _native_check(k, v):
    if k.dtype != jnp.float32 or v.dtype != jnp.float32:
        raise TypeError(f"the native kernel computes in float32, got {k.dtype}; use the jax kernel.")


def _rows(k, v, mask, offsets):
    """The native kernel's arguments as the host gives them (the mask as bytes)."""
    return k, v, np.asarray(mask).view(np.uint8), offsets


@jax.custom_vjp
def native_writes(k, v, mask, offsets):
    """:func:`hebbian_writes` by the compiled loops (float32), over rows: k, v (R, m) and mask
    (R) the sentences, story s in rows offsets[s] to offsets[s + 1] (:func:`packed_offsets`)."""
    _native_check(k, v)
    n, m = offsets.shape[0] - 1, k.shape[-1]
    return jax.pure_callback(lambda *rows: native.forward(*_rows(*rows), GAMMA_POS, GAMMA_NEG, W_MAX),
                             jax.ShapeDtypeStruct((n, m, m), jnp.float32), k, v, mask, offsets)


def _native_forward(k, v, mask, offsets):
    return native_writes(k, v, mask, offsets), (k, v, mask, offsets)


def _native_backward(residuals, G):
    k, v, mask, offsets = residuals
    dk, dv = jax.pure_callback(
        lambda k, v, mask, offsets, G: native.backward(*_rows(k, v, mask, offsets), G, BLOCK, GAMMA_POS, GAMMA_NEG,
                                                       W_MAX),
        (jax.ShapeDtypeStruct(k.shape, jnp.float32),) * 2, k, v, mask, offsets, G)
    return dk, dv, None, None


native_writes.defvjp(_native_forward, _native_backward)


def _norms(rbw):
    """Read-before-write's norms as the native kernel takes them: (4, m) scales and offsets."""
    return jnp.stack([rbw["ln_k"]["scale"], rbw["ln_k"]["offset"], rbw["ln_v"]["scale"], rbw["ln_v"]["offset"]])


@jax.custom_vjp
def native_rbw_writes(k, v, mask, offsets, W, norms):
    """The read-before-write memory of :func:`_written` by the compiled loops (float32), over
    rows as :func:`native_writes`."""
    _native_check(k, v)
    n, m = offsets.shape[0] - 1, k.shape[-1]
    return jax.pure_callback(lambda k, v, mask, offsets, W, norms: native.rbw_forward(
        *_rows(k, v, mask, offsets), W, norms, LN_EPSILON, GAMMA_POS, GAMMA_NEG, W_MAX),
        jax.ShapeDtypeStruct((n, m, m), jnp.float32), k, v, mask, offsets, W, norms)


def _native_rbw_forward(k, v, mask, offsets, W, norms):
    return native_rbw_writes(k, v, mask, offsets, W, norms), (k, v, mask, offsets, W, norms)


def _native_rbw_backward(residuals, G):
    k, v, mask, offsets, W, norms = residuals

    def call(k, v, mask, offsets, W, norms, G):
        return native.rbw_backward(*_rows(k, v, mask, offsets), W, norms, LN_EPSILON, G, BLOCK, GAMMA_POS,
                                   GAMMA_NEG, W_MAX)
    shapes = [jax.ShapeDtypeStruct(x.shape, jnp.float32) for x in (k, v, W, norms)]
    dk, dv, dW, dnorms = jax.pure_callback(call, shapes, k, v, mask, offsets, W, norms, G)
    return dk, dv, None, None, dW, dnorms


native_rbw_writes.defvjp(_native_rbw_forward, _native_rbw_backward)


def packed_offsets(real, n, T):
    """Where each of ``n`` stories of ``T`` sentence slots starts among the rows ``real``
    (sorted flat indices into n * T, as :func:`real_sentences`; entries n * T are no
    sentence), and where the last ends: (n + 1) int32."""
    return jnp.searchsorted(real, jnp.arange(n + 1, dtype=real.dtype) * T).astype(jnp.int32)


def _native_written(params, k, v, mask, offsets):
    """The memory after the stories' writes by the compiled loops, over rows (:func:`native_writes`)."""
    rbw = params.get("rbw")
    if rbw is None:
        return native_writes(k, v, mask, offsets)
    return native_rbw_writes(k, v, mask, offsets, rbw["W"], _norms(rbw))


def _written(params, k, v, mask):
    """The memory after the story's writes by XLA (k, v (n, T, m)); with read-before-write, a
    scan over sentences differentiated automatically, rematerialised by blocks."""
    rbw = params.get("rbw")
    if rbw is None:
        return hebbian_writes(k, v, mask)

    def one(M, kvm):
        k_t, v_t, m_t = kvm
        k_t = layer_norm(k_t, rbw["ln_k"])
        v_t = layer_norm(jnp.concatenate([v_t, read(M, k_t)], -1) @ rbw["W"].T, rbw["ln_v"])
        return _write_step(M, (k_t, v_t, m_t)), None

    @jax.checkpoint
    def block(M, kvm):
        return jax.lax.scan(one, M, kvm)[0], None

    return jax.lax.scan(block, jnp.zeros((k.shape[0], k.shape[2], k.shape[2]), k.dtype), _blocks(k, v, mask))[0]


def hops(params, M, q):
    """The 3-hop read: k_h = relu(W_r [q ; v_{h-1}]), v_h = M k_h; returns v_3."""
    v = jnp.zeros(q.shape[:-1] + (M.shape[-1],), q.dtype)
    for _ in range(HOPS):
        v = read(M, jax.nn.relu(jnp.concatenate([q, v], -1) @ params["W_r"].T))
    return v


def real_sentences(stories, parts=REAL_PARTS):
    """The flat indices (into n * T) of the real sentences of ``stories`` (n, T, words; numpy),
    padded with n * T (no sentence) to a multiple of n * T / ``parts``: the ``real`` of
    :func:`apply`, computed once per batch on the host."""
    n, T = stories.shape[:2]
    real = np.flatnonzero(np.asarray(stories).any(-1)).astype(np.int32)
    chunk = max(-(-n * T // parts), 1)
    return np.pad(real, (0, -(-max(len(real), 1) // chunk) * chunk - len(real)), constant_values=n * T)


def apply(params, state, stories, queries, train=False, kernel="jax", real=None):
    """(logits, new batch-norm state) for stories (n, T, words) and queries (n, words); the
    writes by ``kernel`` (:data:`KERNELS`). ``real`` (:func:`real_sentences`), where given,
    encodes only those sentences (the same values: padding sentences have zero keys and
    values either way), much less work where the batch's longest story is far above its mean;
    the native kernel then takes those rows as they are, the jax scan spread back to (n, T)."""
    n, T, words = stories.shape
    if real is None:
        real = jnp.arange(n * T)
    ids = jnp.asarray(stories).reshape(n * T, words).at[real].get(mode="fill", fill_value=0)
    sentences, present = encode(params, ids)
    sentences, bn_s = batch_norm(sentences, present, params["bn_s"], state["bn_s"], train)
    q, q_mask = encode(params, queries)
    q, bn_q = batch_norm(q, q_mask, params["bn_q"], state["bn_q"], train)
    k, v = keys_and_values(params, sentences, present)
    if kernel == "native":
        M = _native_written(params, k, v, present, packed_offsets(real, n, T))
    else:
        k, v = (jnp.zeros((n * T, x.shape[-1]), x.dtype).at[real].set(x, mode="drop").reshape(n, T, -1) for x in (k, v))
        M = _written(params, k, v, (jnp.asarray(stories) > 0).any(-1))
    return hops(params, M, q) @ params["W_o"].T, {"bn_s": bn_s, "bn_q": bn_q}


def penalty(params, l2=1e-3):
    """The original's L2 penalty on the key, value and read layers."""
    return l2 * sum(jnp.sum(params[name] ** 2) for name in DECAYED)
