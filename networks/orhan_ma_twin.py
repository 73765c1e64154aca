"""The JAX twin of :class:`networks.orhan_ma.OrhanMaNetwork`: the same model as a
differentiable function, for training by backpropagation through time.

Source: Orhan & Ma (2019) Nat. Neurosci. 22:275-283; shared/specs/orhan.md. Over a batch::

    u_t = W h_{t-1} + U x_t + b + b_rec [+ gamma clip(h_{t-2} . h_{t-1}, 0, 100) h_{t-2}]
    h_t = relu(u_t),  h_{-1} = h_{-2} = 0,  y_t = g(V h_t + c)

as one ``lax.scan`` over the steps, with its backward pass written out
(:func:`_recurrence_backward`). In the backward pass the gradient into u_t is clipped element-wise
to [-clip, clip] (Lasagne's ``grad_clipping=100`` of the original's recurrent layer); the
forward pass is unchanged. A test holds this function and the ANNarchy network to the same
activity step by step (tests/test_orhan_ma.py).
"""

import functools

import jax
import jax.numpy as jnp

CLIP = 100.0


@functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
def clip_gradient(u, bound):
    """The identity forward; the cotangent clipped to [-bound, bound] backward."""
    return u


def _clip_forward(u, bound):
    return u, None


def _clip_backward(bound, _, cotangent):
    return (jnp.clip(cotangent, -bound, bound),)


clip_gradient.defvjp(_clip_forward, _clip_backward)


def _scan(W, U, bias, inputs, update, clip, gamma):
    """The hidden activity (steps x trials x N) over ``inputs`` (steps x trials x inputs);
    ``bias`` = b + b_rec; ``update`` (steps x trials x 1) or None as :func:`run`'s mask. The
    input drive is computed step by step: one (steps x trials x N) array less to write and
    read back, which costs more than the products on a CPU. W and U are transposed once,
    outside the loop (under ``vmap`` XLA would otherwise copy W's transpose at every step)."""
    W_T, U_T = W.T, U.T

    def step(carry, sequences):
        (h1, h2), (x_t, update_t) = carry, sequences  # h_{t-1}, h_{t-2}
        u = clip_gradient(h1 @ W_T + (x_t @ U_T + bias), clip)
        if gamma:  # added after the gradient clip, as in the original
            u = u + gamma * jnp.clip(jnp.sum(h2 * h1, axis=1, keepdims=True), 0.0, 100.0) * h2
        h = jax.nn.relu(u) if update_t is None else jnp.where(update_t, jax.nn.relu(u), h1)
        return (h, h1), h

    h0 = jnp.zeros((inputs.shape[1], W.shape[0]), dtype=W.dtype)
    return jax.lax.scan(step, (h0, h0), (inputs, update))[1]


@functools.partial(jax.custom_vjp, nondiff_argnums=(5,))
def _recurrence(W, U, bias, inputs, update, clip):
    """:func:`_scan` without fast weights, with its backward pass written out
    (:func:`_recurrence_backward`)."""
    return _scan(W, U, bias, inputs, update, clip, 0.0)


def _recurrence_forward(W, U, bias, inputs, update, clip):
    hidden = _scan(W, U, bias, inputs, update, clip, 0.0)
    return hidden, (W, inputs, hidden, update)


def _recurrence_backward(clip, saved, g_hidden):
    """BPTT of h_t = relu(W h_{t-1} + U x_t + bias) (held, h_t = h_{t-1}, where ``update`` is
    False), backwards over the steps, with g_t the loss's gradient into h_t from outside:

        e_t = g_t + W^T delta_{t+1} [+ e_{t+1} if step t+1 is held]   (all the gradient into h_t)
        delta_t = clip(e_t * [h_t > 0], -clip, clip), 0 on held steps   (the gradient into u_t)
        dL/dW = sum_t delta_{t+1} h_t^T,  dL/dU = sum_t delta_t x_t^T,  dL/dbias = sum_t delta_t

    W's gradient as ONE product over all steps and trials (the loop hands out delta_{t+1}
    beside h_t), U's and the bias's added up in the loop, where their operands are in cache;
    automatic differentiation of :func:`_scan` adds up a product per step for W and reads the
    deltas back for U (a test holds the two gradients together)."""
    W, inputs, hidden, update = saved

    def step(carry, sequences):  # g_next: W^T delta_{t+1} [+ e_{t+1}]
        (g_next, delta_next, g_U_T, g_bias), (h, g_out, x_t, update_t) = carry, sequences
        e = g_out + g_next
        delta = e * (h > 0)
        if update_t is None:
            delta = jnp.clip(delta, -clip, clip)
            g_prev = delta @ W
        else:
            delta = jnp.clip(jnp.where(update_t, delta, 0.0), -clip, clip)
            g_prev = delta @ W + jnp.where(update_t, 0.0, e)
        g_U_T = g_U_T + jax.lax.dot_general(x_t, delta, batch_first)  # x_t^T delta_t: no transposed copy
        return (g_prev, delta, g_U_T, g_bias + jnp.sum(delta, axis=0)), delta_next

    n, batch_first = W.shape[0], (((0,), (0,)), ((), ()))
    zero = jnp.zeros_like(hidden[0])
    start = (zero, zero, jnp.zeros((inputs.shape[2], n), W.dtype), jnp.zeros(n, W.dtype))
    (_, _, g_U_T, g_bias), following = jax.lax.scan(step, start, (hidden, g_hidden, inputs, update), reverse=True)
    g_W = jax.lax.dot_general(following.reshape(-1, n), hidden.reshape(-1, n), batch_first)
    return g_W, g_U_T.T, g_bias, None, None


_recurrence.defvjp(_recurrence_forward, _recurrence_backward)


@functools.partial(jax.jit, static_argnames=("sigmoid", "clip", "gamma"))
def run(params, inputs, sigmoid: bool, clip: float = CLIP, gamma: float = 0.0, mask=None):
    """Hidden activity (trials x steps x N) and outputs (trials x steps x outputs) for
    ``inputs`` (trials x steps x inputs); ``params`` as :func:`networks.orhan_ma.initial_parameters`.
    ``gamma`` > 0 adds Hebbian fast weights: gamma * clip(h_{t-2} . h_{t-1}, 0, 100) * h_{t-2},
    after the gradient clip (the original's ``CustomRecurrentLayerWithFastWeights`` clips the
    gradient of W h + U x + b only), and is differentiated automatically; without it the
    recurrence's backward pass is :func:`_recurrence_backward`. ``mask`` (trials x steps),
    where given, holds the state on its False steps (h_t = h_{t-1}: the original's padding of
    variable delays)."""
    steps_first = jnp.swapaxes(inputs, 0, 1)  # steps x trials x inputs: the scan's layout
    bias = params["b"] + params["b_rec"]
    update = None if mask is None else jnp.swapaxes(mask, 0, 1)[:, :, None]
    if gamma:
        hidden = _scan(params["W"], params["U"], bias, steps_first, update, clip, gamma)
    else:
        hidden = _recurrence(params["W"], params["U"], bias, steps_first, update, clip)
    outputs = jnp.swapaxes(hidden @ params["V"].T + params["c"], 0, 1)
    return jnp.swapaxes(hidden, 0, 1), jax.nn.sigmoid(outputs) if sigmoid else outputs
