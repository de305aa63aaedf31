"""Billing of a helpdesk ticket: the fields every billing concern shares (client, currency,
rate), and the one write path that protects them. The concerns live beside this file:
deposit (`helpdesk_ticket_deposit*.py`), settle-up (`helpdesk_ticket_settlement*.py`), money
through payment providers (`helpdesk_ticket_payment.py`) and credit hold
(`helpdesk_ticket_credit_hold.py`). How the money is booked: README, "How it books money".
"""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

# Written only by the addon's own methods (in sudo, after checking who acts): a form, an
# import or an RPC call that sets them is refused, whoever the user.
RSB_PROTECTED_FIELDS = frozenset(
    {
        "rsb_deposit_move_id",
        "rsb_deposit_waived",
        "rsb_deposit_state",
        "rsb_payment_token_id",
        "rsb_settled",
        "rsb_paid_on_time",
        "rsb_settlement_move_ids",
        # the session is booked by the Schedule wizard only (its event is the ticket's own,
        # with the ticket's client): no ticket points at another client's event
        "rsb_session_event_id",
        # set by a helpdesk manager's override, with a reason (credit hold)
        "rsb_credit_hold_override",
        "rsb_bound_rate",
        # the pay-now request and its link: Request Payment Now only
        "rsb_pay_now_move_id",
        "rsb_pay_now_code",
    }
)
# A change of these may open or close the deposit gate or the credit hold.
RSB_GATE_FIELDS = frozenset({"stage_id", "partner_id", "team_id", "company_id"})


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    rsb_prepay_required = fields.Boolean(
        string="Client Must Prepay",
        compute="_compute_rsb_prepay_required",
        help="The client is not trusted or is on credit hold in the ticket's company.",
    )
    rsb_currency_id = fields.Many2one(
        comodel_name="res.currency",
        string="Billing Currency",
        compute="_compute_rsb_currency_id",
        store=True,
        help="The client's pricelist currency (else the company's): deposits and "
        "settle-up invoices are in this currency.",
    )
    rsb_hourly_rate = fields.Monetary(
        string="Hourly Rate",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_hourly_rate",
        help="The team's service product through the client's pricelist.",
    )

    # ------------------------------------------------------------------ computes
    @api.depends("commercial_partner_id", "company_id")
    def _compute_rsb_currency_id(self):
        for ticket in self:
            pricelist = ticket.commercial_partner_id.with_company(
                ticket.company_id
            ).property_product_pricelist
            ticket.rsb_currency_id = (
                pricelist.currency_id
                or ticket.company_id.currency_id
                or self.env.company.currency_id
            )

    @api.depends(
        "commercial_partner_id.rsb_trusted", "commercial_partner_id.rsb_credit_hold", "company_id"
    )
    def _compute_rsb_prepay_required(self):
        for ticket in self:
            ticket.rsb_prepay_required = ticket._rsb_client().rsb_prepay_required

    @api.depends("team_id.rsb_service_product_id", "commercial_partner_id", "rsb_currency_id")
    def _compute_rsb_hourly_rate(self):
        for ticket in self:
            ticket.rsb_hourly_rate = ticket._rsb_get_hourly_rate()

    @api.constrains("rsb_deposit_amount", "rsb_estimate_hours")
    def _check_rsb_deposit_amount(self):
        for ticket in self:
            if ticket.rsb_deposit_amount < 0:
                raise ValidationError(_("A deposit cannot be negative."))
            if ticket.rsb_estimate_hours < 0:
                raise ValidationError(_("An estimate cannot be negative."))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        self._rsb_check_protected_fields(set().union(*vals_list) if vals_list else set())
        tickets = super().create(vals_list)
        # Checked on the created records so that every path is covered (back office, portal
        # form, email gateway, import, RPC), whatever default set the client.
        tickets._rsb_check_credit_hold()
        tickets._rsb_check_deposit_gate()
        tickets._rsb_check_billing_documents()
        return tickets

    def write(self, vals):
        self._rsb_check_protected_fields(vals.keys())
        if RSB_GATE_FIELDS & vals.keys():
            self._rsb_check_gate_before_write(vals)
        if vals.get("stage_id"):
            self._rsb_check_close_with_payment_now(vals)
        res = super().write(vals)
        if RSB_GATE_FIELDS & vals.keys():
            # on the values after the write: stage, client and team together
            if not (self.env.su and self.env.context.get("rsb_payment_move")):
                self._rsb_check_credit_hold(moving=True)
            self._rsb_check_deposit_gate()
        if {"partner_id", "rsb_deposit_move_id", "rsb_payment_token_id"} & vals.keys():
            self._rsb_check_billing_documents()
        if vals.get("stage_id"):
            self._rsb_auto_settle()
        return res

    def _rsb_check_gate_before_write(self, vals):
        """The deposit gate and the credit hold on the values the write will give: stage,
        client and team together (so that switching the client to a trusted one, moving the
        ticket and switching back is refused at the move). Checked again after the write."""
        Stage = self.env["helpdesk.ticket.stage"]
        Partner = self.env["res.partner"]
        Company = self.env["res.company"]
        for ticket in self:
            stage = Stage.browse(vals["stage_id"]) if "stage_id" in vals else ticket.stage_id
            company = (
                Company.browse(vals["company_id"]) if vals.get("company_id") else None
            ) or ticket._rsb_company()
            client = (
                Partner.browse(vals["partner_id"]).commercial_partner_id
                if "partner_id" in vals
                else ticket.commercial_partner_id
            ).with_company(company)  # the client's policy in the ticket's company
            held = (
                client.rsb_credit_hold and not stage.closed and not ticket.rsb_credit_hold_override
            )
            if held and not (self.env.su and self.env.context.get("rsb_payment_move")):
                if "stage_id" in vals or "partner_id" in vals:
                    raise UserError(self._rsb_credit_hold_message(client))
            if not stage.rsb_requires_deposit:
                continue
            state = ticket.rsb_deposit_state
            if (
                state in ("not_required", "to_request", "cancelled")
                and not ticket.rsb_deposit_waived
            ):
                state = "to_request" if client.rsb_prepay_required else "not_required"
            if state not in ("not_required", "paid", "settled"):
                ticket._rsb_raise_gate(stage, client, state)

    def _rsb_check_protected_fields(self, fnames):
        protected = RSB_PROTECTED_FIELDS & set(fnames)
        if protected and not self.env.su:
            raise AccessError(
                _(
                    "The billing fields %(fields)s of a ticket are set by the billing actions "
                    "(Request Deposit, Waive, Settle Up, payments), not by hand.",
                    fields=", ".join(
                        sorted(
                            self._fields[fname]._description_string(self.env) for fname in protected
                        )
                    ),
                )
            )

    def _rsb_check_billing_documents(self):
        """The deposit request and the saved card of a ticket belong to it and its client:
        no ticket spends another client's deposit or card."""
        for ticket in self.sudo():
            client = ticket.commercial_partner_id
            foreign = ticket.rsb_deposit_line_ids.filtered(
                lambda line, client=client: line.partner_id.commercial_partner_id != client
            )
            if foreign:
                raise ValidationError(
                    _(
                        "Ticket %(ticket)s holds a deposit of %(other)s: its client cannot be "
                        "changed to %(client)s. Cancel the session (the deposit is returned) "
                        "first.",
                        ticket=ticket.display_name,
                        other=foreign.partner_id.commercial_partner_id[:1].display_name,
                        client=client.display_name or _("no client"),
                    )
                )
            move = ticket.rsb_deposit_move_id
            if move and (
                move.rsb_deposit_ticket_id != ticket or move.commercial_partner_id != client
            ):
                raise ValidationError(
                    _(
                        "Deposit %(move)s is not a deposit of ticket %(ticket)s and its client.",
                        move=move.display_name,
                        ticket=ticket.display_name,
                    )
                )
            token = ticket.rsb_payment_token_id
            if token and token.partner_id.commercial_partner_id != client:
                raise ValidationError(
                    _(
                        "The saved payment method %(token)s is not %(client)s's.",
                        token=token.display_name,
                        client=client.display_name,
                    )
                )

    # ------------------------------------------------------------------ business
    def _rsb_get_hourly_rate(self):
        """Hourly rate of the team's service product for this client, in the ticket's
        billing currency (pricelist rules included)."""
        self.ensure_one()
        product = self.team_id.rsb_service_product_id
        if not product:
            return 0.0
        company = self.company_id or self.env.company
        partner = self.commercial_partner_id.with_company(company)
        pricelist = partner.property_product_pricelist
        currency = self.rsb_currency_id or company.currency_id
        if pricelist:
            return pricelist._get_product_price(
                product.with_company(company),
                1.0,
                currency=currency,
                date=fields.Date.context_today(self),
            )
        return product.currency_id._convert(
            product.with_company(company).lst_price,
            currency,
            company,
            fields.Date.context_today(self),
        )

    def _rsb_company(self):
        return self.company_id or self.env.company

    def _rsb_client(self):
        """The ticket's client with its billing policy (trust, credit hold, dunning pause)
        in the ticket's company: that policy is per company."""
        self.ensure_one()
        return self.commercial_partner_id.with_company(self._rsb_company())

    def _rsb_get_unused_deposit_policy(self):
        self.ensure_one()
        return (
            self.commercial_partner_id.rsb_unused_deposit_policy
            or (self.company_id or self.env.company).rsb_unused_deposit_policy
        )
