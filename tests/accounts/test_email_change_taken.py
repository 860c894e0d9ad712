"""An address another account uses is never taken over, and asking says no more than sign-up would: the answer
is the same, and the address's owner gets a mail instead of a link."""
from __future__ import annotations

from accounts.mail import mail_drain
from accounts.models import EmailChange, User
from tests.accounts.test_email_change_confirm import CHANGE, confirm_token
from tests.conftest import PASSWORD, assert_error
from tests.mailserver import LINK, link_in, text_of


def test_a_taken_address_gets_a_notice_and_no_link_and_the_same_answer(alice, alice_api, bob, mailbox):
    free = alice_api.post(CHANGE, {"new_email": "free@example.com", "password": PASSWORD}, format="json")
    taken = alice_api.post(CHANGE, {"new_email": "Bob@Example.com", "password": PASSWORD}, format="json")

    assert (taken.status_code, free.status_code) == (202, 202)
    assert taken.json()["detail"] == free.json()["detail"].replace("free@", "bob@")
    mailbox.wait(2)
    mail_drain()  # every mail handed over has gone out: none more will come
    assert len(mailbox.messages) == 2
    [notice] = mailbox.to("bob@example.com")
    assert notice["Subject"] == "This address already has a Restyle account"
    assert not LINK.findall(text_of(notice))
    assert User.objects.get(pk=alice.pk).email == "alice@example.com"
    assert User.objects.get(pk=bob.pk).email == "bob@example.com"
    assert not EmailChange.objects.filter(new_email="bob@example.com").exists()


def test_an_address_taken_after_the_request_is_refused_at_confirmation(api, alice, alice_api, mailbox):
    assert alice_api.post(CHANGE, {"new_email": "race@example.com", "password": PASSWORD},
                          format="json").status_code == 202
    token = confirm_token(link_in(mailbox.wait(1)[0]))
    User.objects.create_user("race@example.com", PASSWORD)

    assert_error(api.post(f"{CHANGE}confirm/", {"token": token}, format="json"), 400, "email_taken", "token")
    assert User.objects.get(pk=alice.pk).email == "alice@example.com"
    mail_drain()
    assert len(mailbox.messages) == 1  # no notice: nothing changed
