"""Dunning run lines: one client of a run, the level reached and the actions done for it
(email, SMS, activity, letter, credit hold, trust, collections)."""

import uuid
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL, float_compare, format_amount

from .account_move import PAUSE_REASONS

LINE_STATES = [
    ("to_do", "To Do"),
    ("paused", "Paused"),
    ("done", "Done"),
    ("skipped", "Skipped"),
]


class RsbDunningRunLine(models.Model):
    """One client of a dunning run: the level reached (the highest of their invoices that
    reached a new level), all their overdue invoices, the fee and the actions. The client
    gets one communication per run."""

    _name = "rsb.dunning.run.line"
    _description = "Dunning Run Line"
    _order = "run_id desc, amount_due desc, id"
    _rec_name = "partner_id"

    run_id = fields.Many2one("rsb.dunning.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    date = fields.Date(related="run_id.date")
    partner_id = fields.Many2one("res.partner", string="Client", required=True, index=True)
    level_id = fields.Many2one("rsb.dunning.level", required=True, ondelete="restrict")
    move_ids = fields.Many2many(
        "account.move",
        "rsb_dunning_run_line_move_rel",
        "line_id",
        "move_id",
        string="Overdue Invoices",
        help="All the client's overdue invoices, listed in the communication.",
    )
    paused_move_ids = fields.Many2many(
        "account.move",
        "rsb_dunning_run_line_paused_move_rel",
        "line_id",
        "move_id",
        string="Paused Invoices",
    )
    amount_due = fields.Monetary(currency_field="currency_id", string="Overdue Amount")
    fee_amount = fields.Monetary(currency_field="currency_id", string="Late Fee")
    days_late = fields.Integer(string="Days Overdue", help="Of the oldest listed invoice.")
    deadline = fields.Date(compute="_compute_deadline", help="Pay-by date of a formal letter.")
    state = fields.Selection(LINE_STATES, default="to_do", required=True, index=True)
    pause_reason = fields.Selection(PAUSE_REASONS)
    actions = fields.Char(help="What the level does (preview).")
    result = fields.Text(help="What was done.")
    letter_id = fields.Many2one("rsb.dunning.letter", string="Letter", readonly=True)
    writeoff_proposed = fields.Boolean(
        readonly=True, help="Below the collections threshold: a write-off is proposed."
    )

    @api.depends("run_id.date", "level_id.letter_deadline_days")
    def _compute_deadline(self):
        for line in self:
            line.deadline = line.run_id.date and line.run_id.date + timedelta(
                days=line.level_id.letter_deadline_days
            )

    # ------------------------------------------------------------------ actions
    def action_rsb_writeoff(self):
        self.ensure_one()
        return self.partner_id.action_rsb_writeoff()

    # ------------------------------------------------------------------ business
    def _rsb_apply_level(self, rendered_email=None):
        """Do what the line's level does for the client, once. Returns what was done.

        The caller may execute the run (checked by `_rsb_execute_lines`); the client-side
        effects (chatter, activity, attachment, SMS) are done in sudo: an accountant may dun
        a client without the right to edit contacts."""
        self.ensure_one()
        level, partner = self.level_id, self.partner_id.sudo()
        labels = []
        for fee_move in self.fee_move_ids:
            labels.append(
                _(
                    "Late fee %(amount)s invoiced (%(move)s)",
                    amount=format_amount(self.env, fee_move.amount_total, fee_move.currency_id),
                    move=fee_move.name,
                )
            )
        if level.send_letter:
            labels.append(self._rsb_send_letter())
        if level.send_email:
            labels.append(self._rsb_send_email(rendered_email))
        if level.send_sms:
            labels.append(self._rsb_send_sms())
        if level.create_activity:
            labels.append(self._rsb_schedule_activity())
        overdue = (
            self.days_late > 0
            and float_compare(self.amount_due, 0.0, precision_rounding=self.currency_id.rounding)
            > 0
        )
        if level.credit_hold and overdue:
            labels.append(self._rsb_credit_hold())
        if level.revoke_trust and overdue and partner.rsb_trusted:
            partner._rsb_revoke_trust(
                _(
                    "invoices overdue (%(amount)s), dunning level %(level)s",
                    amount=format_amount(self.env, self.amount_due, self.currency_id),
                    level=level.name,
                ),
            )
            labels.append(_("Trust revoked"))
        if level.collections and overdue:
            labels.append(self._rsb_collections())
        labels = [label for label in labels if label]
        partner.message_post(
            body=Markup("%s<ul>%s</ul>")
            % (
                _(
                    "Dunning level %(level)s (run %(run)s), %(amount)s overdue:",
                    level=level.name,
                    run=self.run_id.name,
                    amount=format_amount(self.env, self.amount_due, self.currency_id),
                ),
                Markup().join(Markup("<li>%s</li>") % label for label in labels),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return labels

    def _rsb_partner_for_mail(self):
        """Who receives the email: the client's invoice address if it has an email."""
        self.ensure_one()
        invoice_contact = self.env["res.partner"].browse(
            self.partner_id.address_get(["invoice"])["invoice"]
        )
        return invoice_contact if invoice_contact.email else self.partner_id

    def _rsb_ensure_access_tokens(self):
        """Give the listed invoices their portal access token in one statement, so that the
        pay links of the email do not write each invoice."""
        moves = self.move_ids.filtered(lambda m: not m.access_token)
        if moves:
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET access_token = v.token "
                    "FROM unnest(%s::int[], %s::varchar[]) AS v(id, token) "
                    "WHERE account_move.id = v.id AND account_move.access_token IS NULL",
                    moves.ids,
                    [str(uuid.uuid4()) for _m in moves],
                )
            )
            moves.invalidate_recordset(["access_token"])

    def _rsb_invoice_pdf_attachments(self):
        """One PDF attachment per listed invoice (on the invoice)."""
        attachments = self.env["ir.attachment"]
        Report = self.env["ir.actions.report"]
        for move in self.move_ids:
            if move.invoice_pdf_report_id:
                content = move.invoice_pdf_report_id.raw
            else:
                content, _type = Report._render_qweb_pdf("account.account_invoices", move.ids)
            attachments |= attachments.create(
                {
                    "name": move._get_invoice_report_filename(),
                    "raw": content,
                    "res_model": "account.move",
                    "res_id": move.id,
                    "mimetype": "application/pdf",
                }
            )
        return attachments

    def _rsb_render_emails(self):
        """Render the level emails of these lines, one render per template (the template
        is compiled once for the batch), in each client's language.

        :return: {line id: (subject, body)}
        """
        self._rsb_ensure_access_tokens()
        rendered = {}
        for template in self.level_id.mail_template_id:
            lines = self.filtered(
                lambda line, template=template: line.level_id.mail_template_id == template
            )
            subjects = template._render_field("subject", lines.ids, compute_lang=True)
            bodies = template._render_field("body_html", lines.ids, compute_lang=True)
            rendered.update({lid: (subjects[lid], bodies[lid]) for lid in lines.ids})
        return rendered

    def _rsb_send_email(self, rendered=None):
        """Email the client (queued in mail.mail) with all their overdue invoices, a pay link
        per invoice, the invoice PDFs if the level says so and the letter if there is one;
        posted in the client's chatter. `rendered`: (subject, body) if already rendered."""
        self.ensure_one()
        template = self.level_id.mail_template_id
        recipient = self._rsb_partner_for_mail()
        if not template:
            return _("No email: level %s has no email template.", self.level_id.name)
        if not recipient.email:
            return _("No email: the client has no email address.")
        subject, body = rendered or self._rsb_render_emails()[self.id]
        attachments = self.env["ir.attachment"]
        if self.level_id.attach_invoices:
            attachments |= self._rsb_invoice_pdf_attachments()
        if self.letter_id:
            attachments |= self.letter_id.attachment_id
        attachments |= self._rsb_template_report_attachments(template)
        self.partner_id.sudo().with_context(mail_notify_force_send=False).message_post(
            subject=subject,
            body=body,
            partner_ids=recipient.ids,
            attachment_ids=attachments.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
        )
        return _(
            "Email to %(email)s (%(count)s invoices%(pdf)s)",
            email=recipient.email,
            count=len(self.move_ids),
            pdf=_(", PDFs attached") if self.level_id.attach_invoices else "",
        )

    def _rsb_send_sms(self):
        """Queue an SMS to the client's mobile (Odoo SMS), posted in their chatter."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        template = self.level_id.sms_template_id
        number = partner.mobile or partner.phone
        if not number:
            return _("No SMS: the client has no mobile number.")
        if template:
            body = template._render_field("body", partner.ids, compute_lang=True)[partner.id]
        else:
            body = _(
                "%(company)s: %(amount)s is overdue. Please pay your invoices.",
                company=self.company_id.name,
                amount=format_amount(self.env, self.amount_due, self.currency_id),
            )
        partner._message_sms(body, partner_ids=partner.ids, put_in_queue=True)
        return _("SMS to %s", number)

    def _rsb_schedule_activity(self):
        """An activity (call the client) for the level's user, else the client's account
        manager, else whoever runs dunning."""
        self.ensure_one()
        level = self.level_id
        user = level.activity_user_id or self.partner_id.user_id or self.run_id.user_id
        activity_type = level.activity_type_id or self.env.ref("mail.mail_activity_data_todo")
        self.partner_id.sudo().activity_schedule(
            activity_type_id=activity_type.id,
            summary=level.activity_summary or activity_type.name,
            note=_(
                "%(amount)s overdue (%(count)s invoices), dunning level %(level)s.",
                amount=format_amount(self.env, self.amount_due, self.currency_id),
                count=len(self.move_ids),
                level=level.name,
            ),
            user_id=user.id,
        )
        return _("Activity for %s", user.name)

    def _rsb_send_letter(self):
        """Render the formal letter (PDF), attach it to the client and post it."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        content, _type = self.env["ir.actions.report"]._render_qweb_pdf(
            "remote_support_billing.rsb_dunning_letter_report", self.ids
        )
        name = _("Dunning letter %(client)s %(date)s.pdf", client=partner.name, date=self.date)
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": content,
                    "res_model": "res.partner",
                    "res_id": partner.id,
                    "mimetype": "application/pdf",
                }
            )
        )
        letter = self.env["rsb.dunning.letter"].create(
            {
                "name": name,
                "partner_id": partner.id,
                "company_id": self.company_id.id,
                "level_id": self.level_id.id,
                "run_line_id": self.id,
                "date": self.date,
                "deadline": self.deadline,
                "amount": self.amount_due,
                "attachment_id": attachment.id,
            }
        )
        self.letter_id = letter
        partner.message_post(
            body=_(
                "Formal letter: %(amount)s to pay by %(deadline)s.",
                amount=format_amount(self.env, self.amount_due, self.currency_id),
                deadline=self.deadline,
            ),
            attachment_ids=attachment.ids,
            subtype_xmlid="mail.mt_note",
        )
        return _("Formal letter")

    def _rsb_credit_hold(self):
        self.ensure_one()
        partner = self.partner_id.sudo()
        if partner.rsb_credit_hold:
            return _("Already on credit hold")
        partner._rsb_place_credit_hold(
            _(
                "%(amount)s overdue, dunning level %(level)s",
                amount=format_amount(self.env, self.amount_due, self.currency_id),
                level=self.level_id.name,
            )
        )
        return _("Credit hold: no new work until the overdue balance is paid")

    def _rsb_collections(self):
        """At or above the company's threshold: mark the client for collections; below it,
        propose a write-off (the accountant confirms it in the wizard)."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        threshold = self.company_id.rsb_collections_threshold
        # what the client owes overdue, credits netted (the one definition)
        owed = partner._rsb_get_receivable_position(self.company_id, self.date).get(
            partner.id, partner._rsb_empty_position()
        )["overdue"]
        if float_compare(owed, threshold, precision_rounding=self.currency_id.rounding) >= 0:
            if not partner.rsb_collections:
                partner.sudo().write(
                    {
                        "rsb_collections": True,
                        "rsb_collections_date": self.date,
                    }
                )
            return _(
                "Marked for collections (%(amount)s, threshold %(threshold)s)",
                amount=format_amount(self.env, owed, self.currency_id),
                threshold=format_amount(self.env, threshold, self.currency_id),
            )
        self.writeoff_proposed = True
        return _(
            "Write-off proposed (%(amount)s is below the collections threshold "
            "%(threshold)s): an accountant confirms it with the write-off wizard",
            amount=format_amount(self.env, owed, self.currency_id),
            threshold=format_amount(self.env, threshold, self.currency_id),
        )
