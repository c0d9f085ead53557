"""A decision in words: one or two sentences a person can act on, then who is still provisional.

- **Not enough votes**: no vote here picked a winner or a tie, or only one endpoint was judged.
- **A clear winner**: the top tie-class has one endpoint — "**2.0** is the best: told apart from every other tier
  at 95 %."
- **A top class with a cheaper member**: the member of the top class with the lowest cost per second, when it is
  not the best-rated one, with its cost as a share of the best-rated's — "**2.0 fast** is in the top class with
  **2.0**, at 80 % of its cost per second." When the best-rated member alone is the cheapest, that is said instead
  (and nothing of cost when it shares the lowest cost, or costs are unknown).
- **Not told apart yet**: whenever the top class holds several endpoints, about how many more votes like these
  would likely separate the top two (``decide.votes_to_separate``), or that they are level.
- **Provisional**: every endpoint with fewer than ``provisional_votes`` votes, named.
"""

from __future__ import annotations

import re

NOT_JUDGED = "Not enough votes yet: no vote here picks a winner or a tie."
ONE_JUDGED = "Not enough votes yet: only one endpoint has been judged here, and a decision needs two."


def bold(label: str) -> str:
    """A label in bold, its Markdown-active characters escaped (an id from a hand-edited log stays literal)."""
    return "**" + re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", label) + "**"


def listed(names: list[str]) -> str:
    """"**A**", "**A** and **B**", "**A**, **B** and **C**"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _top_class(top: list[str], named: dict[str, str], cost: dict[str, float | None]) -> str:
    """The sentence on the top class's cost: its cheapest member per second against its best-rated one."""
    best = top[0]
    priced = [endpoint for endpoint in top if cost.get(endpoint) is not None]
    if cost.get(best) is None or len(priced) < 2:
        return ""
    cheapest = min(priced, key=lambda endpoint: cost[endpoint] or 0.0)  # first in rating order on equal costs
    others = [named[endpoint] for endpoint in top if endpoint != cheapest]
    if cost[cheapest] == cost[best]:  # the best-rated is the cheapest: said only when it alone is
        alone = all(cost[endpoint] != cost[best] for endpoint in priced if endpoint != best)
        return (f"{named[best]} leads the top class, shared with {listed(others)}, and costs the least per second "
                "in it.") if alone else ""
    share = round(100 * (cost[cheapest] or 0.0) / (cost[best] or 1.0))
    whose = "its" if others == [named[best]] else f"{named[best]}'s"
    return f"{named[cheapest]} is in the top class with {listed(others)}, at {share} % of {whose} cost per second."


def verdict(classes: list[list[str]], labels: dict[str, str], cost_per_second: dict[str, float | None],
            provisional: list[str], needed: int | None, provisional_votes: int) -> str:
    """The verdict for tie-classes (endpoint ids, best class first, best first within one); ``needed``: about how
    many more votes would separate the top two (None: they are level)."""
    named = {endpoint: bold(labels.get(endpoint, endpoint)) for group in classes for endpoint in group}
    if not classes:
        return NOT_JUDGED
    if sum(len(group) for group in classes) < 2:
        return ONE_JUDGED
    top = classes[0]
    if len(top) == 1:
        said = [f"{named[top[0]]} is the best: told apart from every other tier at 95 %."]
    else:
        first, second = named[top[0]], named[top[1]]
        separation = (f"Not told apart: {first} and {second} are level, so more votes like these would not "
                      "separate them." if needed is None else
                      f"Not told apart yet: about {needed:,} more votes like these would likely separate the top "
                      "two.")
        said = [sentence for sentence in (_top_class(top, named, cost_per_second), separation) if sentence]
    if provisional:
        said.append(f"Provisional (fewer than {provisional_votes} votes each): "
                    f"{listed([named[endpoint] for endpoint in provisional])}.")
    return " ".join(said)
