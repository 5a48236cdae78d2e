"""Command-line tools: flask --app webapp <command>."""

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models.user import DEPARTMENTS, ROLES, User
from webapp.services.users import UserError, create_user


@click.command("create-user")
@click.option("--email", required=True, help="E-mail address the user signs in with.")
@click.option("--name", required=True, help="The user's full name.")
@click.option("--role", type=click.Choice(list(ROLES)), default="employee", show_default=True)
@click.option("--department", type=click.Choice(list(DEPARTMENTS)), default=None)
@click.option("--language", type=click.Choice(["en", "da"]), default=None)
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_user_command(email, name, role, department, language, password):
    """Create a user who can sign in."""
    try:
        user = create_user(
            email=email,
            name=name,
            role=role,
            password=password,
            department=department,
            language=language,
        )
    except UserError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} {user.name} <{user.email}>.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@with_appcontext
def seed_demo_command(if_empty):
    """Fill the database with demo users and a believable Danish company's CRM."""
    from webapp.demo import DEMO_PASSWORD, seed_demo

    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has users; demo data not added.")
        return
    from webapp.models.customer import Company

    companies_before = db.session.scalar(select(func.count()).select_from(Company))
    users = seed_demo()
    db.session.commit()
    added = db.session.scalar(select(func.count()).select_from(Company)) - companies_before
    if added:
        click.echo(f"Demo data created ({added} companies). Sign in as one of:")
    else:
        click.echo("The demo data was already there; nothing added. Sign in as one of:")
    for user in users:
        click.echo(f"  {user.email:32} {user.role:9} password: {DEMO_PASSWORD}")


@click.command("analyze-db")
@with_appcontext
def analyze_db_command():
    """Refresh the query planner's statistics (run after migrations and large imports)."""
    # SQLite keeps no statistics by itself; without them it picks poor plans for the
    # list pages once tables grow. PostgreSQL's autovacuum does this too, but later.
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    click.echo("Planner statistics refreshed.")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--kind",
    type=click.Choice(["companies", "contacts", "deals", "activities"]),
    required=True,
    help="What the rows are.",
)
@click.option("--mapping", "mapping_name", help="A mapping saved on the import pages, by name.")
@click.option("--dry-run", is_flag=True, help="Check every row and print the plan; write nothing.")
@click.option("--as", "as_email", help="The admin the import is logged as (default: the first).")
@click.option(
    "--skip-errors", is_flag=True, help="Import the good rows, leave out rows with errors."
)
@click.option(
    "--update/--no-update", default=None, help="Update records that match (default: update)."
)
@click.option("--create-options", is_flag=True, help="Create group options missing in Kanel.")
@click.option(
    "--orphan-company", help="Put rows that name no company on this company (created if needed)."
)
@with_appcontext
def import_command(
    file, kind, mapping_name, dry_run, as_email, skip_errors, update, create_options, orphan_company
):
    """Import companies, contacts, deals or activities from a CSV or XLSX file.

    The same code as the import pages: the columns are guessed from the headers (or taken from
    --mapping), every row is checked first, and the import is all or nothing. Exits 1 when
    rows have errors (nothing is written) unless --skip-errors; 2 when the file or the mapping
    cannot be used.
    """
    from pathlib import Path

    from flask import current_app

    from webapp.services import imports

    current_app.config["IMPORT_INLINE"] = True
    if as_email:
        user = db.session.scalar(select(User).where(User.email == as_email.strip().lower()))
        if user is None or not user.active:
            raise click.ClickException(f"No active user with the e-mail {as_email}.")
    else:
        user = db.session.scalar(
            select(User).where(User.role == "admin", User.active).order_by(User.id).limit(1)
        )
    saved = None
    if mapping_name:
        saved = imports.find_mapping(kind, mapping_name)
        if saved is None:
            names = ", ".join(m.name for m in imports.saved_mappings(kind)) or "none"
            raise click.ClickException(f"No saved {kind} mapping {mapping_name!r} ({names}).")
    path = Path(file)
    try:
        job = imports.create_job(kind, path.name, path.read_bytes(), user, mapping=saved)
    except imports.ImportFileError as error:
        click.echo(f"{path.name}: {error}", err=True)
        raise SystemExit(2) from error
    options = {"skip_errors": skip_errors, "create_options": create_options}
    if update is not None:
        options["update_existing"] = update
    if orphan_company:
        options["orphan_company"] = orphan_company
    imports.set_mapping(job, job.mapping["columns"], job.mapping["values"], options)
    db.session.commit()
    click.echo(f"Import #{job.id}: {path.name}, {job.row_count:,} rows of {kind}.")
    for header, target in job.mapping["columns"].items():
        click.echo(f"  {header:30} → {target or '(ignored)'}")
    problems = imports.mapping_problems(job)
    if problems:
        for problem in problems:
            click.echo(f"Mapping: {imports.message_text(problem)}", err=True)
        raise SystemExit(2)
    imports.start_plan(job)
    if job.state != "planned":
        click.echo(f"Checking failed: {imports.message_text(job.message)}", err=True)
        raise SystemExit(1)
    _print_counts(job.counts)
    errors = job.counts.get(next(iter(job.counts)), {}).get("error", 0)
    for row in imports.preview_rows(job, action="error", per_page=20).rows:
        reasons = "; ".join(
            imports.message_text(r) for r in row.reasons if r.get("level") == "error"
        )
        click.echo(f"  line {row.line}: {row.label or ''} — {reasons}")
    if errors and not skip_errors:
        click.echo(
            f"{errors:,} rows have errors; nothing was imported. Correct the file, or run again "
            "with --skip-errors to import the other rows.",
            err=True,
        )
        raise SystemExit(1)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    imports.start_apply(job, user)
    if job.state != "done":
        click.echo(
            f"Import failed, nothing was changed: {imports.message_text(job.message)}", err=True
        )
        raise SystemExit(1)
    done = job.counts.get("done", {})
    summary = ", ".join(
        f"{entity}: {v['created']:,} created, {v['updated']:,} updated"
        for entity, v in done.items()
        if isinstance(v, dict)
    )
    click.echo(f"Imported ({summary}). Revert on the import page while nobody has edited them.")


def _print_counts(counts: dict) -> None:
    for entity, figures in counts.items():
        if entity == "done" or not isinstance(figures, dict):
            continue
        text = ", ".join(f"{action} {n:,}" for action, n in figures.items())
        click.echo(f"Plan for {entity}: {text}")


def register(app):
    app.cli.add_command(analyze_db_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(import_command)
    app.cli.add_command(seed_demo_command)
