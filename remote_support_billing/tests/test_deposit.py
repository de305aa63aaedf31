from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import RSBCommon


@tagged("post_install", "-at_install")
class TestDeposit(RSBCommon):
    def _request(self, ticket, user=None):
        ticket.with_user(user or self.technician).action_rsb_request_deposit()
        return ticket.rsb_deposit_move_id

    # ------------------------------------------------------------ amount and state
    def test_new_client_must_prepay_the_team_default(self):
        ticket = self._create_ticket(self.client_a)
        self.assertTrue(ticket.rsb_prepay_required)
        self.assertEqual(ticket.rsb_deposit_state, "to_request")
        self.assertAlmostEqual(ticket.rsb_deposit_amount, 129.0)
        self.assertEqual(ticket.rsb_currency_id, self.currency)

    def test_trusted_client_needs_no_deposit(self):
        ticket = self._create_ticket(self.client_trusted)
        self.assertFalse(ticket.rsb_prepay_required)
        self.assertEqual(ticket.rsb_deposit_state, "not_required")

    def test_contacts_share_the_company_billing_policy(self):
        contact = self.env["res.partner"].create(
            {"name": "Bob", "parent_id": self.client_trusted.id}
        )
        self.assertTrue(contact.rsb_trusted)
        ticket = self._create_ticket(contact)
        self.assertEqual(ticket.rsb_deposit_state, "not_required")

    def test_estimate_uses_the_client_pricelist_rate(self):
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Non-profit",
                "currency_id": self.currency.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.product_hour.id,
                            "compute_price": "fixed",
                            "fixed_price": 70.0,
                        },
                    )
                ],
            }
        )
        self.client_a.property_product_pricelist = pricelist
        ticket = self._create_ticket(self.client_a)
        self.assertAlmostEqual(ticket.rsb_hourly_rate, 70.0)
        ticket.with_user(self.technician).rsb_estimate_hours = 2.5
        self.assertAlmostEqual(ticket.rsb_deposit_amount, 175.0)

    def test_estimate_at_list_price(self):
        ticket = self._create_ticket(self.client_a, rsb_estimate_hours=1.5)
        self.assertAlmostEqual(ticket.rsb_deposit_amount, 129.0)  # 1.5 h x $86

    # ------------------------------------------------------------ request and accounting
    def test_request_books_nothing_until_the_money_arrives(self):
        """A deposit request is a payment request: a draft with no number, nothing on the
        client's account (Odoo's partner credit, the partner ledger), until it is paid."""
        ticket = self._create_ticket(self.client_a)
        credit_before = self.client_a.credit
        move = self._request(ticket)
        self.assertEqual(ticket.rsb_deposit_state, "requested")
        self.assertAlmostEqual(ticket.rsb_deposit_requested, 129.0)
        self.assertAlmostEqual(ticket.rsb_deposit_unpaid, 129.0)
        self.assertAlmostEqual(ticket.rsb_deposit_held, 0.0, msg="nothing on Customer Deposits")
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.sequence_number, 0, "no invoice number burnt")
        self.assertFalse(move.invoice_date, "dated when the money arrives")
        self.assertEqual(move.partner_id, self.client_a)
        self.assertEqual(move.rsb_deposit_ticket_id, ticket)
        self.assertAlmostEqual(move.amount_total, 129.0)
        self.env.invalidate_all()
        self.assertAlmostEqual(self.client_a.credit, credit_before, msg="not a receivable")
        self.assertFalse(
            self.env["account.move.line"].search(
                [("partner_id", "=", self.client_a.id), ("parent_state", "=", "posted")]
            )
        )
        self.assertTrue(
            ticket.message_ids.filtered(lambda m: "deposit" in (m.subject or m.body or "").lower())
        )

    def test_deposit_is_booked_on_the_liability_account_when_paid(self):
        ticket = self._create_ticket(self.client_a)
        move = self._request(ticket)
        self._pay_invoice(move)
        self.assertEqual(move.state, "posted")
        self.assertNotIn(move.name, (False, "/"))
        self.assertEqual(move.invoice_date, move.line_ids.move_id.date)
        self.assertEqual(move.payment_state, "paid")
        self.assertAlmostEqual(move.amount_tax, 0.0)
        product_line = move.invoice_line_ids
        self.assertEqual(product_line.account_id, self.deposit_account)
        self.assertEqual(product_line.account_id.account_type, "liability_current")
        self.assertFalse(
            move.line_ids.filtered(lambda line: line.account_id.internal_group == "income"),
            "a deposit is never income",
        )
        self.assertAlmostEqual(ticket.rsb_deposit_held, 129.0)
        self.assertAlmostEqual(ticket.rsb_deposit_unpaid, 0.0)

    def test_paid_deposit_makes_ticket_ready_and_tells_the_team(self):
        ready = self.env["helpdesk.ticket.stage"].create(
            {"name": "Ready to schedule", "sequence": 1}
        )
        self.team.rsb_ready_stage_id = ready
        ticket = self._create_ticket(self.client_a, user_id=self.technician.id)
        move = self._request(ticket)
        self._pay_invoice(move)
        self.assertEqual(ticket.rsb_deposit_state, "paid")
        self.assertAlmostEqual(ticket.rsb_deposit_received, 129.0)
        self.assertEqual(ticket.stage_id, ready)
        activity = ticket.activity_ids.filtered(
            lambda a: a.summary == "Deposit paid: schedule the session"
        )
        self.assertEqual(activity.user_id, self.technician)
        # The deposit sits on the liability account, receivable is settled.
        lines = self.env["account.move.line"].search(
            [("partner_id", "=", self.client_a.id), ("parent_state", "=", "posted")]
        )
        by_account = {}
        for line in lines:
            by_account[line.account_id] = by_account.get(line.account_id, 0.0) + line.balance
        self.assertAlmostEqual(by_account[self.deposit_account], -129.0)
        self.assertAlmostEqual(by_account[self.receivable], 0.0)

    def test_overpayment_stays_as_client_credit(self):
        ticket = self._create_ticket(self.client_a)
        move = self._request(ticket)
        self._pay_invoice(move)
        # A second payment for the same deposit (e.g. a second browser tab) does not pay it twice.
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.client_a.id,
                "amount": 129.0,
                "journal_id": self.bank_journal.id,
            }
        )
        payment.action_post()
        self.assertEqual(ticket.rsb_deposit_state, "paid")
        self.assertAlmostEqual(ticket.rsb_deposit_received, 129.0)
        self.assertAlmostEqual(
            self.client_a.credit, -129.0, msg="the overpayment is the client's credit"
        )

    # ------------------------------------------------------------ bad input
    def test_zero_or_negative_deposit(self):
        ticket = self._create_ticket(self.client_a)
        with self.assertRaises(ValidationError):
            ticket.rsb_deposit_amount = -5
        ticket.rsb_deposit_amount = 0
        with self.assertRaisesRegex(UserError, "a deposit is at least"):
            self._request(ticket)
        self.assertFalse(ticket.rsb_deposit_move_id)
        self.assertEqual(ticket.rsb_deposit_state, "to_request")

    def test_requesting_twice(self):
        ticket = self._create_ticket(self.client_a)
        move = self._request(ticket)
        count = self.env["account.move"].search_count([("rsb_deposit_ticket_id", "=", ticket.id)])
        with self.assertRaisesRegex(UserError, "already requested"):
            self._request(ticket)
        self.assertEqual(ticket.rsb_deposit_move_id, move)
        self.assertEqual(
            self.env["account.move"].search_count([("rsb_deposit_ticket_id", "=", ticket.id)]),
            count,
        )

    def test_currency_other_than_pricelist(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        pricelist = self.env["product.pricelist"].create({"name": "EUR", "currency_id": eur.id})
        ticket = self._create_ticket(self.client_a)
        self.assertEqual(ticket.rsb_currency_id, self.currency)
        # The client's pricelist changed after the ticket was opened: the ticket still bills
        # in USD, the client's prices are now in EUR.
        self.client_a.property_product_pricelist = pricelist
        with self.assertRaisesRegex(UserError, "pricelist is in EUR"):
            self._request(ticket)
        self.assertFalse(ticket.rsb_deposit_move_id)
        self.assertEqual(ticket.rsb_deposit_state, "to_request")

    def test_archived_client(self):
        ticket = self._create_ticket(self.client_a)
        self.client_a.action_archive()
        with self.assertRaisesRegex(UserError, "archived"):
            self._request(ticket)
        self.assertFalse(ticket.rsb_deposit_move_id)

    def test_paying_a_cancelled_request(self):
        ticket = self._create_ticket(self.client_a)
        move = self._request(ticket)
        move.button_cancel()  # a draft until paid: cancelled, it booked nothing
        self.assertEqual(ticket.rsb_deposit_state, "cancelled")
        with self.assertRaisesRegex(UserError, "cancelled"):
            move._rsb_check_deposit_payable()
        with self.assertRaisesRegex(UserError, "cancelled"):
            self.env["payment.transaction"].sudo().create(
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.provider.payment_method_ids[:1].id,
                    "amount": 129.0,
                    "currency_id": self.currency.id,
                    "partner_id": self.client_a.id,
                    "invoice_ids": [(6, 0, move.ids)],
                    "reference": "RSB-CANCELLED",
                }
            )
        # A new request can be made after a cancelled one.
        self._request(ticket)
        self.assertEqual(ticket.rsb_deposit_state, "requested")
        self.assertNotEqual(ticket.rsb_deposit_move_id, move)


