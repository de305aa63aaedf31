"""A deposit's portal page: after paying, the client lands back on the ticket."""

from odoo.addons.account_payment.controllers.portal import PortalAccount


class RsbDepositInvoicePortal(PortalAccount):
    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        values = super()._invoice_get_page_view_values(invoice, access_token, **kwargs)
        # `invoice` is the record the portal already checked (sudo); its ticket's portal URL
        # carries the ticket's own access token.
        ticket = invoice.rsb_deposit_ticket_id
        if ticket and invoice.move_type == "out_invoice":
            values["rsb_ticket_url"] = ticket.get_portal_url()
            if "landing_route" in values:
                values["landing_route"] = values["rsb_ticket_url"]
        return values
