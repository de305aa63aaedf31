"""Issue 25 item 2: a client promises a date to pay (portal, untrusted input); dunning pauses
those invoices until then; the daily check closes a kept promise and resumes dunning on a
broken one (note, activity for the accountant); repeated broken promises revoke trust."""

import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestPaymentPromise(RSBDunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.levels.write({"send_letter": False, "attach_invoices": False})
        today = fields.Date.today()
        cls.today = today
        cls.late = cls._create_invoice(cls.client_a, 200.0, today - timedelta(days=10))
        cls.later = cls._create_invoice(cls.client_a, 50.0, today - timedelta(days=3))
        cls.foreign = cls._create_invoice(cls.client_b, 80.0, today - timedelta(days=10))
        cls.Promise = cls.env["rsb.payment.promise"]

    def _post(self, **data):
        self.authenticate(self.portal_a.login, self.portal_a.login)
        page = self.url_open("/my/promise")
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open("/my/promise", data={"csrf_token": csrf, **data})
        self.env.invalidate_all()
        return response

    def test_portal_promise_of_the_overdue_balance_pauses_dunning(self):
        by = self.today + timedelta(days=7)
        response = self._post(what="overdue", date=by.isoformat(), note="Payday on Friday")
        self.assertEqual(response.status_code, 200)
        self.assertIn("we noted your promise", response.text)
        promise = self.Promise.search([("partner_id", "=", self.client_a.id)])
        self.assertRecordValues(
            promise,
            [{"state": "open", "date_promised": by, "amount": 250.0, "source": "portal"}],
        )
        self.assertEqual(promise.move_ids, self.late | self.later)
        self.assertEqual(
            set((self.late | self.later).mapped("rsb_dunning_pause_reason")), {"promise"}
        )
        run = self._run(run_date=self.today, execute=False)
        self.assertFalse(
            run.line_ids.filtered(lambda ln: ln.partner_id == self.client_a).move_ids,
            "no reminder for promised invoices",
        )

    def test_late_first_instalment_counts_as_overdue(self):
        """An invoice in two instalments whose first is late (its last due date still ahead)
        is part of "the overdue balance" the client promises, as dunning sees it."""
        term = self.env["account.payment.term"].create(
            {
                "name": "Half now, half in 30 days",
                "line_ids": [
                    fields.Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 0}),
                    fields.Command.create(
                        {"value": "percent", "value_amount": 50.0, "nb_days": 30}
                    ),
                ],
            }
        )
        split = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "journal_id": self.sale_journal.id,
                "invoice_date": self.today - timedelta(days=10),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    fields.Command.create(
                        {"product_id": self.product_hour.id, "price_unit": 120.0, "tax_ids": []}
                    )
                ],
            }
        )
        split.action_post()
        self.assertGreater(split.invoice_date_due, self.today, "its last instalment is ahead")
        by = self.today + timedelta(days=7)
        self._post(what="overdue", date=by.isoformat())
        promise = self.Promise.search([("partner_id", "=", self.client_a.id)])
        self.assertEqual(promise.move_ids, self.late | self.later | split)

    def test_bad_input_is_refused_and_records_nothing(self):
        too_far = self.today + timedelta(days=self.company.rsb_promise_max_days + 1)
        cases = [
            (
                {"what": "overdue", "date": (self.today - timedelta(days=1)).isoformat()},
                "Choose a date",
            ),
            ({"what": "overdue", "date": too_far.isoformat()}, "Choose a date"),
            (
                {"what": str(self.foreign.id), "date": self.today.isoformat()},
                "not your open invoices",
            ),
            ({"what": "999999999", "date": self.today.isoformat()}, "Choose the invoice"),
            ({"what": "abc", "date": self.today.isoformat()}, "must be"),
            ({"what": "overdue", "date": "not-a-date"}, "must be a date"),
            ({"what": "overdue"}, "The date"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                response = self._post(**data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
                self.assertNotIn("Traceback", response.text)
        self.assertFalse(self.Promise.search([]))
        self.assertFalse(self.late.rsb_dunning_pause_reason)

    def test_invoice_promised_twice_is_refused(self):
        self.Promise._rsb_promise(self.client_a, self.late, self.today + timedelta(days=3))
        with self.assertRaisesRegex(UserError, "already promised"):
            self.Promise._rsb_promise(self.client_a, self.late, self.today + timedelta(days=5))

    def test_kept_promise_is_closed(self):
        promise = self.Promise._rsb_promise(
            self.client_a, self.late, self.today + timedelta(days=3)
        )
        self._pay_invoice(self.late)
        self.Promise._cron_rsb_check_promises()
        self.assertEqual(promise.state, "kept")
        self.assertFalse(self.late.rsb_dunning_pause_reason)

    def test_broken_promise_resumes_dunning_and_tells_the_accountant(self):
        promise = self.Promise._rsb_promise(
            self.client_a, self.late, self.today + timedelta(days=3)
        )
        self.Promise._cron_rsb_check_promises(today=self.today + timedelta(days=4))
        self.assertEqual(promise.state, "broken")
        self.assertFalse(self.late.rsb_dunning_pause_reason, "dunning resumes")
        activity = self.client_a.activity_ids.filtered(
            lambda a: a.summary == "Promise to pay broken"
        )
        self.assertTrue(activity.user_id.has_group("account.group_account_invoice"))
        run = self._run(run_date=self.today, execute=False)
        self.assertIn(self.late, run.line_ids.move_ids)

    def test_repeated_broken_promises_revoke_trust(self):
        self.client_a.with_company(self.company).sudo().rsb_trusted = True
        self.company.rsb_promise_broken_limit = 2
        for invoice in (self.late, self.later):
            self.Promise._rsb_promise(self.client_a, invoice, self.today + timedelta(days=1))
            self.Promise._cron_rsb_check_promises(today=self.today + timedelta(days=2))
        self.assertFalse(self.client_a.with_company(self.company).rsb_trusted)

    def test_accountant_withdraws_and_sees_the_history(self):
        promise = self.Promise._rsb_promise(
            self.client_a, self.late, self.today + timedelta(days=3)
        )
        history = self.Promise.with_user(self.accountant).search(
            [("partner_id", "=", self.client_a.id)]
        )
        self.assertEqual(history, promise)
        promise.with_user(self.accountant).action_cancel()
        self.assertEqual(promise.state, "cancel")
        self.assertFalse(self.late.rsb_dunning_pause_reason)


@tagged("post_install", "-at_install")
class TestPromiseFromTheEmailedLink(RSBDunningCommon, HttpCase):
    """The reminder email's link opens the invoice page (its access token): there the client
    promises a date for that invoice, logged in or not; another client's token, a forged id
    or a bad date record nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.today = today
        cls.late = cls._create_invoice(cls.client_a, 200.0, today - timedelta(days=10))
        cls.foreign = cls._create_invoice(cls.client_b, 80.0, today - timedelta(days=10))
        cls.Promise = cls.env["rsb.payment.promise"]

    def _page(self, move, token):
        return self.url_open(f"/my/invoices/{move.id}/promise?access_token={token}")

    def _post(self, move, token, **data):
        page = self._page(move, token)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/my/invoices/{move.id}/promise",
            data={"csrf_token": csrf, "access_token": token, **data},
        )
        self.env.invalidate_all()
        return response

    def test_visitor_with_the_emailed_link_promises_a_date(self):
        token = self.late._portal_ensure_token()
        invoice_page = self.url_open(f"/my/invoices/{self.late.id}?access_token={token}")
        self.assertIn('id="rsb_promise_link"', invoice_page.text, "offered on the invoice page")
        by = self.today + timedelta(days=5)
        response = self._post(self.late, token, date=by.isoformat(), note="Friday")
        self.assertEqual(response.status_code, 200)
        self.assertIn("we noted your promise", response.text)
        promise = self.Promise.search([("partner_id", "=", self.client_a.id)])
        self.assertRecordValues(
            promise, [{"state": "open", "date_promised": by, "source": "portal", "note": "Friday"}]
        )
        self.assertEqual(promise.move_ids, self.late)
        self.assertEqual(self.late.rsb_dunning_pause_reason, "promise")
        again = self._page(self.late, token)
        self.assertIn("o_rsb_promise_existing", again.text, "the page says it is promised")
        self.assertNotIn("rsb_promise_invoice_form", again.text)

    def test_wrong_token_forged_id_and_bad_dates_record_nothing(self):
        token = self.late._portal_ensure_token()
        foreign_token = self.foreign._portal_ensure_token()
        for move, tok in ((self.late, "wrong"), (self.late, foreign_token), (self.late, "")):
            with self.subTest(token=tok):
                page = self._page(move, tok)
                self.assertEqual(page.status_code, 403)
                self.assertNotIn("Traceback", page.text)
        self.assertEqual(self.url_open("/my/invoices/abc/promise").status_code, 404)
        too_far = self.today + timedelta(days=self.company.rsb_promise_max_days + 1)
        for date, message in (
            ((self.today - timedelta(days=1)).isoformat(), "Choose a date"),
            (too_far.isoformat(), "Choose a date"),
            ("31/12/2026", "must be a date"),
            ("", "The date"),
        ):
            with self.subTest(date=date):
                response = self._post(self.late, token, date=date)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
                self.assertNotIn("Traceback", response.text)
        # a POST of another client's invoice with this invoice's token
        page = self._page(self.late, token)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/my/invoices/{self.foreign.id}/promise",
            data={"csrf_token": csrf, "access_token": token, "date": self.today.isoformat()},
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.Promise.search([]))
        self.assertFalse(self.late.rsb_dunning_pause_reason)
