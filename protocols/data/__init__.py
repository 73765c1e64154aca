"""Data sets: loaders of the formats that authors distribute, and the sets that ship with pip."""
