"""The JAX twin of :class:`networks.orhan_ma.OrhanMaNetwork`: the same model as a
differentiable function, for training by backpropagation through time.

Source: Orhan & Ma (2019) Nat. Neurosci. 22:275-283; shared/specs/orhan.md. Over a batch::

    u_t = W h_{t-1} + U x_t + b + b_rec [+ gamma clip(h_{t-2} . h_{t-1}, 0, 100) h_{t-2}]
    h_t = relu(u_t),  h_{-1} = h_{-2} = 0,  y_t = g(V h_t + c)

as one ``lax.scan`` over the steps (the input drive U x_t + b for all steps is one matrix
product before the scan). In the backward pass the gradient into u_t is clipped element-wise
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


@functools.partial(jax.jit, static_argnames=("sigmoid", "clip", "gamma"))
def run(params, inputs, sigmoid: bool, clip: float = CLIP, gamma: float = 0.0, mask=None):
    """Hidden activity (trials x steps x N) and outputs (trials x steps x outputs) for
    ``inputs`` (trials x steps x inputs); ``params`` as :func:`networks.orhan_ma.initial_parameters`.
    ``gamma`` > 0 adds Hebbian fast weights: gamma * clip(h_{t-2} . h_{t-1}, 0, 100) * h_{t-2},
    after the gradient clip (the original's ``CustomRecurrentLayerWithFastWeights`` clips the
    gradient of W h + U x + b only). ``mask`` (trials x steps), where given, holds the state
    on its False steps (h_t = h_{t-1}: the original's padding of variable delays)."""
    drive = jnp.einsum("bti,ni->tbn", inputs, params["U"]) + params["b"] + params["b_rec"]

    def step(carry, sequences):
        (h1, h2), (drive_t, update_t) = carry, sequences  # h_{t-1}, h_{t-2}
        u = clip_gradient(h1 @ params["W"].T + drive_t, clip)
        if gamma:  # added after the gradient clip, as in the original
            u = u + gamma * jnp.clip(jnp.sum(h2 * h1, axis=1, keepdims=True), 0.0, 100.0) * h2
        h = jax.nn.relu(u) if update_t is None else jnp.where(update_t, jax.nn.relu(u), h1)
        return (h, h1), h

    h0 = jnp.zeros((inputs.shape[0], params["W"].shape[0]), dtype=drive.dtype)
    hold = None if mask is None else jnp.swapaxes(mask, 0, 1)[:, :, None]
    _, hidden = jax.lax.scan(step, (h0, h0), (drive, hold))
    hidden = jnp.swapaxes(hidden, 0, 1)
    outputs = hidden @ params["V"].T + params["c"]
    return hidden, jax.nn.sigmoid(outputs) if sigmoid else outputs
