"""What each staff role sees and does on a ticket (issue 24): technician, helpdesk manager,
accountant."""

from odoo.tests import new_test_user, tagged

from .common import RSBCommon


@tagged("post_install", "-at_install")
class TestDayTechnician(RSBCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technician_2 = new_test_user(
            cls.env,
            login="rsb-tech-2",
            name="Tom Technician",
            groups="helpdesk_mgmt.group_helpdesk_user,hr_timesheet.group_hr_timesheet_user",
        )
        cls.env["hr.employee"].create(
            {"name": cls.technician_2.name, "user_id": cls.technician_2.id}
        )

    def test_billing_figures_on_a_colleagues_ticket(self):
        """The To Bill figures are the ticket's, whoever looks: a second technician (who
        reads only their own timesheets) sees the time the first one logged."""
        ticket = self._create_ticket(self.client_trusted, user_id=self.technician.id)
        self._log_time(ticket, 70)
        self.env.invalidate_all()
        as_colleague = ticket.with_user(self.technician_2)
        [values] = as_colleague.web_read(
            {"timesheet_ids": {"fields": {"unit_amount": {}}}, "rsb_billable_hours": {},
             "rsb_billable_amount": {}}
        )
        self.assertEqual(values["timesheet_ids"], [], "the colleague's line stays hidden")
        self.assertEqual(values["rsb_billable_hours"], 1.25)
        self.assertAlmostEqual(values["rsb_billable_amount"], 107.50)
        self.env.invalidate_all()
        self.assertAlmostEqual(as_colleague.rsb_billable_amount, 107.50)
