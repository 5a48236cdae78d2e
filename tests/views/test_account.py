"""A user's own password and language."""

from tests.factories import PASSWORD


def test_can_a_user_change_their_password(employee_client):
    response = employee_client.post(
        "/account",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "my new password",
            "pw-confirm": "my new password",
        },
    )
    assert response.status_code == 303
    assert employee_client.user.check_password("my new password")


def test_is_a_wrong_current_password_refused(employee_client):
    response = employee_client.post(
        "/account",
        data={
            "pw-current_password": "wrong",
            "pw-new_password": "my new password",
            "pw-confirm": "my new password",
        },
    )
    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)
    assert employee_client.user.check_password(PASSWORD)


def test_must_the_new_password_be_repeated(employee_client):
    response = employee_client.post(
        "/account",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "my new password",
            "pw-confirm": "something else",
        },
    )
    assert response.status_code == 422
    assert "The two passwords differ." in response.get_data(as_text=True)


def test_does_choosing_danish_translate_the_interface(employee_client):
    response = employee_client.post("/account", data={"lang-language": "da"})
    assert response.status_code == 303
    assert employee_client.user.language == "da"
    page = employee_client.get("/account").get_data(as_text=True)
    assert "Din konto" in page
    assert 'lang="da"' in page


def test_is_an_unknown_language_refused(employee_client):
    response = employee_client.post("/account", data={"lang-language": "xx"})
    assert response.status_code == 422
    assert employee_client.user.language is None
