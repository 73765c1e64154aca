"""Training loops of the learning rules: they drive a network through a task's trials."""
