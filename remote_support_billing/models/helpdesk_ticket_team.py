"""A team's billing rules: service product, default deposit, rounding, minimum, free quick fix,
ready and scheduled stages, how clients connect to a session and its reminders."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    rsb_currency_id = fields.Many2one(related="company_id.currency_id")
    rsb_service_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Service Product",
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        check_company=True,
        help="Hourly service invoiced for the team's time (its price through the "
        "client's pricelist is the hourly rate).",
    )
    rsb_deposit_default = fields.Monetary(
        string="Default Deposit",
        currency_field="rsb_currency_id",
        help="Deposit asked from clients who must prepay, unless the technician sets "
        "an estimate on the ticket.",
    )
    rsb_rounding_minutes = fields.Integer(
        string="Billing Increment (min)",
        default=15,
        help="The ticket's billable time is rounded up to a multiple of this many "
        "minutes. 0 bills the exact time.",
    )
    rsb_minimum_minutes = fields.Integer(
        string="Minimum Charge (min)",
        default=30,
        help="A billable ticket is charged at least this many minutes.",
    )
    rsb_free_minutes = fields.Integer(
        string="Free Quick Fix (min)",
        default=5,
        help="A ticket whose billable time is at or under this many minutes is not charged at all.",
    )
    rsb_invoice_grouping = fields.Selection(
        selection=[("line", "One line per timesheet"), ("day", "One line per day")],
        string="Invoice Lines",
        default="line",
        required=True,
    )
    rsb_auto_settle = fields.Boolean(
        string="Settle When Closed",
        help="Settle the ticket automatically when it reaches a closing stage.",
    )
    rsb_ready_stage_id = fields.Many2one(
        comodel_name="helpdesk.ticket.stage",
        string="Ready-to-schedule Stage",
        help="Stage a ticket moves to when its deposit is paid.",
    )

    rsb_scheduled_stage_id = fields.Many2one(
        comodel_name="helpdesk.ticket.stage",
        string="Scheduled Stage",
        help="Stage a ticket enters when its session is scheduled (default: the team's first "
        "stage that requires a deposit).",
    )
    rsb_connect_instructions = fields.Html(
        string="How to Connect",
        translate=True,
        help="Sent to the client with the session's time and shown on the portal ticket: "
        "e.g. check before the appointment that the remote-support page loads; at the "
        "time, the technician gives the session code.",
    )
    rsb_session_alarm_ids = fields.Many2many(
        comodel_name="calendar.alarm",
        relation="rsb_team_session_alarm_rel",
        string="Session Reminders",
        default=lambda self: self._default_rsb_session_alarm_ids(),
        help="Reminders of the session's calendar event (an email reminder reaches the client).",
    )

    _sql_constraints = [
        (
            "rsb_minutes_positive",
            "CHECK(rsb_rounding_minutes >= 0 AND rsb_minimum_minutes >= 0 "
            "AND rsb_free_minutes >= 0)",
            "Billing increments, minimum charge and free minutes cannot be negative.",
        ),
    ]

    @api.model
    def _default_rsb_session_alarm_ids(self):
        return (
            self.env.ref("calendar.alarm_mail_1", raise_if_not_found=False)
            or self.env["calendar.alarm"]
        )

    @api.constrains("rsb_deposit_default")
    def _check_rsb_deposit_default(self):
        for team in self:
            if team.rsb_deposit_default < 0:
                raise ValidationError(
                    _("The default deposit of team %s cannot be negative.", team.name)
                )

    def _rsb_get_scheduled_stage(self):
        """The stage a ticket enters when its session is scheduled: the team's setting, else
        its first applicable stage that requires a deposit."""
        self.ensure_one()
        if self.rsb_scheduled_stage_id:
            return self.rsb_scheduled_stage_id
        return self._get_applicable_stages().filtered("rsb_requires_deposit")[:1]
