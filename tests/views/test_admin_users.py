"""Administration of users."""

from sqlalchemy import select

from tests.factories import PASSWORD, make_user
from webapp.extensions import db
from webapp.models.user import User


def user_by_email(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_does_the_user_list_show_everyone(admin_client):
    make_user(name="Bo Jensen", email="bo@example.com", department="service")
    make_user(name="Gone Person", email="gone@example.com", active=False)
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Bo Jensen" in page
    assert "Service" in page
    assert "Gone Person" in page
    assert "Deactivated" in page


def test_does_the_user_list_answer_htmx_with_the_page(admin_client, hx):
    # The list has no partial of its own: an htmx request still gets a working page.
    response = admin_client.get("/admin/users", headers=hx)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]


def test_can_an_admin_create_a_user(admin_client, client):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "name": "Nina Poulsen",
            "email": "Nina@Example.com",
            "role": "manager",
            "department": "sales",
            "language": "da",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 303
    nina = user_by_email("nina@example.com")
    assert (nina.name, nina.role, nina.department, nina.language) == (
        "Nina Poulsen",
        "manager",
        "sales",
        "da",
    )
    signed_in = client.post(
        "/login", data={"email": "nina@example.com", "password": "a long enough password"}
    )
    assert signed_in.status_code == 303


def test_is_a_taken_email_refused_whatever_its_case(admin_client):
    make_user(email="taken@example.com")
    response = admin_client.post(
        "/admin/users/new",
        data={
            "name": "X",
            "email": "TAKEN@example.com",
            "role": "employee",
            "department": "",
            "language": "",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(User).where(User.email == "taken@example.com")).all()) == 1


def test_are_bad_fields_explained_beside_them(admin_client):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "name": "",
            "email": "not-an-email",
            "role": "employee",
            "department": "",
            "language": "",
            "password": "short",
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the person" in text
    assert "That is not a valid e-mail address." in text
    assert "Use at least 10 characters." in text
    assert user_by_email("not-an-email") is None


def test_is_an_unknown_role_refused(admin_client):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "name": "X",
            "email": "x@example.com",
            "role": "superuser",
            "department": "",
            "language": "",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 422
    assert user_by_email("x@example.com") is None


def test_can_an_admin_change_role_department_and_language(admin_client):
    user = make_user(email="bo@example.com", name="Bo")
    response = admin_client.post(
        f"/admin/users/{user.id}",
        data={"name": "Bo Jensen", "role": "manager", "department": "service", "language": "da"},
    )
    assert response.status_code == 303
    assert (user.name, user.role, user.department, user.language) == (
        "Bo Jensen",
        "manager",
        "service",
        "da",
    )


def test_can_an_admin_not_demote_themself(admin_client):
    me = admin_client.user
    response = admin_client.post(
        f"/admin/users/{me.id}",
        data={"name": me.name, "role": "employee", "department": "", "language": ""},
    )
    assert response.status_code == 422
    assert me.role == "admin"


def test_does_deactivating_stop_sign_in_and_keep_the_user(admin_client, client):
    user = make_user(email="bo@example.com")
    response = admin_client.post(f"/admin/users/{user.id}/active")
    assert response.status_code == 303
    assert user.active is False
    assert user_by_email("bo@example.com") is not None
    assert (
        client.post("/login", data={"email": "bo@example.com", "password": PASSWORD}).status_code
        == 422
    )
    admin_client.post(f"/admin/users/{user.id}/active")
    assert user.active is True


def test_is_a_deactivated_user_signed_out_at_once(admin_client, login_as):
    victim_client = login_as("employee", email="bo@example.com")
    assert victim_client.get("/").status_code == 200
    admin_client.post(f"/admin/users/{victim_client.user.id}/active")
    assert victim_client.get("/").status_code == 302


def test_can_an_admin_not_deactivate_themself(admin_client):
    admin_client.post(f"/admin/users/{admin_client.user.id}/active")
    assert admin_client.user.active is True


def test_can_an_admin_reset_a_password(admin_client, client):
    user = make_user(email="bo@example.com")
    response = admin_client.post(
        f"/admin/users/{user.id}/password", data={"password": "brand new password"}
    )
    assert response.status_code == 303
    assert user.check_password("brand new password")
    assert not user.check_password(PASSWORD)


def test_is_a_short_reset_password_refused(admin_client):
    user = make_user(email="bo@example.com")
    response = admin_client.post(f"/admin/users/{user.id}/password", data={"password": "short"})
    assert response.status_code == 422
    assert user.check_password(PASSWORD)


def test_is_a_missing_user_a_404(admin_client):
    response = admin_client.get("/admin/users/999999")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
