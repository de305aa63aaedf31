"""Settle Up from the ticket's form shows what the settle-up will do, in figures, before it does
it: the same plan as the settle-up itself (rsb.settle.preview.wizard)."""

from odoo import Command, _, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def action_rsb_settle_preview(self):
        """Settle Up from the form: what the settle-up will do, in figures, before it does
        it (the same plan: `_rsb_settlement_preview`); Confirm runs `action_rsb_settle`."""
        self.ensure_one()
        self.check_access("write")
        self.sudo()._rsb_settlement_preview()  # what to fix is said before the dialog opens
        return {
            "type": "ir.actions.act_window",
            "name": _("Settle Up %s", self.display_name),
            "res_model": "rsb.settle.preview.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    def _rsb_settlement_preview(self):
        """What the settle-up of this ticket would do, without writing anything: the plan of
        `_rsb_prepare_settlement` and the invoice's predicted total (taxes included), the
        deposit applied on it, then what is charged, or returned or kept. Called in sudo
        after the caller's access check. :return: dict of figures in the billing currency"""
        self.ensure_one()
        plan = self._rsb_prepare_settlement(self._rsb_get_lines_to_settle()[self])
        currency = plan["currency"]
        total = 0.0
        if plan["quantity"]:
            total = self._rsb_predict_amount_total(
                self._prepare_rsb_settlement_invoice_values(plan)
            )
        available = plan["deposit_available"]
        applied = currency.round(min(available, total)) if total > 0 else 0.0
        unused = currency.round(available - applied)
        late_fees = self._rsb_preview_late_fees(plan) if plan["quantity"] else 0.0
        return {
            "currency": currency,
            "minutes": plan["minutes"],
            "quantity": plan["quantity"],
            "rate": plan["rate"],
            "total": total,
            "deposit_available": available,
            "applied": applied,
            "late_fees": late_fees,
            "to_charge": currency.round(total - applied + late_fees),
            "unused": unused if currency.compare_amounts(unused, 0.0) > 0 else 0.0,
            "unused_policy": self._rsb_get_unused_deposit_policy(),
        }

    def _rsb_preview_late_fees(self, plan):
        """The late fees the settle-up invoice would bill (company setting: on the client's
        next settle-up), taxes included, without taking them."""
        self.ensure_one()
        company = self._rsb_company()
        if company.rsb_fee_billing != "settle_up":
            return 0.0
        fees = (
            self.env["rsb.dunning.fee"]
            .sudo()
            .search(
                [
                    ("fee_move_id", "=", False),
                    ("run_line_id", "!=", False),
                    ("company_id", "=", company.id),
                    ("partner_id", "=", self.commercial_partner_id.id),
                    ("currency_id", "=", plan["currency"].id),
                ]
            )
        )
        if not fees:
            return 0.0
        values = self._prepare_rsb_settlement_invoice_values(plan)
        lines = self._prepare_rsb_fee_lines_values(fees, self._rsb_get_fiscal_position())
        return self._rsb_predict_amount_total(
            {**values, "invoice_line_ids": [Command.create(vals) for vals in lines]}
        )
