"""Odoo's Send (`account.move.send`, run by the asynchronous job
`account.ir_cron_account_move_send`) never fails silently on the addon's documents.

- A PDF that cannot be made (wkhtmltopdf error, empty file) becomes the document's send error
  through Odoo's own error path (`invoice_data["error"]` -> `_hook_if_errors`), instead of an
  exception that fails the whole job and leaves every queued invoice unsent, run after run.
- Send errors met in the background (the job: Odoo only posts them on the document) and a
  document of ours that Odoo "sends" without an email address to send it to are shown on the
  ticket: a note, an activity for the person responsible, the error on the document
  (`account.move.rsb_send_error`) and the ticket's "Resend" button.
"""

import logging

import psycopg2

from odoo import api, models

_logger = logging.getLogger(__name__)


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _prepare_invoice_pdf_report(self, invoices_data):
        try:
            with self.env.cr.savepoint():
                return super()._prepare_invoice_pdf_report(invoices_data)
        except psycopg2.Error:
            raise  # a concurrent update or a lost connection: the job retries, nothing to report
        except Exception as error:
            if len(invoices_data) == 1:
                self._rsb_set_pdf_error(invoices_data, error)
                return None
        # A batch failed: make each PDF on its own, so one bad invoice does not hold the others.
        for invoice, invoice_data in invoices_data.items():
            try:
                with self.env.cr.savepoint():
                    super()._prepare_invoice_pdf_report({invoice: invoice_data})
            except psycopg2.Error:
                raise
            except Exception as error:
                self._rsb_set_pdf_error({invoice: invoice_data}, error)
        return None

    @api.model
    def _rsb_set_pdf_error(self, invoices_data, error):
        """Record a PDF failure as Odoo's send error of these invoices."""
        for invoice, invoice_data in invoices_data.items():
            _logger.warning("The PDF of %s could not be made", invoice.display_name, exc_info=True)
            invoice_data["error"] = {
                "error_title": self.env._("The PDF of %s could not be made:", invoice.display_name),
                "errors": [str(error) or error.__class__.__name__],
            }

    @api.model
    def _hook_if_errors(self, moves_data, allow_raising=True):
        if not allow_raising:
            moves = self.env["account.move"].browse([move.id for move in moves_data])
            moves._rsb_report_send_failure(
                {
                    move.id: self._format_error_text(data["error"])
                    for move, data in moves_data.items()
                }
            )
        return super()._hook_if_errors(moves_data, allow_raising=allow_raising)

    @api.model
    def _hook_if_success(self, moves_data):
        moves = self.env["account.move"].browse([move.id for move in moves_data])
        ours = moves.filtered(lambda m: m._rsb_send_tickets())
        no_email = ours.filtered(
            lambda m: "email" in moves_data[m]["sending_methods"] and not m.partner_id.email
        )
        # Cleared before the emails leave: a mail server refusing one sets it again.
        resent = (ours - no_email).filtered("rsb_send_error")
        resent.sudo().rsb_send_error = False
        result = super()._hook_if_success(moves_data)
        no_email._rsb_report_send_failure(
            {
                move.id: self.env._(
                    "%(move)s was not emailed: %(client)s has no email address.",
                    move=move.display_name,
                    client=move.partner_id.display_name,
                )
                for move in no_email
            }
        )
        resent.filtered(lambda m: not m.rsb_send_error)._rsb_notify_sent()
        return result
