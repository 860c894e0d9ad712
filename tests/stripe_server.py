"""localstripe (a stateful fake Stripe server) on loopback for the tests, plus the few pieces of Stripe it lacks.

`python -m tests.stripe_server --port N` serves localstripe's API (customers, plans, subscriptions, invoices,
payment methods, events...) and, added here at the test-harness edge because localstripe 1.15 has none of them:

- `POST/GET /v1/checkout/sessions[/{id}]` and a hosted page `/pay/{id}` that "pays" with a test card: it attaches
  the card, creates the subscription *in localstripe* (which invoices and charges it), completes the session and
  emits `checkout.session.completed`, then redirects to the success URL;
- `POST /v1/billing_portal/sessions` and a hosted page `/portal/{id}` that cancels at period end or at once
  (localstripe's own update and delete), emitting the events Stripe would;
- `POST /_config/subscriptions/{id}/renewal_fails` and `.../dunning_exhausted`: a monthly renewal declined
  (`past_due`, `invoice.payment_failed`) and Stripe's retries ending (`unpaid`), since localstripe renews nothing
  by itself and has no retry schedule or test clock;
- `DELETE /_config/webhooks/{id}`, to stop delivering to a server that is going away;
- subscription items carry `price` and `current_period_*` as in Stripe's current API (localstripe has `plan`).

localstripe's store is kept in memory only (it would otherwise write /tmp/localstripe.pickle, shared by every
run on the machine). `StripeServer` starts it in a subprocess, like the Postgres and Redis of tests/servers.py.
"""
from __future__ import annotations

import argparse
import html
import json
import sys
import urllib.request
from urllib.parse import urlencode

from tests.servers import Process, free_port


class StripeServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = Process([sys.executable, "-m", "tests.stripe_server", "--port", str(self.port)],
                               name="localstripe")

    def start(self) -> StripeServer:
        self.process.start().wait_for_port(self.port)
        return self

    def stop(self) -> None:
        self.process.stop()

    def call(self, method: str, path: str, data: dict | None = None) -> dict:
        """A raw call to the server (the tests' own setup: plans, failing invoices, test controls)."""
        body = urlencode(_flatten(data or {})).encode() if data is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=body, method=method,
                                         headers={"Authorization": "Bearer sk_test_restyle"})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else {}

    def flush(self) -> None:
        self.call("DELETE", "/_config/data")


