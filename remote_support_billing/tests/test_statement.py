"""The client's statement of account: opening balance, activity, closing balance, what is owed
(the one definition), deposits held, aging; from the client form and the portal."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import RSBCommon
from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestStatement(RSBCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.old = cls._invoice(cls.client_a, 100.0, today - timedelta(days=200))
        cls.overdue = cls._invoice(cls.client_a, 172.0, today - timedelta(days=40))
        cls.ticket = cls._create_ticket(cls.contact_a, name="Printer offline")
        cls.ticket.action_rsb_request_deposit()  # $129 requested, not paid: not a debt

    @classmethod
    def _invoice(cls, partner, amount, date):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date,
                "date": date,
                "invoice_payment_term_id": cls.env.ref("account.account_payment_term_immediate").id,
                "invoice_line_ids": [
                    fields.Command.create({"name": "Support", "quantity": 1, "price_unit": amount})
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _data(self, days=90):
        today = fields.Date.today()
        return self.client_a._rsb_statement_data(
            self.company, today - timedelta(days=days - 1), today
        )

    def test_balances_and_owed(self):
        self._pay_invoice(self.old)
        data = self._data()
        self.assertAlmostEqual(data["opening"], 100.0, msg="the old invoice is before the period")
        kinds = [row["kind"] for row in data["rows"]]
        self.assertIn("Invoice", kinds)
        self.assertNotIn("Deposit request", kinds, "a request is not booked: not on the ledger")
        self.assertIn("Payment", kinds)
        self.assertAlmostEqual(data["closing"], 172.0)
        self.assertAlmostEqual(data["position"]["open"], 172.0)
        self.assertAlmostEqual(data["position"]["overdue"], 172.0)
        self.assertAlmostEqual(
            data["unpaid_requests"], 129.0, "the open request is shown as asked, not owed"
        )
        aging = dict(data["aging"])
        self.assertAlmostEqual(aging["31-60 days"], 172.0)
        self.assertAlmostEqual(sum(aging.values()), data["position"]["open"])

    def test_credit_is_netted_once_not_added_again(self):
        credit = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.client_a.id,
                "invoice_line_ids": [
                    fields.Command.create({"name": "Goodwill", "quantity": 1, "price_unit": 50.0})
                ],
            }
        )
        credit.action_post()
        data = self._data()
        self.assertAlmostEqual(data["position"]["open"], 222.0, msg="$272 owed less the $50")
        self.assertAlmostEqual(data["credit_left"], 0.0, "all of it went to what is owed")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("remote_support_billing.report_rsb_statement", self.client_a.ids)[0]
            .decode()
        )
        self.assertNotIn("rsb_statement_credit_left", html)
        self._pay_invoice(self.old)
        self._pay_invoice(self.overdue)
        self.assertAlmostEqual(self._data()["credit_left"], 50.0, msg="nothing owed: all left")

    def test_opening_balance_before_the_period(self):
        data = self._data(days=30)
        self.assertAlmostEqual(data["opening"], 272.0, msg="both invoices are before the period")
        self.assertAlmostEqual(data["closing"], 272.0)
        self.assertEqual(
            [row["kind"] for row in data["rows"]], [], "the open request books nothing"
        )

    def test_deposit_held_is_listed(self):
        self._pay_invoice(self.ticket.rsb_deposit_move_id)
        data = self._data()
        self.assertAlmostEqual(data["held_total"], 129.0)
        self.assertEqual(data["held"].ticket_id, self.ticket)
        self.assertAlmostEqual(data["unpaid_requests"], 0.0)

    def test_report_renders_for_the_accountant(self):
        action = self.client_a.with_user(self.accountant).action_rsb_print_statement()
        self.assertEqual(action["report_name"], "remote_support_billing.report_rsb_statement")
        html = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            ._render_qweb_html("remote_support_billing.report_rsb_statement", self.contact_a.ids)[0]
            .decode()
        )
        self.assertIn("Statement of Account", html)
        self.assertIn("rsb_statement_closing", html)

    def test_bad_period_is_refused(self):
        today = fields.Date.today()
        with self.assertRaisesRegex(UserError, "start date"):
            self.env["report.remote_support_billing.report_rsb_statement"]._get_report_values(
                self.client_a.ids, {"date_from": today, "date_to": today - timedelta(days=1)}
            )

    def test_technician_cannot_print_from_the_backend(self):
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.technician)._render_qweb_html(
                "remote_support_billing.rsb_partner_statement_report", self.client_a.ids
            )

    def test_portal_client_downloads_only_their_own(self):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open("/my/account-summary")
        self.assertIn('id="rsb_statement_download"', page.text)
        response = self.url_open("/my/account-summary/statement")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        # (in test mode Odoo renders reports as HTML instead of calling wkhtmltopdf)
        self.assertIn(b"Statement of Account", response.content)
        self.assertIn(b"Greenleaf", response.content)
        self.assertIn("Greenleaf", response.headers["Content-Disposition"])
        # the route takes no client: a parameter cannot show another's statement
        other = self.url_open(f"/my/account-summary/statement?partner_id={self.client_b.id}")
        self.assertNotIn(b"Harbor", other.content)

    # ------------------------------------------------------------------ as of its end date
    def _pay_on(self, invoice, day):
        if invoice.state == "draft" and invoice.rsb_deposit_ticket_id:
            return invoice.rsb_deposit_ticket_id._rsb_register_deposit_payment(
                self.bank_journal, date=day
            )
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": self.bank_journal.id, "payment_date": day})
        )
        return wizard._create_payments()

    def test_past_statement_is_as_the_books_stood_at_its_end(self):
        """A statement of a past period printed later: what was open and overdue at its end
        date, not what is open today (the invoice was paid after the period)."""
        today = fields.Date.today()
        self._pay_on(self.overdue, today - timedelta(days=5))
        end = today - timedelta(days=10)
        past = self.client_a._rsb_statement_data(self.company, end - timedelta(days=89), end)
        self.assertAlmostEqual(past["position"]["open"], 272.0, msg="both invoices open then")
        self.assertAlmostEqual(past["position"]["overdue"], 272.0)
        self.assertAlmostEqual(sum(dict(past["aging"]).values()), 272.0)
        self.assertAlmostEqual(dict(past["aging"])["Over 90 days"], 100.0)
        self.assertAlmostEqual(past["closing"], 272.0, msg="the ledger at its end (no request yet)")
        now = self._data()
        self.assertAlmostEqual(now["position"]["open"], 100.0, msg="today: paid since")
        self.assertAlmostEqual(sum(dict(now["aging"]).values()), 100.0)

    def test_same_day_invoice_listed_before_its_payment(self):
        day = fields.Date.today() - timedelta(days=3)
        invoice = self._invoice(self.client_a, 50.0, day)
        payment = self._pay_on(invoice, day)
        rows = [r for r in self._data()["rows"] if r["date"] == day]
        self.assertEqual(
            [r["name"] for r in rows], [invoice.name, payment.move_id.name], "invoice first"
        )
        self.assertGreaterEqual(rows[0]["balance"], rows[1]["balance"])


@tagged("post_install", "-at_install")
class TestStatementDunning(RSBDunningCommon):
    def test_statement_attached_to_dunning_email(self):
        report = self.env.ref("remote_support_billing.rsb_partner_statement_dunning_report")
        self.levels.mail_template_id.write(
            {"report_template_ids": [fields.Command.link(report.id)]}
        )
        self._create_invoice(self.client_a, 200.0, self.TODAY + timedelta(days=3))
        self._run()
        mail = self._partner_mails(self.client_a)
        self.assertEqual(len(mail), 1)
        statement = mail.attachment_ids.filtered(lambda a: a.name.startswith("Statement"))
        self.assertEqual(len(statement), 1)
        self.assertIn("Greenleaf", statement.name)
        self.assertIn(b"Statement of Account", statement.raw)
