"""Home: "My day" — what the signed-in user should do today."""

from flask import current_app, send_from_directory
from flask_login import current_user

from webapp.blueprints.home import bp, queries
from webapp.htmx import render, wants_fragment
from webapp.permissions import role_required
from webapp.services.activities import local_today


def my_tasks_context(just_done=None) -> dict:
    today = local_today()
    tasks = queries.due_tasks_for(current_user, today)
    return {
        "overdue": [t for t in tasks if t.due_date < today],
        "due_today": [t for t in tasks if t.due_date == today],
        "just_done": just_done,
        "local_today": today,
    }


def render_my_tasks(just_done=None):
    """The "my tasks" section alone (after ticking one off), or the whole page."""
    context = my_tasks_context(just_done) if wants_fragment() else my_day_context(just_done)
    return render("home/index.html", block="my_tasks", **context)


def my_day_context(just_done=None) -> dict:
    debt = queries.minutes_debt_for(current_user)
    return {
        **my_tasks_context(just_done),
        "minutes_debt": debt,
        "debt_count": len(debt)
        if len(debt) < queries.LIST_LIMIT
        else queries.minutes_debt_count(current_user),
        "changed_cards": queries.changed_cards_for(current_user),
    }


@bp.get("/")
@role_required("employee")
def index():
    """Show My day: due tasks, minutes to write, and cards others changed."""
    return render("home/index.html", **my_day_context())


@bp.get("/my-tasks")
@role_required("employee")
def my_tasks():
    """Show my overdue and due-today tasks."""
    return render_my_tasks()


@bp.get("/favicon.ico")
def favicon():
    """Serve the icon browsers ask for without reading the page's <link rel=icon>."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")
