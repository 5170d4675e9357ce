"""The question format, as the bank tests check it: taken from the validator itself, never restated."""

from mlpath.core.generators import GENERATORS as _GENERATORS
from mlpath.core.validation import COMMON_Q, KIND_FIELDS as _KIND_FIELDS

COMMON_FIELDS = set(COMMON_Q)
KIND_FIELDS = {kind: set(fields) for kind, fields in _KIND_FIELDS.items()}
# generator name -> {parameter -> allowed values}
GENERATOR_PARAMS = {name: {p: set(spec.choices) for p, spec in g.params.items()} for name, g in _GENERATORS.items()}
