"""Running: command lines and configurations, seeds and executors, results folders."""
