"""Named presets of a model family: frozen dataclasses of the values each paper uses."""

import dataclasses


def select(presets: dict, name: str, **overrides):
    """The preset ``name`` of ``presets`` with some fields replaced, checked by its
    ``validate()`` (which raises ValueError with one clear sentence)."""
    if name not in presets:
        raise ValueError(f"unknown preset {name!r}; choose one of {sorted(presets)}.")
    return dataclasses.replace(presets[name], **overrides).validate()


def renamed(fields: dict, names: dict) -> dict:
    """``fields`` of a saved configuration with the keys that ``names`` maps from an older
    name to the current one renamed, so that results folders of older versions read back."""
    return {names.get(key, key): value for key, value in fields.items()}
