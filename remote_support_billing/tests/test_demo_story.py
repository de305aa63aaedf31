"""The demo story (`make demo`, the README's walk-through) loads on the addon as it is: each
deposit state, the booked session, the overdue invoices, and the client's own requests (a
dispute, a plan request waiting for an accountant, a promise). Loaded inside the test's
transaction, as tools/demo_story.py loads it."""

from odoo.tests import TransactionCase, tagged
from odoo.tools.convert import convert_file

ADDON = "remote_support_billing"


@tagged("post_install", "-at_install")
class TestDemoStory(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.env.ref(f"{ADDON}.demo_team_remote_support", raise_if_not_found=False):
            cls.skipTest(cls, "the demo story is loaded in this database already")
        convert_file(
            cls.env,
            ADDON,
            "demo/remote_support_billing_demo.xml",
            {},
            mode="init",
            noupdate=True,
            kind="demo",
        )

    def ref(self, xmlid):
        return self.env.ref(f"{ADDON}.{xmlid}")

    def test_each_deposit_state_and_the_booked_session(self):
        self.assertEqual(self.ref("demo_ticket_to_request").rsb_deposit_state, "to_request")
        requested = self.ref("demo_ticket_requested")
        self.assertEqual(requested.rsb_deposit_state, "requested")
        self.assertEqual(requested.rsb_deposit_move_id.state, "draft", "a request is a draft")
        paid = self.ref("demo_ticket_paid")
        self.assertEqual(paid.rsb_deposit_state, "paid")
        self.assertAlmostEqual(paid.rsb_deposit_held, 129.0)
        self.assertEqual(paid.rsb_deposit_move_id.payment_state, "paid")
        self.assertTrue(paid.rsb_session_event_id, "Priya's session is booked")
        self.assertEqual(self.ref("demo_ticket_trusted").rsb_deposit_state, "not_required")

    def test_overdue_invoices_and_the_clients_own_requests(self):
        summit = self.ref("demo_client_late")
        owed = summit._rsb_owed_summary(self.env.company)
        self.assertAlmostEqual(owed["amount_overdue"], 602.0, msg="the README's $602")
        dispute = self.env["rsb.invoice.dispute"].search(
            [("move_id", "=", self.ref("demo_invoice_new_disputed").id)]
        )
        self.assertEqual(dispute.state, "open")
        self.assertEqual(self.ref("demo_invoice_new_disputed").rsb_dunning_pause_reason, "dispute")
        plan = self.env["rsb.payment.plan"].search(
            [("partner_id", "=", self.ref("demo_client_new").id)]
        )
        self.assertEqual(plan.state, "draft", "beyond the self-service policy: waits")
        self.assertEqual(plan.invoice_ids, self.ref("demo_invoice_new_plan"))
        self.assertTrue(plan.activity_ids, "an accountant is asked to review it")
        promise = self.env["rsb.payment.promise"].search(
            [("partner_id", "=", self.ref("demo_client_trusted").id)]
        )
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.move_ids, self.ref("demo_invoice_trusted_due_soon"))
