"""Administration of automation: the first-service-call task for new customers."""

from flask import flash, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp.blueprints.admin import bp
from webapp.blueprints.admin.config_forms import AutomationForm
from webapp.extensions import db
from webapp.forms import choices
from webapp.htmx import hx_redirect, render
from webapp.models.user import User
from webapp.permissions import role_required
from webapp.services.audit import record_change
from webapp.services.automation import FIRST_SERVICE_CALL, first_service_call_assignee
from webapp.services.settings import get_setting, set_setting


@bp.route("/automation", methods=["GET", "POST"])
@role_required("admin")
def automation():
    """Set whether, for whom and when the first-service-call task is created."""
    config = get_setting(FIRST_SERVICE_CALL)
    active_users = db.session.scalars(select(User).where(User.active).order_by(User.name)).all()
    chosen = db.session.get(User, config["assignee_id"]) if config.get("assignee_id") else None
    form = AutomationForm(
        data={
            "enabled": config.get("enabled", True),
            "assignee": str(chosen.id) if chosen is not None and chosen.active else "",
            "delay_days": config.get("delay_days", 30),
            "subject": config.get("subject") or _("First service call"),
        }
    )
    form.assignee.choices = choices(
        [
            ("", _("The first active user of the service department")),
            *((str(u.id), u.name) for u in active_users),
        ]
    )
    if form.validate_on_submit():
        new = {
            "enabled": bool(form.enabled.data),
            "assignee_id": int(form.assignee.data) if form.assignee.data else None,
            "delay_days": form.delay_days.data,
            "subject": form.subject.data.strip(),
        }
        old = {key: config.get(key) for key in new}
        for key, value in new.items():
            record_change(
                "setting", None, f"{FIRST_SERVICE_CALL}.{key}", old[key], value, current_user
            )
        set_setting(FIRST_SERVICE_CALL, new)
        db.session.commit()
        flash(_("Saved the automation."), "success")
        return hx_redirect(url_for("admin.automation"))
    return render(
        "admin/automation.html",
        form=form,
        default_assignee=first_service_call_assignee({}),
        inactive_choice=chosen if chosen is not None and not chosen.active else None,
        status=422 if form.errors else 200,
    )
