"""N4 and N5 (issue 22): the session follows the gate whatever path moves the ticket, the
client or the event; and a session is the ticket's own, with a real technician."""

from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .session_common import SessionCommon as SessionCase


@tagged("post_install", "-at_install")
class TestSessionFollowsGate(SessionCase):
    def _booked(self):
        ticket = self._paid_ticket()
        event = self._schedule(ticket)
        self.assertTrue(event)
        return ticket, event

    def _assert_cancelled(self, ticket, event):
        self.assertFalse(ticket.rsb_session_event_id, "the session is cancelled")
        self.assertFalse(event.exists(), "its calendar slot is freed")
        activity = ticket.activity_ids.filtered(
            lambda a: a.summary == "Session cancelled: the ticket cannot be scheduled"
        )
        self.assertEqual(activity.user_id, self.technician, "the technician is told")
        told = ticket.message_ids.filtered(
            lambda m: "is cancelled" in (m.body or "") and self.contact_a in m.partner_ids
        )
        self.assertTrue(told, "the client is told")

    # ------------------------------------------------------------------ N4
    def test_client_put_on_credit_hold_loses_the_booked_session(self):
        ticket, event = self._booked()
        self.client_a._rsb_place_credit_hold("invoices overdue")
        self._assert_cancelled(ticket, event)

    def test_paid_deposit_reversed_cancels_the_booked_session(self):
        ticket, event = self._booked()
        deposit = ticket.rsb_deposit_move_id
        payment_moves = deposit._get_reconciled_payments().move_id
        deposit.line_ids.remove_move_reconcile()
        payment_moves._reverse_moves(cancel=True)
        deposit._reverse_moves(cancel=True)
        self.assertNotIn(ticket.rsb_deposit_state, ("paid", "settled", "not_required"))
        self._assert_cancelled(ticket, event)

    def test_switching_to_a_client_who_must_prepay_cancels_the_session(self):
        ticket, event = self._booked()
        with self.assertRaises(UserError):
            # the ticket's deposit belongs to its client: the switch itself is refused
            # while it holds one (the gate and the documents' owner, N7's rule) ...
            with self.env.cr.savepoint():
                ticket.partner_id = self.contact_b
        self.assertEqual(ticket.rsb_session_event_id, event, "... and nothing changed")

    def test_moving_the_session_in_the_calendar_app_follows_the_gate(self):
        ticket, event = self._booked()
        self.client_a.sudo().rsb_credit_hold = True  # a hold set without the dunning path
        start = event.start
        with self.assertRaisesRegex(UserError, "credit hold"):
            event.with_user(self.technician).write(
                {"start": start + timedelta(days=1), "stop": event.stop + timedelta(days=1)}
            )
        self.assertEqual(event.start, start, "not moved, and no email went to the client")

    def test_closing_the_ticket_before_the_session_cancels_it(self):
        ticket, event = self._booked()
        ticket.with_user(self.technician).stage_id = self.stage_done
        self._assert_cancelled(ticket, event)

    # ------------------------------------------------------------------ N5
    def test_session_event_link_is_not_writable(self):
        ticket, _event = self._booked()
        other = self.env["calendar.event"].create(
            {"name": "Another client's session", "start": self.start, "stop": self.start}
        )
        for user in (self.technician, self.helpdesk_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                ticket.with_user(user).write({"rsb_session_event_id": other.id})
        self.assertNotEqual(ticket.rsb_session_event_id, other)

    def test_portal_user_is_not_a_technician(self):
        ticket = self._paid_ticket()
        with self.assertRaisesRegex(UserError, "is not a technician"):
            ticket.with_user(self.technician)._rsb_schedule_session(self.start, 1.0, self.portal_b)
        self.assertFalse(ticket.rsb_session_event_id)
