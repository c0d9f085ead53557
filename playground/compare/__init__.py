"""Side-by-side comparisons: the spec as asked, each cell adapted to its endpoint, and the fairness report."""

from playground.compare.adapt import Change, adapt, fit, nearest
from playground.compare.plan import (
           Cell,
           Plan,
           differences,
           one_per_family,
           plan,
           union_endpoint,
)
from playground.compare.spec import MAX_PROMPTS, MAX_SEEDS, Spec, draw_seeds, parse_spec

__all__ = ["Cell", "Change", "MAX_PROMPTS", "MAX_SEEDS", "Plan", "Spec", "adapt", "differences", "draw_seeds", "fit",
           "nearest", "one_per_family", "parse_spec", "plan", "union_endpoint"]
