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


def register(app):
    app.cli.add_command(analyze_db_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
