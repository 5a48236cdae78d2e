"""The pipeline's one gate: every path that moves a deal (board, form, keyboard, import, API)
calls move_deal(), which checks the target stage's entry rules the same way."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select

from webapp.extensions import db
from webapp.models.activity import Activity, activity_attendee
from webapp.models.customer import Status
from webapp.models.pipeline import Deal, Stage, StageChange, StageRequirement
from webapp.models.user import utcnow
from webapp.services.audit import record_change
from webapp.services.automation import on_status_changed

# Each kind with its article, so languages with gendered nouns can say it right.
KIND_WITH_ARTICLE = {
    "note": _l("a note"),
    "call": _l("a call"),
    "email": _l("an e-mail"),
    "meeting": _l("a meeting"),
    "proposal": _l("a proposal"),
    "task": _l("a task"),
}


@dataclass(frozen=True)
class MissingRequirement:
    """An entry rule of `stage` that the deal does not meet yet."""

    stage: Stage
    requirement: StageRequirement

    @property
    def kinds(self) -> list[str]:
        return self.requirement.kind_list

    @property
    def first_kind(self) -> str:
        return self.kinds[0] if self.kinds else "note"

    def describe(self) -> str:
        """Say what must be logged, e.g. "Proposal needs a proposal"."""
        what = _(" or ").join(str(KIND_WITH_ARTICLE.get(k, k)) for k in self.kinds)
        if self.requirement.with_contact:
            what = _("%(what)s with a contact", what=what)
        if self.requirement.with_minutes:
            what = _("%(what)s, held and with minutes written", what=what)
        return _("%(stage)s needs %(what)s", stage=self.stage.name, what=what)


class StageRuleError(Exception):
    """A move refused by the entry rules; `missing` says what must be logged first."""

    def __init__(self, deal, stage, missing: list[MissingRequirement]):
        self.deal = deal
        self.stage = stage
        self.missing = missing
        super().__init__("; ".join(m.describe() for m in missing))


class DealStateError(Exception):
    """A deal cannot do this in its current state (e.g. moving a won deal)."""


def ordered_stages(active_only=True) -> list[Stage]:
    query = select(Stage).order_by(Stage.position, Stage.id)
    if active_only:
        query = query.where(Stage.active)
    return list(db.session.scalars(query))


def stages_to_enter(current: Stage | None, target: Stage) -> list[Stage]:
    """The stages whose rules apply when moving from current to target.

    Moving forward passes through every stage after the current one up to the target, so
    skipping a stage does not skip its rules. Moving backward has no rules.
    """
    start = current.position if current is not None else -1
    if target.position <= start:
        return []
    return [s for s in ordered_stages() if start < s.position <= target.position] or [target]


def _activity_conditions(requirement: StageRequirement, steer_clear: bool) -> list:
    """The conditions an activity must meet for requirement.

    steer_clear wraps kind and time in coalesce(), which keeps SQLite's planner off the
    kind/time indexes when the deal's own index is far more selective (its statistics,
    skewed by the many activities without a deal, suggest otherwise).
    """

    def plain(column):
        return func.coalesce(column, column) if steer_clear else column

    conditions = [Activity.deleted.is_(False), plain(Activity.kind).in_(requirement.kind_list)]
    if requirement.with_contact:
        has_attendee = exists().where(activity_attendee.c.activity_id == Activity.id)
        conditions.append(or_(Activity.contact_id.is_not(None), has_attendee))
    if requirement.with_minutes:
        conditions.append(plain(Activity.occurred_at) <= utcnow())
        conditions.append(func.length(func.trim(func.coalesce(Activity.body, ""))) > 0)
    return conditions


def _requirement_met(deal: Deal, requirement: StageRequirement) -> bool:
    # Two EXISTS rather than one with an OR inside: each walks its own index (the deal's
    # activities; the company's activities since the deal opened) instead of every
    # activity of the kind, which took over a second against 2,000,000 activities.
    on_deal = exists().where(Activity.deal_id == deal.id, *_activity_conditions(requirement, True))
    on_company = exists().where(
        Activity.company_id == deal.company_id,
        Activity.occurred_at >= deal.created_at,
        *_activity_conditions(requirement, False),
    )
    return bool(db.session.scalar(select(or_(on_deal, on_company))))


def missing_requirements(deal: Deal, target: Stage) -> list[MissingRequirement]:
    """What the deal lacks to enter target from its current stage (empty: allowed)."""
    current = deal.stage if deal.id is not None else None
    missing = []
    for stage in stages_to_enter(current, target):
        for requirement in stage.requirements:
            if deal.id is None or not _requirement_met(deal, requirement):
                missing.append(MissingRequirement(stage, requirement))
    return missing


def move_deal(deal: Deal, target: Stage, user, via="form", enforce_rules=True) -> StageChange:
    """Move an open deal to target, or raise StageRuleError saying what is missing.

    Every path calls this. Only an import of migrated history passes enforce_rules=False.
    """
    if deal.outcome != "open":
        raise DealStateError(_("Only open deals can move. Reopen the deal first."))
    if not target.active:
        raise DealStateError(_("The stage %(name)s is retired.", name=target.name))
    if target.id == deal.stage_id:
        return None
    if enforce_rules:
        missing = missing_requirements(deal, target)
        if missing:
            raise StageRuleError(deal, target, missing)
    change = StageChange(
        deal_id=deal.id,
        from_stage_id=deal.stage_id,
        to_stage_id=target.id,
        via=via,
        user_id=user.id if user is not None else None,
        changed_at=utcnow(),
    )
    deal.stage = target
    deal.stage_entered_at = change.changed_at
    deal.updated_at = change.changed_at
    deal.version += 1
    db.session.add(change)
    db.session.flush()
    return change


def open_deal(company, title, value, stage, owner, user, via="form", **fields) -> Deal:
    """Create a deal in stage (which must have no unmet entry rules) and record its first move."""
    deal = Deal(
        company=company,
        title=title,
        value=value if value is not None else Decimal("0"),
        stage=stage,
        owner=owner,
        created_by_id=user.id if user is not None else None,
        **fields,
    )
    if via != "import":
        missing = [
            MissingRequirement(s, r) for s in stages_to_enter(None, stage) for r in s.requirements
        ]
        if missing:
            raise StageRuleError(deal, stage, missing)
    db.session.add(deal)
    db.session.flush()
    db.session.add(
        StageChange(
            deal_id=deal.id,
            from_stage_id=None,
            to_stage_id=stage.id,
            via=via,
            user_id=user.id if user is not None else None,
            changed_at=deal.created_at,
        )
    )
    db.session.flush()
    return deal


def _set_company_status(company, status: Status, user) -> None:
    if company.status_id == status.id:
        return
    old = company.status
    record_change("company", company.id, "status", old.name, status.name, user, company.id)
    company.status = status
    company.version += 1
    company.updated_at = utcnow()
    company.updated_by_id = user.id if user is not None else None
    db.session.flush()
    on_status_changed(company, old, user)


def customer_status() -> Status:
    return db.session.scalar(
        select(Status)
        .where(Status.kind == "customer", Status.active)
        .order_by(Status.position, Status.id)
        .limit(1)
    )


def win_deal(deal: Deal, value, closed_on: date, user, via="form") -> StageChange:
    """Close a deal as won; its company becomes a customer (which plans the first service call)."""
    if deal.outcome != "open":
        raise DealStateError(_("This deal is already closed."))
    deal.outcome = "won"
    deal.value = value
    deal.closed_at = closed_on
    deal.version += 1
    deal.updated_at = utcnow()
    change = StageChange(
        deal_id=deal.id,
        from_stage_id=deal.stage_id,
        to_stage_id=None,
        outcome="won",
        via=via,
        user_id=user.id if user is not None else None,
    )
    db.session.add(change)
    db.session.flush()
    if deal.company.status.kind != "customer":
        status = customer_status()
        if status is not None:
            _set_company_status(deal.company, status, user)
    return change


def lose_deal(deal: Deal, reason: Status, user, competitor=None, closed_on=None, via="form"):
    """Close a deal as lost for a reason (an inactive status), and the competitor if one won it.

    The company takes the reason as its status when it has no other open deal and is not
    already a customer.
    """
    if deal.outcome != "open":
        raise DealStateError(_("This deal is already closed."))
    if reason is None or reason.kind != "inactive":
        raise DealStateError(_("Choose why the deal was lost."))
    deal.outcome = "lost"
    deal.lost_reason = reason
    deal.competitor = competitor
    deal.closed_at = closed_on or utcnow().date()
    deal.version += 1
    deal.updated_at = utcnow()
    change = StageChange(
        deal_id=deal.id,
        from_stage_id=deal.stage_id,
        to_stage_id=None,
        outcome="lost",
        via=via,
        user_id=user.id if user is not None else None,
    )
    db.session.add(change)
    db.session.flush()
    other_open = db.session.scalar(
        select(func.count())
        .select_from(Deal)
        .where(Deal.company_id == deal.company_id, Deal.outcome == "open", Deal.id != deal.id)
    )
    if not other_open and deal.company.status.kind != "customer":
        _set_company_status(deal.company, reason, user)
    return change


def reopen_deal(deal: Deal, user) -> StageChange:
    """Reopen a won or lost deal in the stage it closed from (managers and admins)."""
    if deal.outcome == "open":
        raise DealStateError(_("This deal is already open."))
    previous = deal.outcome
    deal.outcome = "open"
    deal.closed_at = None
    deal.lost_reason = None
    deal.competitor = None
    deal.version += 1
    deal.updated_at = utcnow()
    deal.stage_entered_at = deal.updated_at
    change = StageChange(
        deal_id=deal.id,
        from_stage_id=None,
        to_stage_id=deal.stage_id,
        outcome="open",
        via="reopen",
        user_id=user.id if user is not None else None,
    )
    db.session.add(change)
    record_change("deal", deal.id, "outcome", previous, "open", user, deal.company_id)
    db.session.flush()
    return change