def _flatten(data: dict, prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: items[0][plan]=x, metadata[k]=v."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict):
            pairs += _flatten(value, name)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                pairs += _flatten(item, f"{name}[{index}]") if isinstance(item, dict) else [(f"{name}[{index}]", item)]
        else:
            pairs.append((name, str(value).lower() if isinstance(value, bool) else str(value)))
    return pairs


# --- The server process -----------------------------------------------------------------------------------------


def _app():
    from aiohttp import web
    from localstripe import resources, server
    from localstripe.errors import UserError
    from localstripe.resources import Customer, Event, PaymentMethod, StripeObject, Subscription
    from localstripe.webhooks import _webhooks, schedule_webhook

    resources.Store.dump_to_disk = lambda self: None  # memory only: no file shared with other runs
    resources.SubscriptionItem.price = property(lambda item: item.plan)
    resources.SubscriptionItem.current_period_start = property(lambda item: item._current_period()["start"])
    resources.SubscriptionItem.current_period_end = property(lambda item: item._current_period()["end"])

    class CheckoutSession(StripeObject):
        object = "checkout.session"
        _id_prefix = "cs_test_"

    class PortalSession(StripeObject):
        object = "billing_portal.session"
        _id_prefix = "bps_"

    def page_url(request, path: str) -> str:
        return f"{request.scheme}://{request.host}{path}"

    async def checkout_create(request):
        data = await server.get_post_data(request)
        items = data.get("line_items") or []
        if data.get("mode") != "subscription" or len(items) != 1 or not data.get("success_url"):
            raise UserError(400, "Bad request")
        Customer._api_retrieve(data["customer"])
        resources.Plan._api_retrieve(items[0]["price"])  # 404 for an unknown price, as Stripe
        session = CheckoutSession()
        session.mode, session.customer, session.status, session.payment_status = (
            "subscription", data["customer"], "open", "unpaid")
        session.line_items_price = items[0]["price"]
        session.client_reference_id = data.get("client_reference_id")
        session.metadata = data.get("metadata") or {}
        session.subscription_metadata = (data.get("subscription_data") or {}).get("metadata") or {}
        session.success_url, session.cancel_url = data["success_url"], data.get("cancel_url")
        session.subscription = None
        session.url = page_url(request, f"/pay/{session.id}")
        return server.json_response(session._export())

    def checkout_get(request):
        return server.json_response(CheckoutSession._api_retrieve(request.match_info["id"])._export())

    def pay_page(request):
        session = CheckoutSession._api_retrieve(request.match_info["id"])
        plan = resources.Plan._api_retrieve(session.line_items_price)
        price = f"{plan.amount / 100:.2f} {plan.currency.upper()} a {plan.interval}"
        return _html(f"""<h1>Pay Restyle (test mode)</h1>
            <p>{html.escape(plan.nickname or plan.id)}: {price}</p>
            <form method="post"><label>Card number <input name="card" value="4242424242424242"></label>
            <button type="submit">Subscribe</button></form>
            <p><a href="{html.escape(session.cancel_url or '/')}">Back</a></p>""")

    async def pay(request):
        session = CheckoutSession._api_retrieve(request.match_info["id"])
        form = await request.post()
        if session.status != "complete":
            card = PaymentMethod(type="card", card={"number": form.get("card", "4242424242424242"),
                                                    "exp_month": "12", "exp_year": "2034", "cvc": "123"})
            PaymentMethod._api_attach(card.id, customer=session.customer)
            Customer._api_retrieve(session.customer).invoice_settings["default_payment_method"] = card.id
            subscription = Subscription(customer=session.customer, items=[{"plan": session.line_items_price}],
                                        metadata=session.subscription_metadata)
            if subscription.status != "active":
                return _html("<h1>Your card was declined.</h1>", status=402)
            session.status, session.payment_status, session.subscription = "complete", "paid", subscription.id
            schedule_webhook(Event("checkout.session.completed", session))
        raise web.HTTPSeeOther(session.success_url.replace("{CHECKOUT_SESSION_ID}", session.id))

    async def portal_create(request):
        data = await server.get_post_data(request)
        Customer._api_retrieve(data.get("customer", ""))
        session = PortalSession()
        session.customer, session.return_url = data["customer"], data.get("return_url")
        session.url = page_url(request, f"/portal/{session.id}")
        return server.json_response(session._export())

    def portal_page(request):
        session = PortalSession._api_retrieve(request.match_info["id"])
        rows = "".join(
            f"""<li>{html.escape(sub.plan.id)}: {sub.status}{' (cancels at period end)' if sub.cancel_at_period_end
            else ''} <form method="post" action="/portal/{session.id}/cancel"><input type="hidden" name="subscription"
            value="{sub.id}"><button name="when" value="period_end">Cancel at period end</button>
            <button name="when" value="now">Cancel now</button></form></li>"""
            for sub in Subscription._api_list_all(None, customer=session.customer)._list)
        return _html(f"""<h1>Your subscriptions (test mode)</h1><ul>{rows}</ul>
            <p><a href="{html.escape(session.return_url or '/')}">Return to Restyle</a></p>""")

    async def portal_cancel(request):
        session = PortalSession._api_retrieve(request.match_info["id"])
        form = await request.post()
        subscription = Subscription._api_retrieve(form["subscription"])
        if subscription.customer != session.customer:
            raise UserError(404, "Not Found")
        if form.get("when") == "now":
            Subscription._api_delete(subscription.id)  # emits customer.subscription.deleted
        else:
            subscription.cancel_at_period_end = True
            schedule_webhook(Event("customer.subscription.updated", subscription))
        raise web.HTTPSeeOther(f"/portal/{session.id}")

    def renewal_fails(request):
        """A renewal whose charge the bank declines: an open invoice for the subscription, the subscription past_due
        while Stripe retries, and the two events Stripe sends. (localstripe declines test cards when a payment is
        made, but never renews a subscription by itself.)"""
        subscription = Subscription._api_retrieve(request.match_info["id"])
        invoice = resources.Invoice._api_create(customer=subscription.customer, subscription=subscription.id)
        invoice._finalize()
        subscription.status = "past_due"
        schedule_webhook(Event("invoice.payment_failed", invoice))
        schedule_webhook(Event("customer.subscription.updated", subscription))
        return server.json_response(invoice._export())

    def dunning_exhausted(request):
        subscription = Subscription._api_retrieve(request.match_info["id"])
        subscription.status = "unpaid"
        schedule_webhook(Event("customer.subscription.updated", subscription))
        return server.json_response(subscription._export())

    def webhook_remove(request):
        _webhooks.pop(request.match_info["id"], None)
        return web.Response()

    @web.middleware
    async def pages_skip_auth(request, handler):
        """The hosted pages are opened by a browser, which has no secret key; the API keeps localstripe's check."""
        if request.path.startswith(("/pay/", "/portal/")):
            return await handler(request)
        return await server.auth_middleware(request, handler)

    app = web.Application(middlewares=[server.error_middleware, pages_skip_auth])
    app.router.add_post("/v1/checkout/sessions", checkout_create)
    app.router.add_get("/v1/checkout/sessions/{id}", checkout_get)
    app.router.add_post("/v1/billing_portal/sessions", portal_create)
    app.router.add_get("/pay/{id}", pay_page)
    app.router.add_post("/pay/{id}", pay)
    app.router.add_get("/portal/{id}", portal_page)
    app.router.add_post("/portal/{id}/cancel", portal_cancel)
    app.router.add_post("/_config/subscriptions/{id}/renewal_fails", renewal_fails)
    app.router.add_post("/_config/subscriptions/{id}/dunning_exhausted", dunning_exhausted)
    app.router.add_delete("/_config/webhooks/{id}", webhook_remove)
    for route in server.app.router.routes():  # everything localstripe itself serves
        app.router.add_route(route.method, route.resource.canonical, route.handler)
    return app


def _html(body: str, status: int = 200):
    from aiohttp import web

    return web.Response(text=f"<!doctype html><title>Stripe (localstripe)</title>{body}", status=status,
                        content_type="text/html")


def main() -> None:
    from aiohttp import web

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    web.run_app(_app(), host="127.0.0.1", port=parser.parse_args().port, print=None, access_log=None)


if __name__ == "__main__":
    main()
