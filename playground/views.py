"""What the facade hands the UI, in one place: the views it returns and the fixed choices the page lays out.

The UI imports ``playground.service`` (the calls), this module (what comes back) and ``playground.errors`` (what
it translates at its edge) — nothing else from the core.
"""

from playground.catalog import Endpoint
from playground.compare.form import CompareForm
from playground.compare.present import STATUS_HEADERS, BatchView, CompareMode, PlanView
from playground.compare.snapshot import BatchSnapshot
from playground.history import Filters
from playground.history_present import KEEP, TABLE_HEADERS, ActionView, PromotionPlan, RunPick
from playground.leaderboard import LeaderboardView
from playground.present import (
    CODE_LANGUAGES,
    Answer,
    FieldView,
    FormLayout,
    FormView,
    KeyChange,
    Progress,
    RunView,
)
from playground.record import FINAL
from playground.visitor import Visitor

__all__ = ["CODE_LANGUAGES", "FINAL", "KEEP", "STATUS_HEADERS", "TABLE_HEADERS", "ActionView", "Answer",
           "BatchSnapshot", "BatchView", "CompareForm", "CompareMode", "Endpoint", "FieldView", "Filters", "FormLayout",
           "FormView", "KeyChange", "LeaderboardView", "PlanView", "Progress", "PromotionPlan", "RunPick", "RunView",
           "Visitor"]
