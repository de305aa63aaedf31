"""Clients in collections with what they owe (the one definition) and their history dates."""

from odoo import _, fields, models
from odoo.tools import SQL


class RsbCollectionsReport(models.Model):
    """Clients handed to collections (``res.partner.rsb_collections``, set by dunning), with
    their balance, what is overdue, and the dates that tell their history; the buttons open
    their invoices, payments and chatter. What a client owes is the SQL of
    `res.partner._rsb_receivable_position_sql` (credits netted, deposit requests excluded)."""

    _name = "rsb.collections.report"
    _description = "Clients in Collections"
    _auto = False
    _rec_name = "partner_id"
    _order = "amount_overdue desc, id"

    partner_id = fields.Many2one(comodel_name="res.partner", string="Client", readonly=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    collections_date = fields.Date(string="In Collections Since", readonly=True)
    amount_balance = fields.Monetary(string="Balance", readonly=True)
    amount_overdue = fields.Monetary(string="Overdue", readonly=True)
    open_count = fields.Integer(string="Open Invoices", readonly=True)
    oldest_due_date = fields.Date(readonly=True)
    last_invoice_date = fields.Date(readonly=True)
    last_payment_date = fields.Date(readonly=True)

    _depends = {
        "account.move": [
            "move_type",
            "state",
            "commercial_partner_id",
            "company_id",
            "invoice_date",
            "rsb_deposit_ticket_id",
        ],
        "account.move.line": [
            "amount_residual",
            "reconciled",
            "date_maturity",
            "partner_id",
            "account_id",
            "parent_state",
        ],
        "account.payment": ["partner_id", "date", "state", "payment_type", "partner_type"],
        "res.partner": ["rsb_collections", "rsb_collections_date", "user_id"],
    }

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        company = self.env.company
        partners = self.env["res.partner"].with_company(company)
        return SQL(
            """
            SELECT partner.id AS id,
                   partner.id AS partner_id,
                   partner.user_id AS user_id,
                   %(currency)s AS currency_id,
                   %(company)s AS company_id,
                   %(collections_date)s AS collections_date,
                   COALESCE(owed.balance, 0.0) AS amount_balance,
                   COALESCE(owed.overdue, 0.0) AS amount_overdue,
                   COALESCE(owed.open_count, 0) AS open_count,
                   owed.oldest_due_date AS oldest_due_date,
                   (SELECT MAX(inv.invoice_date) FROM account_move inv
                     WHERE inv.commercial_partner_id = partner.id AND inv.state = 'posted'
                       AND inv.move_type = 'out_invoice' AND inv.company_id = %(company)s
                   ) AS last_invoice_date,
                   (SELECT MAX(pay.date) FROM account_payment pay
                      JOIN res_partner payer ON payer.id = pay.partner_id
                     WHERE payer.commercial_partner_id = partner.id
                       AND pay.payment_type = 'inbound' AND pay.partner_type = 'customer'
                       AND pay.state IN ('in_process', 'paid') AND pay.company_id = %(company)s
                   ) AS last_payment_date
              FROM res_partner partner
              LEFT JOIN (%(position)s) owed ON owed.partner_id = partner.id
             WHERE %(collections)s
            """,
            # the collections flag is per company (jsonb column): the current company's
            collections=partners._field_to_sql("partner", "rsb_collections"),
            collections_date=partners._field_to_sql("partner", "rsb_collections_date"),
            currency=company.currency_id.id,
            company=company.id,
            position=self.env["res.partner"]._rsb_receivable_position_sql(company, today),
        )

    def action_open_partner(self):
        """The client's form: its chatter is the history of reminders, plans and calls."""
        self.ensure_one()
        return self.partner_id._get_records_action(name=self.partner_id.display_name)

    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [
            ("commercial_partner_id", "=", self.partner_id.id),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
        ]
        action["context"] = {"create": False, "search_default_open": 1}
        action["name"] = _("Invoices of %s", self.partner_id.display_name)
        return action

    def action_open_payments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_account_payments")
        action["domain"] = [("partner_id", "child_of", self.partner_id.id)]
        action["name"] = _("Payments of %s", self.partner_id.display_name)
        return action
