"""Analyses of behaviour: convergence criteria and psychometric fits."""
