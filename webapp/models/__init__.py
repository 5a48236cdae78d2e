"""Models, a module per domain; importing this package registers them all with the metadata."""

from webapp.models.activity import ACTIVITY_KINDS, Activity, activity_attendee
from webapp.models.audit import Change, Setting
from webapp.models.company_words import CompanyWord
from webapp.models.customer import STATUS_KINDS, CardView, Company, Contact, Status
from webapp.models.group import Group, GroupOption, GroupValue
from webapp.models.imports import ImportJob, ImportMapping, ImportRecord, ImportRow
from webapp.models.marketing import (
    Campaign,
    CampaignCompany,
    CategoryRule,
    Industry,
    LetterTemplate,
    Segment,
)
from webapp.models.pipeline import (
    Budget,
    Deal,
    DealGroupValue,
    Stage,
    StageChange,
    StageRequirement,
)
from webapp.models.user import User

# Keeps company.last_activity_at on every ORM write of an activity (after the models load).
from webapp.models import last_activity  # noqa: E402, F401  isort: skip

__all__ = [
    "ACTIVITY_KINDS",
    "Budget",
    "Campaign",
    "CampaignCompany",
    "CategoryRule",
    "Deal",
    "DealGroupValue",
    "ImportJob",
    "ImportMapping",
    "ImportRecord",
    "ImportRow",
    "Industry",
    "LetterTemplate",
    "Segment",
    "Stage",
    "StageChange",
    "StageRequirement",
    "STATUS_KINDS",
    "Activity",
    "CardView",
    "Change",
    "Company",
    "CompanyWord",
    "Contact",
    "Group",
    "GroupOption",
    "GroupValue",
    "Setting",
    "Status",
    "User",
    "activity_attendee",
]
