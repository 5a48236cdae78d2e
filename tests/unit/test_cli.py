"""The command line."""

from sqlalchemy import select

from webapp.extensions import db
from webapp.models.user import User


def test_does_create_user_make_a_user_who_can_sign_in(app):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "Ops@Example.com",
            "--name",
            "Ops Person",
            "--role",
            "admin",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ops@example.com"))
    assert user.role == "admin"
    assert user.check_password("a long enough password")


def test_does_create_user_refuse_a_taken_email(app):
    runner = app.test_cli_runner()
    args = ["create-user", "--email", "x@example.com", "--name", "X", "--password", "pw-123456789"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_does_create_user_prompt_for_the_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "p@example.com", "--name", "P"],
        input="typed password\ntyped password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "p@example.com"))
    assert user.check_password("typed password")


def test_does_analyze_db_give_sqlite_statistics(app):
    result = app.test_cli_runner().invoke(args=["analyze-db"])
    assert result.exit_code == 0, result.output
    assert "statistics refreshed" in result.output
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            tables = connection.exec_driver_sql("SELECT count(*) FROM sqlite_stat1").scalar()
            assert tables > 0
