"""Pause dunning on invoices or clients with a reason (dispute, promise, bankruptcy, plan)."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.account_move import PAUSE_REASONS

PAUSABLE_MODELS = ("res.partner", "account.move")


class RsbDunningPauseWizard(models.TransientModel):
    """Pause (or resume) the dunning of clients or invoices, with a reason and an end date."""

    _name = "rsb.dunning.pause.wizard"
    _description = "Pause Dunning"

    res_model = fields.Char(required=True)
    res_ids = fields.Json(required=True)
    reason = fields.Selection(PAUSE_REASONS, required=True)
    date_until = fields.Date(
        string="Until", help="Dunning resumes after this date; empty: until resumed."
    )
    note = fields.Char()

    @api.model
    def _rsb_action_open(self, records):
        if records._name not in PAUSABLE_MODELS:
            raise UserError(_("Only clients and invoices can be paused."))
        if records._name == "res.partner":
            records = records.commercial_partner_id
        return {
            "type": "ir.actions.act_window",
            "name": _("Pause Dunning"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_res_model": records._name, "default_res_ids": records.ids},
        }

    def _rsb_records(self):
        self.ensure_one()
        if self.res_model not in PAUSABLE_MODELS:
            raise UserError(_("Only clients and invoices can be paused."))
        records = self.env[self.res_model].browse(self.res_ids).exists()
        if records._name == "res.partner":
            # Accountants and helpdesk managers pause clients they may not otherwise edit
            # (the same rule as the billing policy fields), so the write is done in sudo.
            records.check_access("read")
            records._rsb_check_billing_policy_access()
            return records.sudo()
        records.check_access("write")
        return records

    def action_pause(self):
        self.ensure_one()
        if self.date_until and self.date_until < fields.Date.context_today(self):
            raise UserError(_("The end date of a pause cannot be in the past."))
        records = self._rsb_records()
        records.write(
            {
                "rsb_dunning_pause_reason": self.reason,
                "rsb_dunning_pause_until": self.date_until,
                "rsb_dunning_pause_note": self.note,
            }
        )
        reason = dict(PAUSE_REASONS)[self.reason]
        for record in records:
            record.message_post(
                body=_(
                    "Dunning paused (%(reason)s) until %(until)s. %(note)s",
                    reason=reason,
                    until=self.date_until or _("resumed"),
                    note=self.note or "",
                ),
                subtype_xmlid="mail.mt_note",
            )
        return {"type": "ir.actions.act_window_close"}

    def action_resume(self):
        self.ensure_one()
        records = self._rsb_records()
        records.write(
            {
                "rsb_dunning_pause_reason": False,
                "rsb_dunning_pause_until": False,
                "rsb_dunning_pause_note": False,
            }
        )
        for record in records:
            record.message_post(body=_("Dunning resumed."), subtype_xmlid="mail.mt_note")
        return {"type": "ir.actions.act_window_close"}
