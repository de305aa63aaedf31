"""The set-up of the session tests: a team with a ready stage and connect instructions, a
ticket with its deposit paid, the Schedule wizard as a technician fills it."""

from datetime import datetime

from odoo.tests import Form, HttpCase

from .common import RSBCommon


class SessionCommon(RSBCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_ready = cls.env["helpdesk.ticket.stage"].create(
            {"name": "Ready to schedule", "sequence": 1, "company_id": cls.company.id}
        )
        cls.team.write(
            {
                "rsb_ready_stage_id": cls.stage_ready.id,
                "rsb_connect_instructions": "<p>Check that remote.example/join loads.</p>",
            }
        )
        cls.start = datetime(2031, 6, 2, 14, 0)

    def _paid_ticket(self):
        ticket = self._create_ticket(self.contact_a, user_id=self.technician.id)
        ticket.with_user(self.technician).action_rsb_request_deposit()
        self._pay_invoice(ticket.rsb_deposit_move_id)
        self.assertEqual(ticket.rsb_deposit_state, "paid")
        return ticket

    def _schedule(self, ticket, user=None, start=None, duration=1.5):
        user = user or self.technician
        action = ticket.with_user(user).action_rsb_schedule_session()
        self.assertEqual(action["res_model"], "rsb.session.schedule.wizard")
        with Form(
            self.env[action["res_model"]].with_user(user).with_context(**action["context"])
        ) as form:
            form.start = start or self.start
            form.duration = duration
            form.user_id = self.technician
            wizard = form.save()
        wizard.action_confirm()
        return ticket.rsb_session_event_id
