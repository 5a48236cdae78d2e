"""Demo data: the people and customers of a believable Danish software company."""

from webapp.services.users import create_user, find_user_by_email

DEMO_PASSWORD = "kanel-demo"  # noqa: S105 - printed to the user on purpose; demo databases only

DEMO_USERS = [
    ("admin@kanel.example", "Anna Admin", "admin", "management", "en"),
    ("mette@kanel.example", "Mette Holm", "manager", "management", "da"),
    ("soeren@kanel.example", "Søren Krogh", "employee", "sales", "da"),
    ("line@kanel.example", "Line Dahl", "employee", "sales", "da"),
    ("jonas@kanel.example", "Jonas Berg", "employee", "service", "da"),
    ("ida@kanel.example", "Ida Lund", "employee", "consulting", "en"),
    ("emil@kanel.example", "Emil Vestergaard", "employee", "development", "da"),
    ("freja@kanel.example", "Freja Nørgaard", "employee", "marketing", "da"),
]


def seed_demo():
    """Create the demo users (those that are missing) and return them all."""
    users = []
    for email, name, role, department, language in DEMO_USERS:
        user = find_user_by_email(email) or create_user(
            email=email,
            name=name,
            role=role,
            password=DEMO_PASSWORD,
            department=department,
            language=language,
        )
        users.append(user)
    return users
