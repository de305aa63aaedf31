"""Inputs out of bounds get a clear message and change nothing (issue 22): a deposit of a cent,
a session of a billion hours; and a technician reads every field of a ticket."""

from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import RSBCommon


@tagged("post_install", "-at_install")
class TestInputBounds(RSBCommon):
    def _paid_ticket(self):
        ticket = self._create_ticket(self.client_a, user_id=self.technician.id)
        ticket.with_user(self.technician).action_rsb_request_deposit()
        self._pay_invoice(ticket.rsb_deposit_move_id)
        self.assertEqual(ticket.rsb_deposit_state, "paid")
        return ticket

    # ------------------------------------------------------------------ deposit minimum
    def test_deposit_of_a_cent_refused(self):
        Move = self.env["account.move"]
        for amount in (0.01, 0.99, 0.0):  # a negative one: refused by a constraint already
            ticket = self._create_ticket(self.client_a)
            ticket.rsb_deposit_amount = amount
            count = Move.search_count([])
            with self.assertRaises(UserError) as caught:
                ticket.with_user(self.technician).action_rsb_request_deposit()
            self.assertRegex(str(caught.exception), r"a deposit is at least \$\W1\.00")
            self.assertEqual(Move.search_count([]), count, "nothing booked")
            self.assertEqual(ticket.rsb_deposit_state, "to_request")
        ticket = self._create_ticket(self.client_a)
        ticket.rsb_deposit_amount = 1.0
        ticket.with_user(self.technician).action_rsb_request_deposit()
        self.assertEqual(ticket.rsb_deposit_state, "requested")

    # ------------------------------------------------------------------ N6 durations
    def _wizard(self, ticket, duration):
        action = ticket.with_user(self.technician).action_rsb_schedule_session()
        with Form(
            self.env[action["res_model"]]
            .with_user(self.technician)
            .with_context(**action["context"])
        ) as form:
            form.start = datetime(2031, 6, 2, 14, 0)
            form.duration = duration
            form.user_id = self.technician
            return form.save()

    def test_session_duration_bounded(self):
        ticket = self._paid_ticket()
        for duration in (1e9, 24.01, 0.0, -1.0, float("nan"), float("inf")):
            wizard = self._wizard(ticket, duration)
            with self.assertRaises(UserError) as caught:
                wizard.action_confirm()
            self.assertIn("at most 24 hours", str(caught.exception))
            self.assertFalse(ticket.rsb_session_event_id)
        self._wizard(ticket, 24.0).action_confirm()
        self.assertEqual(ticket.rsb_session_event_id.duration, 24.0)

    # ------------------------------------------------------------------ field access
    def test_technician_reads_every_ticket_field(self):
        """The form, an export or an RPC read() of all fields by a technician (no access to
        journal items, invoices or payments): no AccessError."""
        ticket = self._paid_ticket()
        self._log_time(ticket, 70)
        ticket.with_user(self.helpdesk_manager).action_rsb_settle()
        ticket.invalidate_recordset()
        values = ticket.with_user(self.technician).read()[0]
        self.assertEqual(values["rsb_deposit_state"], "settled")
        self.assertAlmostEqual(values["rsb_deposit_applied"], 107.50, msg="figures still shown")
        self.assertNotIn("rsb_deposit_line_ids", values, "journal items: accounting only")
        # a helpdesk user with Invoicing reads them
        self.helpdesk_manager.groups_id |= self.env.ref("account.group_account_invoice")
        ticket.invalidate_recordset()
        values = ticket.with_user(self.helpdesk_manager).read()[0]
        self.assertTrue(values["rsb_deposit_line_ids"])
        self.assertTrue(values["rsb_settlement_move_ids"])
