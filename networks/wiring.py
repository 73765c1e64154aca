"""Projections that several networks wire the same way."""


def connect_all(net, pre, post, target, synapse=None):
    """All-to-all projection from ``pre`` to ``post`` in dense storage, weights 0 until set
    (self-connections too), one weight per synapse."""
    proj = net.connect(pre, post, target, synapse)
    proj.all_to_all(0.0, allow_self_connections=True, force_multiple_weights=True, storage_format="dense")
    return proj
