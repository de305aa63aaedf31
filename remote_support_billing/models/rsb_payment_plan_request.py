"""A client asks for a payment plan in the portal (issue 25): the number of instalments and
the first date. Within the company's self-service policy (at most so many instalments, each at
least so much, the first within so many days) the plan is agreed at once by the existing plan
engine (schedule, interest, dunning paused); beyond it, it waits as a draft for an
accountant."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount


class RsbPaymentPlan(models.Model):
    _inherit = "rsb.payment.plan"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _rsb_plan_request_invoices(self, client, company):
        """The client's open invoices a plan may take (not deposit requests, not in a
        running plan, not disputed)."""
        Move = self.env["account.move"].sudo()
        invoices = Move.search(
            [
                ("commercial_partner_id", "=", client.id),
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
                ("rsb_deposit_ticket_id", "=", False),
                ("rsb_dunning_pause_reason", "not in", ("payment_plan", "dispute")),
            ],
            order="invoice_date_due, id",
        )
        running = self.sudo().search(
            [("state", "=", "active"), ("invoice_ids", "in", invoices.ids)]
        )
        return invoices - running.invoice_ids

    @api.model
    def _rsb_request_from_portal(self, partner, count, first_date):
        """Create the client's plan for their open invoices; agree it at once within the
        company's policy, else leave it for an accountant (draft, activity).

        :return: (plan, agreed)
        :raise UserError: nothing is created then
        """
        client = partner.commercial_partner_id
        company = self.env.company
        if not company.rsb_plan_portal_max_instalments:
            raise UserError(_("Payment plans are agreed with our accounting team: call us."))
        invoices = self._rsb_plan_request_invoices(client, company)
        if not invoices:
            raise UserError(_("You have no open invoice to spread over a plan."))
        today = fields.Date.context_today(self)
        if not isinstance(count, int) or not 1 <= count <= 24:
            raise UserError(_("Choose from 1 to 24 instalments."))
        if not first_date or first_date <= today or first_date > today + timedelta(days=90):
            raise UserError(_("Choose the first instalment's date within the next 90 days."))
        due = sum(invoices.mapped("amount_residual_signed"))
        currency = company.currency_id
        within = (
            count <= company.rsb_plan_portal_max_instalments
            and first_date <= today + timedelta(days=company.rsb_plan_portal_max_first_days)
            and currency.compare_amounts(due / count, company.rsb_plan_portal_min_instalment) >= 0
        )
        plan = self.sudo().create(
            {
                "partner_id": client.id,
                "company_id": company.id,
                "invoice_ids": [fields.Command.set(invoices.ids)],
                "instalment_count": count,
                "frequency": "monthly",
                "first_date": first_date,
                "interest_rate": company.rsb_plan_portal_interest_rate,
                "down_payment": 0.0,
            }
        )
        plan.message_post(
            body=_(
                "Requested by the client in the portal: %(count)s monthly instalments from "
                "%(date)s for %(due)s.",
                count=count,
                date=first_date,
                due=format_amount(self.env, due, currency),
            ),
            subtype_xmlid="mail.mt_note",
        )
        if within:
            plan.action_confirm()
            return plan, True
        accountant = company._rsb_get_money_out_user()
        plan.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Payment plan requested beyond the policy: review it"),
            note=_(
                "The client asked for %(count)s instalments from %(date)s (policy: at most "
                "%(max)s, each at least %(min)s, the first within %(days)s days).",
                count=count,
                date=first_date,
                max=company.rsb_plan_portal_max_instalments,
                min=format_amount(self.env, company.rsb_plan_portal_min_instalment, currency),
                days=company.rsb_plan_portal_max_first_days,
            ),
            user_id=(accountant or self.env.ref("base.user_admin")).id,
        )
        return plan, False


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    rsb_plan_portal_max_instalments = fields.Integer(
        string="Self-Service Plans: At Most (instalments)",
        default=6,
        help="A client may agree a plan of at most this many monthly instalments in the "
        "portal; a longer one waits for an accountant (0: no self-service plans).",
    )
    rsb_plan_portal_min_instalment = fields.Monetary(
        string="Self-Service Plans: Instalment At Least",
        currency_field="currency_id",
        default=50.0,
    )
    rsb_plan_portal_max_first_days = fields.Integer(
        string="Self-Service Plans: First Within (days)", default=30
    )
    rsb_plan_portal_interest_rate = fields.Float(
        string="Self-Service Plans: Annual Interest (%)", digits=(6, 4), default=0.0
    )