@tagged("post_install", "-at_install")
class TestDepositGate(RSBCommon):
    def test_prepay_ticket_cannot_be_scheduled_until_paid(self):
        ticket = self._create_ticket(self.client_a)
        for path in ("write", "form", "import"):
            with self.subTest(path=path), self.assertRaisesRegex(UserError, "must pay a deposit"):
                if path == "write":  # RPC and kanban drag-and-drop both write stage_id
                    ticket.with_user(self.technician).write({"stage_id": self.stage_scheduled.id})
                elif path == "form":
                    with Form(ticket.with_user(self.technician)) as form:
                        form.stage_id = self.stage_scheduled
                else:
                    result = (
                        self.env["helpdesk.ticket"]
                        .with_user(self.technician)
                        .load(
                            ["id", "stage_id/id"],
                            [
                                [
                                    ticket.get_external_id()[ticket.id] or self._xmlid(ticket),
                                    self._xmlid(self.stage_scheduled),
                                ]
                            ],
                        )
                    )
                    messages = result["messages"]
                    if messages:
                        raise UserError(messages[0]["message"])
            ticket.invalidate_recordset()  # what the database holds
            self.assertEqual(ticket.stage_id, self.stage_new, path)
        with self.assertRaisesRegex(UserError, "must pay a deposit"):
            self._create_ticket(self.client_b, stage_id=self.stage_scheduled.id)

        ticket.with_user(self.technician).action_rsb_request_deposit()
        with self.assertRaisesRegex(UserError, "Requested"):
            ticket.with_user(self.technician).stage_id = self.stage_scheduled
        self._pay_invoice(ticket.rsb_deposit_move_id)
        ticket.with_user(self.technician).stage_id = self.stage_scheduled
        self.assertEqual(ticket.stage_id, self.stage_scheduled)

    def _xmlid(self, record):
        data = self.env["ir.model.data"].search(
            [("model", "=", record._name), ("res_id", "=", record.id)], limit=1
        )
        if not data:
            name = f"rsb_test_{record._table}_{record.id}"
            self.env["ir.model.data"].create(
                {"module": "__test__", "name": name, "model": record._name, "res_id": record.id}
            )
            return f"__test__.{name}"
        return data.complete_name

    def test_trusted_client_passes(self):
        ticket = self._create_ticket(self.client_trusted)
        ticket.with_user(self.technician).stage_id = self.stage_scheduled
        self.assertEqual(ticket.stage_id, self.stage_scheduled)

    def test_manager_waives_with_reason(self):
        ticket = self._create_ticket(self.client_a)
        with self.assertRaises(AccessError):
            ticket.with_user(self.technician).action_rsb_waive_deposit()
        with self.assertRaises(AccessError):
            ticket.with_user(self.technician).write({"rsb_deposit_waived": True})
        self.assertFalse(ticket.rsb_deposit_waived)
        action = ticket.with_user(self.helpdesk_manager).action_rsb_waive_deposit()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.helpdesk_manager)
            .with_context(**action["context"])
            .create({"reason": "Server down, owner confirmed by phone"})
        )
        wizard.action_confirm()
        self.assertEqual(ticket.rsb_deposit_state, "not_required")
        self.assertIn("Server down, owner confirmed by phone", ticket.message_ids[0].body)
        ticket.with_user(self.technician).stage_id = self.stage_scheduled
        self.assertEqual(ticket.stage_id, self.stage_scheduled)

    def test_waiver_needs_a_reason(self):
        ticket = self._create_ticket(self.client_a)
        with self.assertRaisesRegex(UserError, "reason"):
            ticket.with_user(self.helpdesk_manager)._rsb_waive_deposit("  ")
        self.assertFalse(ticket.rsb_deposit_waived)
