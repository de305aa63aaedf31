from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

DEPOSIT_STATES = [
    ("not_required", "Not Required"),
    ("to_request", "To Request"),
    ("requested", "Requested"),
    ("paid", "Paid - Ready to Schedule"),
    ("settled", "Settled"),
    ("cancelled", "Cancelled"),
]


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    rsb_prepay_required = fields.Boolean(
        related="commercial_partner_id.rsb_prepay_required",
        string="Client Must Prepay",
    )
    rsb_currency_id = fields.Many2one(
        comodel_name="res.currency",
        string="Billing Currency",
        compute="_compute_rsb_currency_id",
        store=True,
        help="The client's pricelist currency (else the company's): deposits and "
        "settle-up invoices are in this currency.",
    )
    rsb_estimate_hours = fields.Float(
        string="Estimated Hours",
        tracking=True,
        help="After a free diagnosis, the technician's estimate: the deposit becomes "
        "the estimate at the client's hourly rate.",
    )
    rsb_hourly_rate = fields.Monetary(
        string="Hourly Rate",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_hourly_rate",
        help="The team's service product through the client's pricelist.",
    )
    rsb_deposit_amount = fields.Monetary(
        string="Deposit",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_deposit_amount",
        store=True,
        readonly=False,
        tracking=True,
        help="What the client pays before the session is scheduled: the team's default "
        "deposit, or the estimate at the hourly rate.",
    )
    rsb_deposit_move_id = fields.Many2one(
        comodel_name="account.move",
        string="Deposit Invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    rsb_deposit_paid_amount = fields.Monetary(
        string="Deposit Received",
        currency_field="rsb_currency_id",
        compute="_compute_rsb_deposit_paid_amount",
    )
    rsb_deposit_waived = fields.Boolean(
        string="Deposit Waived",
        readonly=True,
        copy=False,
        tracking=True,
        help="A helpdesk manager let this ticket be scheduled without its deposit.",
    )
    rsb_deposit_state = fields.Selection(
        selection=DEPOSIT_STATES,
        string="Deposit Status",
        compute="_compute_rsb_deposit_state",
        store=True,
        tracking=True,
        copy=False,
    )
    rsb_settled = fields.Boolean(string="Settled", readonly=True, copy=False)
    rsb_settlement_move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="rsb_ticket_settlement_move_rel",
        column1="ticket_id",
        column2="move_id",
        string="Settlement Documents",
        readonly=True,
        copy=False,
        help="Invoices, credit notes and refunds created by the settle-up.",
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

    @api.depends("team_id.rsb_service_product_id", "commercial_partner_id", "rsb_currency_id")
    def _compute_rsb_hourly_rate(self):
        for ticket in self:
            ticket.rsb_hourly_rate = ticket._rsb_get_hourly_rate()

    @api.depends("team_id.rsb_deposit_default", "rsb_estimate_hours", "rsb_currency_id")
    def _compute_rsb_deposit_amount(self):
        for ticket in self:
            if ticket.rsb_deposit_move_id:
                continue  # what was requested stays what it was
            if ticket.rsb_estimate_hours > 0:
                ticket.rsb_deposit_amount = ticket.rsb_currency_id.round(
                    ticket.rsb_estimate_hours * ticket._rsb_get_hourly_rate()
                )
            else:
                ticket.rsb_deposit_amount = (
                    ticket.team_id.rsb_currency_id._convert(
                        ticket.team_id.rsb_deposit_default,
                        ticket.rsb_currency_id,
                        ticket.company_id or self.env.company,
                        fields.Date.context_today(ticket),
                    )
                    if ticket.team_id and ticket.rsb_currency_id
                    else 0.0
                )

    @api.depends("rsb_deposit_move_id.amount_residual", "rsb_deposit_move_id.state")
    def _compute_rsb_deposit_paid_amount(self):
        for ticket in self:
            move = ticket.rsb_deposit_move_id
            ticket.rsb_deposit_paid_amount = (
                move.amount_total - move.amount_residual if move.state == "posted" else 0.0
            )

    @api.depends(
        "rsb_settled",
        "rsb_deposit_waived",
        "rsb_deposit_move_id.state",
        "rsb_deposit_move_id.payment_state",
        "commercial_partner_id.rsb_prepay_required",
    )
    def _compute_rsb_deposit_state(self):
        for ticket in self:
            move = ticket.rsb_deposit_move_id
            if ticket.rsb_settled:
                state = "settled"
            elif move and move.state == "cancel":
                state = "cancelled"
            elif move and move.payment_state in ("paid", "in_payment"):
                state = "paid"
            elif move:
                state = "requested"
            elif ticket.rsb_deposit_waived or not ticket.commercial_partner_id.rsb_prepay_required:
                state = "not_required"
            else:
                state = "to_request"
            ticket.rsb_deposit_state = state

    @api.constrains("rsb_deposit_amount", "rsb_estimate_hours")
    def _check_rsb_deposit_amount(self):
        for ticket in self:
            if ticket.rsb_deposit_amount < 0:
                raise ValidationError(_("A deposit cannot be negative."))
            if ticket.rsb_estimate_hours < 0:
                raise ValidationError(_("An estimate cannot be negative."))

    # ------------------------------------------------------------------ actions
    def action_rsb_request_deposit(self):
        """Create the deposit invoice the client pays in the portal, and email the link."""
        for ticket in self:
            ticket._rsb_check_can_request_deposit()
        for ticket in self:
            move = (
                self.env["account.move"].sudo().create(ticket._prepare_rsb_deposit_invoice_values())
            )
            move.action_post()
            ticket.rsb_deposit_move_id = move
            ticket._rsb_send_deposit_request()
        return True

    def action_rsb_view_deposit(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update(
            {
                "res_id": self.rsb_deposit_move_id.id,
                "views": [(False, "form")],
                "domain": [("id", "=", self.rsb_deposit_move_id.id)],
            }
        )
        return action

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

    def _rsb_check_can_request_deposit(self):
        self.ensure_one()
        partner = self.commercial_partner_id
        if not partner:
            raise UserError(
                _(
                    "Ticket %s has no client: set the customer before requesting a deposit.",
                    self.display_name,
                )
            )
        if not partner.active:
            raise UserError(
                _(
                    "Client %s is archived: restore the client before requesting a deposit.",
                    partner.display_name,
                )
            )
        if self.rsb_deposit_move_id and self.rsb_deposit_move_id.state != "cancel":
            raise UserError(
                _(
                    "A deposit was already requested for ticket %(ticket)s (%(move)s).",
                    ticket=self.display_name,
                    move=self.rsb_deposit_move_id.name,
                )
            )
        if self.rsb_settled:
            raise UserError(_("Ticket %s is already settled.", self.display_name))
        currency = self.rsb_currency_id
        if float_compare(self.rsb_deposit_amount, 0.0, precision_rounding=currency.rounding) <= 0:
            raise UserError(
                _(
                    "The deposit of ticket %s must be more than zero: set the team's default "
                    "deposit or an estimate.",
                    self.display_name,
                )
            )
        pricelist = partner.with_company(self.company_id).property_product_pricelist
        if pricelist and pricelist.currency_id != currency:
            raise UserError(
                _(
                    "The deposit is in %(deposit)s but the client's pricelist is in %(pricelist)s.",
                    deposit=currency.name,
                    pricelist=pricelist.currency_id.name,
                )
            )

    def _prepare_rsb_deposit_invoice_values(self):
        """Values of the deposit invoice: one line on the company's customer deposits
        account (a liability), no tax, due immediately. Hook for other addons."""
        self.ensure_one()
        company = self.company_id or self.env.company
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "sale")],
            limit=1,
        )
        if not journal:
            raise UserError(_("Company %s has no sales journal.", company.name))
        return {
            "move_type": "out_invoice",
            "company_id": company.id,
            "journal_id": journal.id,
            "partner_id": self.commercial_partner_id.id,
            "currency_id": self.rsb_currency_id.id,
            "invoice_date": fields.Date.context_today(self),
            "invoice_payment_term_id": self.env.ref("account.account_payment_term_immediate").id,
            "invoice_origin": self.number,
            "rsb_deposit_ticket_id": self.id,
            "invoice_line_ids": [
                fields.Command.create(
                    {
                        "name": _(
                            "Deposit for ticket %(number)s: %(name)s",
                            number=self.number,
                            name=self.name,
                        ),
                        "quantity": 1.0,
                        "price_unit": self.rsb_deposit_amount,
                        "account_id": company._rsb_get_deposit_account().id,
                        "tax_ids": [fields.Command.clear()],
                    }
                )
            ],
        }

    def _rsb_send_deposit_request(self):
        """Email the client the portal link where they accept the agreement and pay."""
        template = self.env.ref(
            "remote_support_billing.mail_template_rsb_deposit_request", raise_if_not_found=False
        )
        for ticket in self:
            if template and ticket.partner_id.email:
                ticket.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
            else:
                ticket.message_post(
                    body=_(
                        "Deposit of %(amount)s requested (%(move)s). The client has no "
                        "email address: send them the portal link.",
                        amount=ticket.rsb_deposit_amount,
                        move=ticket.rsb_deposit_move_id.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    # ------------------------------------------------------------------ credit hold
    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        # Checked on the created records so that every path is covered (back office, portal
        # form, email gateway, import, RPC), whatever default set the client.
        tickets._rsb_check_credit_hold()
        return tickets

    def write(self, vals):
        res = super().write(vals)
        if "stage_id" in vals or "partner_id" in vals:
            self._rsb_check_credit_hold(moving=True)
        return res

    def _rsb_check_credit_hold(self, moving=False):
        """No new ticket, and no ticket moved to an open stage, for a client on credit hold."""
        held = self.filtered(lambda t: t.commercial_partner_id.rsb_credit_hold)
        if moving:
            held = held.filtered(lambda t: not t.stage_id.closed)
        if held:
            raise UserError(self._rsb_credit_hold_message(held.commercial_partner_id[:1]))

    @api.model
    def _rsb_credit_hold_message(self, partner):
        return _(
            "%s is on credit hold: no new ticket can be created or scheduled until the "
            "overdue invoices are paid. The client can pay them in the portal; an accountant "
            "or helpdesk manager can lift the hold.",
            partner.sudo().display_name,
        )
