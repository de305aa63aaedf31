from odoo import _, fields, models
from odoo.tools import SQL


class RsbCollectionsReport(models.Model):
    """Clients handed to collections (``res.partner.rsb_collections``, set by dunning), with
    their balance, what is overdue, and the dates that tell their history; the buttons open
    their invoices, payments and chatter. Empty while dunning is not installed."""

    _name = "rsb.collections.report"
    _description = "Clients in Collections"
    _auto = False
    _rec_name = "partner_id"
    _order = "amount_overdue desc, id"

    partner_id = fields.Many2one(comodel_name="res.partner", string="Client", readonly=True)
    user_id = fields.Many2one(comodel_name="res.users", string="Salesperson", readonly=True)
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
            "invoice_date_due",
            "amount_residual",
            "amount_residual_signed",
        ],
        "account.payment": ["partner_id", "date", "state", "payment_type", "partner_type"],
    }

    def _rsb_collections_available(self):
        return "rsb_collections" in self.env["res.partner"]._fields

    @property
    def _table_query(self):
        if not self._rsb_collections_available():
            return SQL(
                """SELECT NULL::int AS id, NULL::int AS partner_id, NULL::int AS user_id,
                          NULL::int AS currency_id, NULL::date AS collections_date,
                          NULL::numeric AS amount_balance, NULL::numeric AS amount_overdue,
                          NULL::int AS open_count, NULL::date AS oldest_due_date,
                          NULL::date AS last_invoice_date, NULL::date AS last_payment_date
                    WHERE FALSE"""
            )
        today = fields.Date.context_today(self)
        company = self.env.company
        partner_fields = self.env["res.partner"]._fields
        since = (
            SQL("partner.rsb_collections_date")
            if "rsb_collections_date" in partner_fields
            else SQL("NULL::date")
        )
        # dunning's fields may not exist: they are flushed through the query, not `_depends`
        to_flush = SQL().join(
            SQL(to_flush=partner_fields[fname])
            for fname in ("rsb_collections", "rsb_collections_date")
            if fname in partner_fields
        )
        query = SQL(
            """
            SELECT partner.id AS id,
                   partner.id AS partner_id,
                   partner.user_id AS user_id,
                   %(currency)s AS currency_id,
                   %(since)s AS collections_date,
                   COALESCE(open_moves.balance, 0.0) AS amount_balance,
                   COALESCE(open_moves.overdue, 0.0) AS amount_overdue,
                   COALESCE(open_moves.open_count, 0) AS open_count,
                   open_moves.oldest_due_date AS oldest_due_date,
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
              LEFT JOIN LATERAL (
                   SELECT SUM(m.amount_residual_signed) AS balance,
                          SUM(m.amount_residual_signed) FILTER (
                              WHERE m.move_type = 'out_invoice' AND m.invoice_date_due < %(today)s
                          ) AS overdue,
                          COUNT(*) FILTER (WHERE m.move_type = 'out_invoice') AS open_count,
                          MIN(m.invoice_date_due) FILTER (
                              WHERE m.move_type = 'out_invoice' AND m.invoice_date_due < %(today)s
                          ) AS oldest_due_date
                     FROM account_move m
                    WHERE m.commercial_partner_id = partner.id
                      AND m.move_type IN ('out_invoice', 'out_refund')
                      AND m.state = 'posted'
                      AND m.amount_residual != 0
                      AND m.company_id = %(company)s
                   ) open_moves ON TRUE
             WHERE partner.rsb_collections
            """,
            currency=company.currency_id.id,
            company=company.id,
            since=since,
            today=today,
        )
        return SQL("%s%s", query, to_flush)

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
