"""Plan response: /plan, the heads' confirmations, the progress card's buttons and the task answers."""

from gridguard.telegram.plans import plan_editor, plans
from gridguard.telegram.plans.callbacks import PACKERS
from gridguard.telegram.plans.states import PlanEditFlow, PlanImportFlow, PlanNoteFlow, TaskAnswerFlow
from gridguard.telegram.registry import Edge

EDGE = Edge(
    routers=(plans.router, plan_editor.router),
    commands=("plan",),
    members_only_commands=("plan",),
    flows=(PlanImportFlow, PlanNoteFlow, TaskAnswerFlow, PlanEditFlow),
    packers=PACKERS,
    menu_rank=55,
)
