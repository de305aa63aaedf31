from datetime import timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.sms.tests.common import SMSCase

from .dunning_common import RSBDunningCommon


@tagged("post_install", "-at_install")
class TestDunningRun(RSBDunningCommon, SMSCase):
    def test_before_due_friendly_reminder(self):
        invoice = self._create_invoice(self.client_a, 200.0, self.TODAY + timedelta(days=3))
        not_yet = self._create_invoice(self.client_b, 100.0, self.TODAY + timedelta(days=4))
        run = self._run()
        line = self._line(run, self.client_a)
        self.assertEqual(line.level_id, self.level_by_days[-3])
        self.assertEqual(line.state, "done")
        self.assertFalse(self._line(run, self.client_b), "4 days before due: nothing yet")
        self.assertEqual(invoice.rsb_dunning_level_id, self.level_by_days[-3])
        self.assertEqual(invoice.rsb_dunning_date, self.TODAY)
        self.assertFalse(not_yet.rsb_dunning_level_id)
        mail = self._partner_mails(self.client_a)
        self.assertEqual(len(mail), 1)
        self.assertIn(invoice.name, mail.body_html)
        self.assertIn(invoice.get_portal_url(), mail.body_html, "a pay link per invoice")
        self.assertEqual(mail.state, "outgoing", "queued, not sent")
        self.assertFalse(self.client_a.rsb_credit_hold)

    def test_deposit_requests_are_not_dunned(self):
        """An unpaid deposit request is no debt (no work was done): dunning leaves it alone."""
        ticket = self._create_ticket(self.client_a)
        ticket.action_rsb_request_deposit()
        deposit = ticket.rsb_deposit_move_id
        deposit.invoice_date_due = self.TODAY - timedelta(days=40)
        run = self._run()
        self.assertFalse(self._line(run, self.client_a))
        self.assertFalse(deposit.rsb_dunning_level_id)
        self.assertFalse(self.client_a.rsb_credit_hold)

    def test_one_communication_listing_all_invoices_at_highest_level(self):
        old = self._create_invoice(self.client_a, 300.0, self.TODAY - timedelta(days=8))
        recent = self._create_invoice(self.client_a, 50.0, self.TODAY - timedelta(days=2))
        run = self._run()
        line = self._line(run, self.client_a)
        self.assertEqual(len(line), 1)
        self.assertEqual(line.level_id, self.level_by_days[7])
        self.assertEqual(line.move_ids, old | recent)
        self.assertEqual(line.amount_due, 350.0)
        self.assertEqual(old.rsb_dunning_level_id, self.level_by_days[7])
        self.assertEqual(recent.rsb_dunning_level_id, self.level_by_days[1])
        mails = self._partner_mails(self.client_a)
        self.assertEqual(len(mails), 1, "one communication per client per run")
        self.assertIn(old.name, mails.body_html)
        self.assertIn(recent.name, mails.body_html)
        self.assertEqual(len(mails.attachment_ids), 2, "the invoice PDFs are attached")
        history = self.env["rsb.dunning.history"].search([("move_id", "in", (old | recent).ids)])
        self.assertEqual(len(history), 2)
        self.assertEqual(history.run_id, run)
        self.assertEqual(old.rsb_dunning_history_ids.level_id, self.level_by_days[7])
        dunning_notes = self.client_a.message_ids.filtered(lambda m: "Dunning level" in m.body)
        self.assertEqual(len(dunning_notes), 1, "one note per client per run says what was done")
        emails = self.client_a.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("remote_support_billing.mt_rsb_dunning_email")
        )
        self.assertEqual(len(emails), 1, "one email per client per run, in its chatter")
        self.assertEqual(emails.mail_ids, mails, "the email sent is that message")
        self.assertIn("Email to", dunning_notes.body, "with the summary of what was done")
        self.assertEqual(emails.notification_ids.res_partner_id, self.client_a)

    def test_escalation_over_the_days_and_idempotent_rerun(self):
        due = fields.Date.to_date("2026-01-10")
        invoice = self._create_invoice(self.client_a, 800.0, due)
        self.client_a.user_id = self.helpdesk_manager  # the account manager gets the call
        steps = [
            (-3, "2026-01-07"),
            (1, "2026-01-11"),
            (7, "2026-01-17"),
            (14, "2026-01-24"),
            (21, "2026-01-31"),
            (30, "2026-02-09"),
            (45, "2026-02-24"),
        ]
        for days, day in steps:
            with freeze_time(day):
                with self.mockSMSGateway():
                    run = self._run(run_date=fields.Date.to_date(day))
                line = self._line(run, self.client_a)
                self.assertEqual(line.level_id.days, days, day)
                self.assertEqual(invoice.rsb_dunning_level_id.days, days)
                if days == 7:
                    self.assertFalse(self._sms, "queued, not sent through IAP")
                    sms = self._new_sms
                    self.assertEqual(len(sms), 1)
                    self.assertEqual(sms.partner_id, self.client_a)
                    self.assertEqual(sms.state, "outgoing")
                    self.assertIn("overdue", sms.body)
                if days == 14:
                    activity = self.client_a.activity_ids
                    self.assertEqual(len(activity), 1)
                    self.assertEqual(activity.user_id, self.helpdesk_manager)
                    self.assertEqual(
                        activity.activity_type_id, self.env.ref("mail.mail_activity_data_call")
                    )
                if days == 21:
                    self.assertTrue(self.client_a.rsb_credit_hold)
                    self.assertTrue(self.contact_a.rsb_credit_hold, "commercial field")
                if days == 30:
                    letter = self.env["rsb.dunning.letter"].search(
                        [("partner_id", "=", self.client_a.id)]
                    )
                    self.assertEqual(len(letter), 1)
                    self.assertEqual(letter.attachment_id.res_model, "res.partner")
                    self.assertEqual(letter.attachment_id.res_id, self.client_a.id)
                    self.assertEqual(letter.amount, 800.0)
                    self.assertEqual(letter.deadline, fields.Date.to_date(day) + timedelta(days=10))
                if days == 45:
                    self.assertTrue(self.client_a.rsb_collections)
                    self.assertEqual(self.client_a.rsb_collections_date, fields.Date.to_date(day))
                # the same day again: nothing new, nothing sent twice
                mails_before = self.env["mail.mail"].search_count([])
                again = self._run(run_date=fields.Date.to_date(day))
                self.assertFalse(
                    again.line_ids,
                    f"rerun on {day} does nothing: "
                    f"{again.line_ids.read(['partner_id', 'state', 'level_id', 'move_ids'])}",
                )
                self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)
        history = self.env["rsb.dunning.history"].search([("move_id", "=", invoice.id)])
        self.assertEqual(sorted(history.level_id.mapped("days")), [d for d, _day in steps])

    def test_jump_to_highest_level_only(self):
        invoice = self._create_invoice(self.client_b, 100.0, self.TODAY - timedelta(days=22))
        run = self._run()
        self.assertEqual(self._line(run, self.client_b).level_id, self.level_by_days[21])
        history = self.env["rsb.dunning.history"].search([("move_id", "=", invoice.id)])
        self.assertEqual(history.level_id, self.level_by_days[21], "the reached level only")

    def test_trusted_client_loses_trust(self):
        self._create_invoice(self.client_trusted, 100.0, self.TODAY - timedelta(days=15))
        self._run()
        self.assertFalse(self.client_trusted.rsb_trusted)
        self.assertTrue(self.client_trusted.rsb_prepay_required)
        self.assertIn("dunning level", self.client_trusted.rsb_trust_reason)
        self.assertTrue(
            any("Switched to prepayment" in m.body for m in self.client_trusted.message_ids)
        )

    def test_late_fee_invoiced_once_per_invoice_and_level(self):
        fee_product = self.env.ref("remote_support_billing.product_rsb_dunning_fee")
        level = self.level_by_days[7]
        level.write(
            {
                "fee_type": "percent",
                "fee_percent": 10.0,
                "fee_min": 5.0,
                "fee_max": 25.0,
                "fee_product_id": fee_product.id,
            }
        )
        big = self._create_invoice(self.client_a, 400.0, self.TODAY - timedelta(days=8))
        small = self._create_invoice(self.client_a, 20.0, self.TODAY - timedelta(days=9))
        run = self._run(execute=False)
        line = self._line(run, self.client_a)
        self.assertEqual(line.fee_amount, 30.0, "preview: 25 (cap of 40) + 5 (minimum of 2)")
        self.assertFalse(
            self.env["account.move"].search([("rsb_dunning_fee", "=", True)]),
            "the preview charges nothing",
        )
        run.action_execute()
        fees = self.env["rsb.dunning.fee"].search([("partner_id", "=", self.client_a.id)])
        self.assertEqual(sorted(fees.mapped("amount")), [5.0, 25.0])
        fee_move = line.fee_move_ids
        self.assertEqual(len(fee_move), 1)
        self.assertEqual(fee_move.state, "posted")
        self.assertEqual(fee_move.currency_id, self.currency)
        self.assertEqual(fee_move.amount_total, 30.0)
        self.assertFalse(fee_move.invoice_line_ids.tax_ids, "the shipped fee product is untaxed")
        self.assertEqual(len(fee_move.invoice_line_ids), 2, "one line per charged invoice")
        self.assertEqual(fee_move.invoice_line_ids.product_id, fee_product)
        self.assertEqual(fee_move.invoice_line_ids.account_id.internal_group, "income")
        self.assertEqual(fees.fee_move_id, fee_move)
        self.assertEqual(fees.move_id, big | small)
        # again, and the fee invoice itself overdue later: never charged twice, no fee on fees
        self._run()
        self.assertEqual(self.env["rsb.dunning.fee"].search_count([]), 2)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.cr.savepoint():
                self.env["rsb.dunning.fee"].create(
                    {
                        "move_id": big.id,
                        "level_id": level.id,
                        "partner_id": self.client_a.id,
                        "company_id": self.company.id,
                        "amount": 1.0,
                    }
                )

    def test_late_interest_once_per_day_across_levels(self):
        """$1,000 due, levels at +7 and +30 days each charging 12 % a year: the second
        level charges only the 23 days since the first, 2.30 + 7.56 = 9.86 = 30 days of
        interest (not 2.30 + 9.86 = 12.16)."""
        for days in (7, 30):
            self.level_by_days[days].write({"fee_type": "interest", "fee_interest_rate": 12.0})
        due = self.TODAY - timedelta(days=30)
        invoice = self._create_invoice(self.client_a, 1000.0, due)
        self._run(due + timedelta(days=7))
        self._run(due + timedelta(days=30))
        fees = self.env["rsb.dunning.fee"].search([("move_id", "=", invoice.id)], order="id")
        self.assertEqual(fees.level_id.mapped("days"), [7, 30])
        self.assertEqual(fees.mapped("amount"), [2.30, 7.56])
        self.assertAlmostEqual(sum(fees.mapped("amount")), 9.86, places=6)
        self.assertEqual(fees.mapped("interest_from"), [due, due + timedelta(days=7)])
        self.assertEqual(
            fees.mapped("interest_until"), [due + timedelta(days=7), due + timedelta(days=30)]
        )
        self.assertAlmostEqual(sum(fees.fee_move_id.mapped("amount_total")), 9.86, places=6)
        self.assertIn("Late interest", fees[1].fee_line_id.name)
        # a run on the same day charges nothing more
        self._run(due + timedelta(days=30))
        self.assertEqual(len(fees.search([("move_id", "=", invoice.id)])), 2)

    def _eur_at(self, rate):
        """EUR, worth `rate` EUR per unit of the company's currency since January."""
        eur = self.env.ref("base.EUR")
        self.assertNotEqual(self.currency, eur, "the test company's currency is not EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "name": "2026-01-01",
                "rate": rate,
                "currency_id": eur.id,
                "company_id": self.company.id,
            }
        )
        return eur

    def test_late_fee_in_invoice_currency_taxed_by_product_and_fiscal_position(self):
        """An EUR invoice of a USD company gets its fee in EUR (one fee invoice per
        currency); fee lines take the fee product's taxes, mapped by the client's fiscal
        position."""
        eur = self._eur_at(2.0)
        Tax = self.env["account.tax"]
        tax_10 = Tax.create({"name": "Fee VAT 10%", "amount": 10.0, "type_tax_use": "sale"})
        tax_5 = Tax.create({"name": "Fee VAT 5%", "amount": 5.0, "type_tax_use": "sale"})
        product = self.env["product.product"].create(
            {
                "name": "Taxed late fee",
                "type": "service",
                "taxes_id": [fields.Command.set(tax_10.ids)],
            }
        )
        self.client_b.property_account_position_id = self.env["account.fiscal.position"].create(
            {
                "name": "Reduced fees",
                "tax_ids": [
                    fields.Command.create({"tax_src_id": tax_10.id, "tax_dest_id": tax_5.id})
                ],
            }
        )
        self.level_by_days[7].write(
            {"fee_type": "fixed", "fee_fixed": 10.0, "fee_product_id": product.id}
        )
        due = self.TODAY - timedelta(days=8)
        eur_invoice = self._create_invoice(self.client_a, 100.0, due, post=False)
        eur_invoice.currency_id = eur
        eur_invoice.action_post()
        eur_invoice.invoice_date_due = due
        self._create_invoice(self.client_a, 100.0, due)
        self._create_invoice(self.client_b, 100.0, due)
        run = self._run(execute=False)
        self.assertEqual(self._line(run, self.client_a).fee_amount, 20.0, "10 USD + 20 EUR")
        run.action_execute()
        fee_moves = self._line(run, self.client_a).fee_move_ids
        self.assertEqual(len(fee_moves), 2, "one fee invoice per currency")
        eur_fee = fee_moves.filtered(lambda m: m.currency_id == eur)
        self.assertEqual((eur_fee.amount_untaxed, eur_fee.amount_tax), (20.0, 2.0))
        self.assertEqual(eur_fee.invoice_line_ids.tax_ids, tax_10)
        usd_fee = fee_moves - eur_fee
        self.assertEqual((usd_fee.amount_untaxed, usd_fee.amount_tax), (10.0, 1.0))
        fee = self.env["rsb.dunning.fee"].search([("move_id", "=", eur_invoice.id)])
        self.assertEqual((fee.currency_id, fee.amount, fee.base_amount), (eur, 20.0, 100.0))
        b_fee = self._line(run, self.client_b).fee_move_ids
        self.assertEqual(b_fee.invoice_line_ids.tax_ids, tax_5, "mapped by the fiscal position")
        self.assertEqual(b_fee.amount_total, 10.5)

    def test_pause_client_invoice_and_payment_plan(self):
        paused_client_inv = self._create_invoice(
            self.client_a, 100.0, self.TODAY - timedelta(days=2)
        )
        disputed = self._create_invoice(self.client_b, 100.0, self.TODAY - timedelta(days=2))
        in_plan = self._create_invoice(self.client_b, 70.0, self.TODAY - timedelta(days=3))
        open_b = self._create_invoice(self.client_b, 30.0, self.TODAY - timedelta(days=2))
        wizard = (
            self.env["rsb.dunning.pause.wizard"]
            .with_user(self.accountant)
            .with_context(**self.client_a.action_rsb_pause_dunning()["context"])
            .create(
                {
                    "reason": "promise",
                    "date_until": self.TODAY + timedelta(days=5),
                    "note": "Pays on Friday",
                }
            )
        )
        with freeze_time(self.TODAY):
            wizard.action_pause()
        self.assertEqual(self.client_a.rsb_dunning_pause_reason, "promise")
        self.assertTrue(any("Dunning paused" in m.body for m in self.client_a.message_ids))
        wizard = (
            self.env["rsb.dunning.pause.wizard"]
            .with_user(self.accountant)
            .with_context(**disputed.action_rsb_pause_dunning()["context"])
            .create({"reason": "dispute"})
        )
        wizard.action_pause()
        in_plan.rsb_dunning_pause_reason = "payment_plan"  # as the payment plans do
        run = self._run(execute=False)
        line_a = self._line(run, self.client_a)
        self.assertEqual((line_a.state, line_a.pause_reason), ("paused", "promise"))
        line_b = self._line(run, self.client_b)
        self.assertEqual(line_b.state, "to_do")
        self.assertEqual(line_b.move_ids, open_b)
        self.assertEqual(line_b.paused_move_ids, disputed | in_plan)
        run.action_execute()
        self.assertFalse(paused_client_inv.rsb_dunning_level_id)
        self.assertFalse(disputed.rsb_dunning_level_id)
        self.assertFalse(in_plan.rsb_dunning_level_id)
        self.assertEqual(open_b.rsb_dunning_level_id, self.level_by_days[1])
        self.assertFalse(self._partner_mails(self.client_a))
        # the promise expired: dunning resumes by itself
        later = self._run(run_date=self.TODAY + timedelta(days=6))
        self.assertEqual(self._line(later, self.client_a).state, "done")
        self.assertEqual(paused_client_inv.rsb_dunning_level_id, self.level_by_days[7])

    def test_payment_during_run_is_respected(self):
        invoice = self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=22))
        run = self._run(execute=False)
        self.assertEqual(self._line(run, self.client_a).state, "to_do")
        self._pay_invoice(invoice)  # the client pays between the preview and the execution
        run.action_execute()
        line = self._line(run, self.client_a)
        self.assertEqual(line.state, "skipped")
        self.assertFalse(self.client_a.rsb_credit_hold, "no hold for a client who just paid")
        self.assertFalse(self._partner_mails(self.client_a))
        self.assertFalse(invoice.rsb_dunning_level_id)

    def test_cron_runs_in_batches_and_resumes(self):
        for client in (self.client_a, self.client_b, self.client_trusted):
            self._create_invoice(client, 100.0, self.TODAY - timedelta(days=2))
        self.patch(type(self.env["rsb.dunning.run"]), "_rsb_batch_size", 2)
        self.patch(self.env.cr, "commit", lambda: None)  # batches commit in real crons
        with freeze_time(self.TODAY):
            self.env["rsb.dunning.run"]._cron_run_dunning()
        run = self.env["rsb.dunning.run"].search([("is_cron", "=", True)])
        self.assertEqual(run.state, "done")
        self.assertEqual(run.done_count, 3)
        self.assertEqual(len(self.env["rsb.dunning.history"].search([("run_id", "=", run.id)])), 3)
        # a run that died halfway: one line done, two to do -> the cron completes the rest
        with freeze_time(self.TODAY + timedelta(days=6)):
            crashed = self.env["rsb.dunning.run"].create(
                {"is_cron": True, "date": self.TODAY + timedelta(days=6)}
            )
            crashed.action_preview()
            crashed.state = "running"
            crashed._rsb_execute_lines(crashed.line_ids[:1])
            mails = self.env["mail.mail"].search_count([])
            self.env["rsb.dunning.run"]._cron_run_dunning()
        self.assertEqual(crashed.state, "done")
        self.assertEqual(set(crashed.line_ids.mapped("state")), {"done"})
        self.assertEqual(
            self.env["mail.mail"].search_count([]), mails + 2, "only the two clients not done yet"
        )
        self.assertEqual(self.env["rsb.dunning.run"].search_count([("is_cron", "=", True)]), 2)

    def test_execute_in_background(self):
        invoice = self._create_invoice(self.client_a, 100.0, self.TODAY - timedelta(days=2))
        run = self._run(execute=False)
        run.action_execute_background()
        self.assertEqual(run.state, "running")
        self.assertFalse(invoice.rsb_dunning_level_id, "nothing done before the cron runs")
        self.patch(self.env.cr, "commit", lambda: None)  # batches commit in real crons
        with freeze_time(self.TODAY):
            self.env["rsb.dunning.run"]._cron_run_dunning()
        self.assertEqual(run.state, "done")
        self.assertEqual(invoice.rsb_dunning_level_id, self.level_by_days[1])
        self.assertFalse(
            self.env["rsb.dunning.run"].search([("is_cron", "=", True)]),
            "the cron executed the accountant's run, nothing else to do",
        )

    def test_preview_query_count_does_not_grow_with_invoices(self):
        clients = self.env["res.partner"].create(
            [
                {"name": f"Client {i}", "is_company": True, "email": f"c{i}@example.com"}
                for i in range(5)
            ]
        )
        # warm up (caches, registry) with a first preview
        self._create_invoice(clients[0], 10.0, self.TODAY - timedelta(days=2))
        self._run(execute=False)

        def preview():
            run = self.env["rsb.dunning.run"].create({"date": self.TODAY})
            self.env.flush_all()
            self.env.invalidate_all()
            return run

        run = preview()
        for client in clients:
            self._create_invoice(client, 10.0, self.TODAY - timedelta(days=3))
        run = preview()
        with self.assertQueryCount(21):
            run.action_preview()
            self.env.flush_all()
        self.assertEqual(len(run.line_ids.move_ids), 6)
        for client in clients:
            for days in range(9):
                self._create_invoice(client, 10.0, self.TODAY - timedelta(days=4 + days), post=True)
        run = preview()
        with self.assertQueryCount(21):
            run.action_preview()
            self.env.flush_all()
        self.assertEqual(len(run.line_ids.move_ids), 51)
