"""What the facade hands the UI, in one place: the parts each builder is given, the views their calls return and
the fixed choices the page lays out.

The UI imports ``playground.service`` (the Playground), this module (its parts and what comes back) and
``playground.errors`` (what it translates at its edge) — nothing else from the core.
"""

from playground.api import NamedApi
from playground.catalog import Endpoint
from playground.compare.form import CompareForm
from playground.compare.present import STATUS_HEADERS, BatchView, CompareMode, PlanView
from playground.compare.snapshot import BatchSnapshot
from playground.compare_facade import CompareCalls
from playground.gallery import Gallery
from playground.history import Filters
from playground.history_facade import HistoryCalls
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
from playground.session_facade import SessionCalls
from playground.tabs_facade import EndpointTabCalls
from playground.visitor import Visitor

__all__ = ["CODE_LANGUAGES", "FINAL", "KEEP", "STATUS_HEADERS", "TABLE_HEADERS", "ActionView", "Answer",
           "BatchSnapshot", "BatchView", "CompareCalls", "CompareForm", "CompareMode", "Endpoint", "EndpointTabCalls",
           "FieldView", "Filters", "FormLayout", "FormView", "Gallery", "HistoryCalls", "KeyChange",
           "LeaderboardView", "NamedApi", "PlanView", "Progress", "PromotionPlan", "RunPick", "RunView",
           "SessionCalls", "Visitor"]
