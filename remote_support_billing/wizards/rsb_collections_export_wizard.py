"""Export of the clients marked for collections (CSV/XLSX) for a collection agency."""

import base64
import csv
import io
from datetime import date, datetime, time

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import xlsxwriter


class RsbCollectionsExportWizard(models.TransientModel):
    """What a collection agency needs, per overdue invoice of the clients marked for
    collections: name, address, phone, email, invoices, amounts, due dates, last contact."""

    _name = "rsb.collections.export.wizard"
    _description = "Export Collections"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Clients",
        required=True,
        default=lambda self: self._default_partner_ids(),
    )
    file_format = fields.Selection(
        [("csv", "CSV"), ("xlsx", "Excel (XLSX)")], default="xlsx", required=True
    )
    data = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.model
    def _default_partner_ids(self):
        active_ids = self.env.context.get("active_ids")
        if self.env.context.get("active_model") == "res.partner" and active_ids:
            return self.env["res.partner"].browse(active_ids).commercial_partner_id
        return self.env["res.partner"].search([("rsb_collections", "=", True)])

    def _rsb_columns(self):
        """The column headers, in the user's language (the rows follow this order)."""
        return [
            self.env._("Client"),
            self.env._("Street"),
            self.env._("Street 2"),
            self.env._("Zip"),
            self.env._("City"),
            self.env._("State"),
            self.env._("Country"),
            self.env._("Phone"),
            self.env._("Mobile"),
            self.env._("Email"),
            self.env._("VAT"),
            self.env._("Invoice"),
            self.env._("Invoice Date"),
            self.env._("Due Date"),
            self.env._("Days Overdue"),
            self.env._("Amount"),
            self.env._("Amount Due"),
            self.env._("Currency"),
            self.env._("Dunning Level"),
            self.env._("Collections Since"),
            self.env._("Last Contact"),
        ]

    def _rsb_rows(self):
        """The export rows: one per overdue invoice (due date and days late: its oldest open
        instalment's), three queries whatever the number."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        partners = self.partner_ids.commercial_partner_id
        if not partners:
            return []
        # the overdue invoices by the one rule of what a client owes (no deposit request)
        moves = self.env["account.move"].search(
            partners._rsb_owed_invoice_domain(overdue_date=today),
            order="commercial_partner_id, invoice_date_due",
        )
        # each invoice's oldest receivable item still open (a late first instalment: the
        # invoice's invoice_date_due is its last instalment's)
        oldest_due = dict(
            self.env["account.move.line"]._read_group(
                [
                    ("move_id", "in", moves.ids),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("reconciled", "=", False),
                    ("amount_residual", ">", 0),
                ],
                ["move_id"],
                ["date_maturity:min"],
            )
        )
        last_contact = dict(
            self.env["rsb.dunning.history"]._read_group(
                [("partner_id", "in", partners.ids)],
                ["partner_id"],
                ["date:max"],
            )
        )
        rows = []
        for move in moves:
            p = move.commercial_partner_id
            due = oldest_due.get(move) or move.invoice_date_due
            rows.append(
                [
                    p.name,
                    p.street or "",
                    p.street2 or "",
                    p.zip or "",
                    p.city or "",
                    p.state_id.name or "",
                    p.country_id.name or "",
                    p.phone or "",
                    p.mobile or "",
                    p.email or "",
                    p.vat or "",
                    move.name,
                    move.invoice_date,
                    due,
                    (today - due).days,
                    move.amount_total,
                    move.amount_residual,
                    move.currency_id.name,
                    move.rsb_dunning_level_id.name or "",
                    p.rsb_collections_date or "",
                    last_contact.get(p) or "",
                ]
            )
        return rows

    def action_export(self):
        self.ensure_one()
        rows = self._rsb_rows()
        if not rows:
            raise UserError(_("The selected clients have no overdue invoice."))
        if self.file_format == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(self._rsb_columns())
            writer.writerows([[str(v) if v is not None else "" for v in row] for row in rows])
            content = buffer.getvalue().encode("utf-8")
        else:
            buffer = io.BytesIO()
            workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
            sheet = workbook.add_worksheet(_("Collections"))
            bold = workbook.add_format({"bold": True})
            date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
            sheet.write_row(0, 0, self._rsb_columns(), bold)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    if isinstance(value, date):
                        sheet.write_datetime(r, c, datetime.combine(value, time()), date_fmt)
                    else:
                        sheet.write(r, c, value)
            workbook.close()
            content = buffer.getvalue()
        self.write(
            {
                "data": base64.b64encode(content),
                "filename": f"collections_{fields.Date.context_today(self)}.{self.file_format}",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/?model={self._name}&id={self.id}&field=data"
            f"&filename_field=filename&download=true",
            "target": "self",
        }
