"""The accountant's follow-up desk (issue 26): per client, a log of follow-up calls with
their outcome (reached, promised, disputed, no answer) and the next follow-up date; the
phone-call activity of a dunning level is closed by logging its call."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

OUTCOMES = [
    ("reached", "Reached"),
    ("promised", "Promised to pay"),
    ("disputed", "Disputed"),
    ("no_answer", "No answer"),
]


class RsbFollowupCall(models.Model):
    _name = "rsb.followup.call"
    _description = "Follow-up Call"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Client", required=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", required=True, default=lambda self: self.env.user)
    outcome = fields.Selection(OUTCOMES, required=True)
    note = fields.Text()
    next_date = fields.Date(string="Next Follow-up")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only accountants log follow-up calls."))
        today = fields.Date.context_today(self)
        for vals in vals_list:
            next_date = fields.Date.to_date(vals.get("next_date"))
            if next_date and next_date < today:
                raise UserError(_("The next follow-up cannot be in the past."))
        calls = super().create(vals_list)
        for call in calls:
            client = call.partner_id.commercial_partner_id.sudo()
            outcome = dict(self._fields["outcome"]._description_selection(self.env))[call.outcome]
            client.message_post(
                body=_(
                    "Follow-up call by %(user)s: %(outcome)s.%(note)s%(next)s",
                    user=call.user_id.name,
                    outcome=outcome,
                    note=_(" %s", call.note) if call.note else "",
                    next=_(" Next follow-up: %s.", call.next_date) if call.next_date else "",
                ),
                subtype_xmlid="mail.mt_note",
            )
            # the dunning level's phone-call activity for this client is done
            client.activity_ids.filtered(
                lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
            ).action_feedback(feedback=outcome)
        return calls


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    rsb_followup_call_ids = fields.One2many(
        "rsb.followup.call", "partner_id", string="Follow-up Calls", readonly=True
    )
    rsb_next_followup_date = fields.Date(
        string="Next Follow-up",
        compute="_compute_rsb_next_followup_date",
        help="The next follow-up date of the client's last logged call.",
    )

    @api.depends("rsb_followup_call_ids.next_date")
    def _compute_rsb_next_followup_date(self):
        for partner in self:
            calls = partner.sudo().commercial_partner_id.rsb_followup_call_ids
            last = calls.sorted(lambda c: (c.date, c.id))[-1:]
            partner.rsb_next_followup_date = last.next_date
