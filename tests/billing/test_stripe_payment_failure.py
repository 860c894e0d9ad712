"""A declined renewal mails the person and keeps the plan while Stripe retries; when the retries end (Stripe marks
the subscription unpaid) the account is back on free at once."""
from __future__ import annotations

from accounts.mail import mail_drain
from billing.models import StripeCustomer, Subscription
from billing.selectors import plan_for_user
from tests.billing.stripe_support import deliver, events, subscribe
from tests.mailserver import link_in, text_of


def test_it_mails_on_a_failed_payment_and_goes_free_when_retries_end(payments, alice, client, mailbox,
                                                                    django_capture_on_commit_callbacks):
    subscription = subscribe(payments, alice)
    deliver(client, events(payments, "checkout.session.completed")[0])
    assert plan_for_user(user=alice).code == "premium"

    payments.call("POST", f"/_config/subscriptions/{subscription['id']}/renewal_fails")
    [failed] = events(payments, "invoice.payment_failed")
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes once the event is recorded
        answer = deliver(client, failed)
    assert answer.status_code == 200 and answer.json()["outcome"].endswith("payment failure mailed")
    [mail] = mailbox.wait(1)
    assert mail["To"] == alice.email and mail["Subject"] == "Your Restyle payment did not go through"
    assert "Stripe tries again on" in text_of(mail)
    assert link_in(mail) == "http://testserver/billing/portal/"
    assert plan_for_user(user=alice).code == "premium"  # past_due: Stripe is still retrying
    assert StripeCustomer.objects.get(user=alice).subscription_status == "past_due"
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, failed).json()["outcome"] == "duplicate"  # and no second mail

    payments.call("POST", f"/_config/subscriptions/{subscription['id']}/dunning_exhausted")
    unpaid = events(payments, "customer.subscription.updated")[-1]
    assert unpaid["data"]["object"]["status"] == "unpaid"
    deliver(client, unpaid)
    assert plan_for_user(user=alice).code == "free"
    latest = Subscription.objects.filter(user=alice).first()
    assert latest.plan.code == "free" and latest.stripe_subscription_id == "" and "unpaid" in latest.note
    mail_drain()
    assert len(mailbox.messages) == 1
