"""A client disputes an invoice (issue 25): a reason, a comment and attachments from the
portal; dunning pauses for that invoice (its pause "Dispute"), the accountant gets an
activity; the resolution (credit note, corrected invoice, rejected) is recorded and told to the
client, and dunning resumes for what is still due."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

DISPUTE_REASONS = [
    ("amount", "The amount is wrong"),
    ("not_done", "The work was not done"),
    ("duplicate", "Billed twice"),
    ("other", "Other"),
]
RESOLUTIONS = [
    ("credit_note", "Credit note issued"),
    ("corrected", "Corrected invoice issued"),
    ("rejected", "Rejected: the invoice stands"),
]
# What a client may attach to a dispute (each file).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5


class RsbInvoiceDispute(models.Model):
    _name = "rsb.invoice.dispute"
    _description = "Invoice Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, readonly=True, check_company=True
    )
    partner_id = fields.Many2one("res.partner", string="Client", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    reason = fields.Selection(DISPUTE_REASONS, required=True, readonly=True)
    comment = fields.Text(readonly=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments", readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("resolved", "Resolved")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
    )
    resolution = fields.Selection(RESOLUTIONS, readonly=True, tracking=True)
    resolution_note = fields.Text(
        string="Resolution Note", help="What was decided, as the client will read it."
    )
    resolved_by_id = fields.Many2one("res.users", readonly=True)

    def _compute_display_name(self):
        for dispute in self:
            dispute.display_name = _("Dispute of %s", dispute.move_id.name or "")

    # ------------------------------------------------------------------ opening
    @api.model
    def _rsb_open(self, partner, move, reason, comment="", files=()):
        """Record `partner`'s dispute of `move` and pause its dunning. Checked here: the
        client's own posted customer invoice with something due, not disputed already, a
        known reason, at most MAX_ATTACHMENTS files of MAX_ATTACHMENT_BYTES each.

        :param files: [(file name, bytes, mimetype)]
        :return: the dispute
        :raise UserError: nothing is written then
        """
        client = partner.commercial_partner_id
        move = move.sudo().exists()
        if (
            not move
            or move.commercial_partner_id != client
            or move.move_type != "out_invoice"
            or move.state != "posted"
        ):
            raise UserError(_("This invoice does not exist or is not yours."))
        if move.currency_id.is_zero(move.amount_residual):
            raise UserError(_("Invoice %s is paid: nothing to dispute.", move.name))
        if reason not in dict(DISPUTE_REASONS):
            raise UserError(_("Choose why you dispute the invoice."))
        if self.sudo().search_count([("move_id", "=", move.id), ("state", "=", "open")]):
            raise UserError(_("Invoice %s is already disputed: we are looking into it.", move.name))
        files = list(files)
        if len(files) > MAX_ATTACHMENTS:
            raise UserError(_("Attach at most %s files.", MAX_ATTACHMENTS))
        for name, content, _mimetype in files:
            if len(content) > MAX_ATTACHMENT_BYTES:
                raise UserError(_("%s is larger than 10 MB.", name))
        dispute = self.sudo().create(
            {
                "move_id": move.id,
                "partner_id": client.id,
                "company_id": move.company_id.id,
                "reason": reason,
                "comment": (comment or "").strip()[:4000],
            }
        )
        if files:
            dispute.attachment_ids = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    [
                        {
                            "name": name,
                            "raw": content,
                            "res_model": dispute._name,
                            "res_id": dispute.id,
                        }
                        for name, content, _mimetype in files
                    ]
                )
            )
        move.with_context(tracking_disable=True).write(
            {
                "rsb_dunning_pause_reason": "dispute",
                "rsb_dunning_pause_until": False,
                "rsb_dunning_pause_note": _("Disputed by the client"),
            }
        )
        reason_label = dict(self._fields["reason"]._description_selection(self.env))[reason]
        note = _(
            "%(client)s disputes %(move)s: %(reason)s. %(comment)s Dunning paused for it.",
            client=client.name,
            move=move.name,
            reason=reason_label,
            comment=dispute.comment or "",
        )
        move.message_post(body=note, subtype_xmlid="mail.mt_note")
        accountant = move.company_id._rsb_get_money_out_user()
        dispute.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Invoice disputed: resolve it"),
            note=note,
            user_id=(accountant or self.env.ref("base.user_admin")).id,
        )
        return dispute

    # ------------------------------------------------------------------ resolving
    def _rsb_resolve(self, resolution):
        """Record the resolution, tell the client (a message on the invoice to them) and
        resume dunning for what is still due."""
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only an accountant can resolve a dispute."))
        self.check_access("read")
        for dispute in self.sudo():
            if dispute.state != "open":
                raise UserError(_("%s is already resolved.", dispute.display_name))
            if not (dispute.resolution_note or "").strip():
                raise UserError(_("Say what was decided (the client reads it) before resolving."))
            dispute.write(
                {"state": "resolved", "resolution": resolution, "resolved_by_id": self.env.uid}
            )
            move = dispute.move_id
            if move.rsb_dunning_pause_reason == "dispute":
                move.with_context(tracking_disable=True).write(
                    {
                        "rsb_dunning_pause_reason": False,
                        "rsb_dunning_pause_until": False,
                        "rsb_dunning_pause_note": False,
                    }
                )
            label = dict(self._fields["resolution"]._description_selection(self.env))[resolution]
            move.message_post(
                body=_(
                    "Your dispute of %(move)s is resolved: %(resolution)s. %(note)s",
                    move=move.name,
                    resolution=label,
                    note=dispute.resolution_note,
                ),
                partner_ids=dispute.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            dispute.activity_ids.action_feedback(feedback=label)
        return True

    def action_resolve_credit_note(self):
        return self._rsb_resolve("credit_note")

    def action_resolve_corrected(self):
        return self._rsb_resolve("corrected")

    def action_resolve_rejected(self):
        return self._rsb_resolve("rejected")

    def write(self, vals):
        # the accountant writes the resolution text; everything else by the methods above
        if not self.env.su and set(vals) - {"resolution_note"}:
            raise AccessError(_("A dispute is changed by its Resolve buttons only."))
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only an accountant can resolve a dispute."))
        return super().write(vals)
