"""Tasks: one class per task, each knowing nothing of the network that plays it."""
