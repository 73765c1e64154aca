"""ann.Network subclasses that wire populations and projections, and the compile cache."""
