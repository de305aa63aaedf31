"""What a dunning level does for a batch of clients: the email posted in the client's chatter
through Odoo's mail path, one internal note per client saying what was done, SMS, activities,
letters, credit holds, trust and collections, each created or written once for the whole batch
(the email's rendering: rsb_dunning_run_line_email.py)."""

from collections import defaultdict

from markupsafe import Markup

from odoo import api, models
from odoo.tools import float_compare, format_amount, html2plaintext

from .rsb_dunning_run_line_email import AmountFormats


class RsbDunningRunLine(models.Model):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "rsb.dunning.run.line"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ the batch
    def _rsb_apply_levels(self, fees_by_line=None):
        """Do what each line's level does for its client, once, for all these lines together.

        The caller may execute the run (checked by `_rsb_execute_lines`); the client-side
        effects (chatter, activity, attachment, SMS, policy flags) are done in sudo: an
        accountant may dun a client without the right to edit contacts.

        :param fees_by_line: {line id: [(plan row, level, amount)]}, the fees charged
        :return: {line id: [label, ...]} what was done, in words
        """
        fees_by_line = fees_by_line or {}
        formats = AmountFormats(self.env)
        labels = defaultdict(list)
        extra = defaultdict(list)  # line id -> (attachment ids) of the chatter message
        for line in self:
            if fees_by_line.get(line.id):
                labels[line.id].append(
                    self.env._(
                        "Late fee %(amount)s charged (invoiced by the fee step)",
                        amount=formats(
                            line._rsb_fee_total(fees_by_line[line.id], line.company_id, line.date),
                            line.currency_id,
                        ),
                    )
                )
        overdue = self.filtered(
            lambda ln: ln.days_late > 0
            and float_compare(ln.amount_due, 0.0, precision_rounding=ln.currency_id.rounding) > 0
        )
        for line_id, (label, attachment) in (
            self.filtered("level_id.send_letter")._rsb_send_letters().items()
        ):
            labels[line_id].append(label)
            extra[line_id].append(attachment.id)
        emails = self.filtered("level_id.send_email")._rsb_prepare_emails()
        for line_id, email in emails.items():
            labels[line_id].append(email["label"])
        steps = [
            (self.filtered("level_id.send_sms"), "_rsb_send_sms_batch"),
            (self.filtered("level_id.create_activity"), "_rsb_schedule_activities"),
            (overdue.filtered("level_id.credit_hold"), "_rsb_credit_holds"),
            (overdue.filtered("level_id.revoke_trust"), "_rsb_revoke_trusts"),
            (overdue.filtered("level_id.collections"), "_rsb_collections_batch"),
        ]
        for lines, method in steps:
            if lines:
                for line_id, label in getattr(lines, method)().items():
                    labels[line_id].append(label)
        self._rsb_post_emails(emails)
        self._rsb_post_summaries(labels, extra, formats)
        return labels

    def _rsb_summary_body(self, labels, formats=None):
        self.ensure_one()
        formats = AmountFormats(self.env) if formats is None else formats
        return Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._(
                "Dunning level %(level)s (run %(run)s), %(amount)s overdue:",
                level=self.level_id.name,
                run=self.run_id.name,
                amount=formats(self.amount_due, self.currency_id),
            ),
            Markup().join(Markup("<li>%s</li>") % label for label in labels),
        )

    def _rsb_author(self):
        """Who signs the run's emails and notes: the accountant who started the run (a run
        executed in the background runs as the system), else the current user."""
        runner = self.run_id[:1].user_id
        if runner and not runner._is_superuser():
            return runner.partner_id
        return self.env.user.partner_id

    def _rsb_post_emails(self, emails):
        """Post each client's dunning email in the client's chatter with Odoo's own
        `message_post`: a message (subtype "Dunning email") with the template's subject and
        body, to the recipient, with its attachments, in the light layout; Odoo queues the
        mail.mail (force_send=False: the mail cron sends it) and every installed module's
        notification hooks run. Only the recipient is notified: the subtype is not a
        default one, so the contact's followers get no copy unless they subscribe to it.

        :param emails: {line id: values} of `_rsb_prepare_emails`
        :return: the posted mail.message
        """
        subtype = self.env.ref("remote_support_billing.mt_rsb_dunning_email")
        author = self._rsb_author()
        messages = self.env["mail.message"]
        for line in self:
            email = emails.get(line.id)
            if not email or "body" not in email:
                continue
            partner = (
                line.partner_id.sudo()
                .with_company(line.company_id)
                .with_context(mail_create_nosubscribe=True, mail_post_autofollow=False)
            )
            messages |= partner.message_post(
                body=email["body"],
                subject=email["subject"],
                author_id=author.id,
                email_from=email["email_from"],
                partner_ids=email["recipient"].ids,
                attachment_ids=email["attachment_ids"],
                message_type="comment",
                subtype_id=subtype.id,
                email_layout_xmlid="mail.mail_notification_light",
                force_email_company=line.company_id,
                mail_auto_delete=email["auto_delete"],
                force_send=False,
            )
        return messages

    def _rsb_post_summaries(self, labels, extra, formats=None):
        """One internal note per client: what dunning did for it, in words (Odoo's
        `_message_log_batch`, one batch for all the clients; a client with a formal letter
        gets the letter attached to its note).

        :return: the notes (mail.message)
        """
        author = self._rsb_author()
        bodies = defaultdict(list)
        for line in self:
            bodies[line.partner_id.id].append(line._rsb_summary_body(labels[line.id], formats))
        with_letter = {line.partner_id.id: extra[line.id] for line in self if extra.get(line.id)}
        partners = self.partner_id.sudo()
        notes = partners.filtered(lambda p: p.id not in with_letter)._message_log_batch(
            {pid: Markup().join(parts) for pid, parts in bodies.items() if pid not in with_letter},
            author_id=author.id,
        )
        for partner in partners.filtered(lambda p: p.id in with_letter):
            notes |= partner._message_log(
                body=Markup().join(bodies[partner.id]),
                author_id=author.id,
                attachment_ids=with_letter[partner.id],
            )
        return notes

    # ------------------------------------------------------------------ SMS
    def _rsb_send_sms_batch(self):
        """Queue an SMS to each client's mobile (Odoo SMS, sms.sms in one create), the
        template rendered for all clients at once. :return: {line id: label}"""
        result, vals_list = {}, []
        bodies = {}
        for template in self.level_id.sms_template_id:
            partners = self.filtered(lambda ln, t=template: ln.level_id.sms_template_id == t)
            bodies[template] = template._render_field(
                "body", partners.partner_id.ids, compute_lang=True
            )
        for line in self:
            partner = line.partner_id.sudo()
            number = partner.mobile or partner.phone
            if not number:
                result[line.id] = self.env._("No SMS: the client has no mobile number.")
                continue
            template = line.level_id.sms_template_id
            if template:
                body = bodies[template][partner.id]
            else:
                body = self.env._(
                    "%(company)s: %(amount)s is overdue. Please pay your invoices.",
                    company=line.company_id.name,
                    amount=format_amount(self.env, line.amount_due, line.currency_id),
                )
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "number": partner._phone_format(number=number) or number,
                    "body": html2plaintext(body) if isinstance(body, Markup) else body,
                    "state": "outgoing",
                }
            )
            result[line.id] = self.env._("SMS to %s", number)
        self.env["sms.sms"].sudo().create(vals_list)
        return result

    # ------------------------------------------------------------------ activities
    def _rsb_schedule_activities(self):
        """An activity (call the client) for the level's user, else the client's account
        manager, else whoever runs dunning; created in one batch, without a notification
        per activity (the user finds them in their activities). :return: {line id: label}"""
        result, vals_list = {}, []
        model_id = self.env["ir.model"]._get_id("res.partner")
        default_type = self.env.ref("mail.mail_activity_data_todo")
        for line in self:
            level = line.level_id
            user = level.activity_user_id or line.partner_id.user_id or line.run_id.user_id
            activity_type = level.activity_type_id or default_type
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": line.partner_id.id,
                    "activity_type_id": activity_type.id,
                    "summary": level.activity_summary or activity_type.name,
                    "note": self.env._(
                        "%(amount)s overdue (%(count)s invoices), dunning level %(level)s.",
                        amount=format_amount(self.env, line.amount_due, line.currency_id),
                        count=len(line.move_ids),
                        level=level.name,
                    ),
                    "user_id": user.id,
                    "date_deadline": activity_type._get_date_deadline(),
                }
            )
            result[line.id] = self.env._("Activity for %s", user.name)
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            vals_list
        )
        return result

    # ------------------------------------------------------------------ letters
    def _rsb_send_letters(self):
        """Render each formal letter (PDF), attach it to the client and record it (the
        letters and attachments created in one batch each).

        :return: {line id: (label, attachment)}"""
        if not self:
            return {}
        Report = self.env["ir.actions.report"]
        att_vals = []
        for line in self:
            content, _type = Report._render_qweb_pdf(
                "remote_support_billing.rsb_dunning_letter_report", line.ids
            )
            att_vals.append(
                {
                    "name": self.env._(
                        "Dunning letter %(client)s %(date)s.pdf",
                        client=line.partner_id.name,
                        date=line.date,
                    ),
                    "raw": content,
                    "res_model": "res.partner",
                    "res_id": line.partner_id.id,
                    "mimetype": "application/pdf",
                }
            )
        attachments = self.env["ir.attachment"].sudo().create(att_vals)
        letters = self.env["rsb.dunning.letter"].create(
            [
                {
                    "name": attachment.name,
                    "partner_id": line.partner_id.id,
                    "company_id": line.company_id.id,
                    "level_id": line.level_id.id,
                    "run_line_id": line.id,
                    "date": line.date,
                    "deadline": line.deadline,
                    "amount": line.amount_due,
                    "attachment_id": attachment.id,
                }
                for line, attachment in zip(self, attachments, strict=True)
            ]
        )
        result = {}
        for line, letter, attachment in zip(self, letters, attachments, strict=True):
            line.letter_id = letter
            result[line.id] = (
                self.env._(
                    "Formal letter: %(amount)s to pay by %(deadline)s.",
                    amount=format_amount(self.env, line.amount_due, line.currency_id),
                    deadline=line.deadline,
                ),
                attachment,
            )
        return result

    # ------------------------------------------------------------------ client policy
    def _rsb_credit_holds(self):
        """Put the clients on credit hold (res.partner._rsb_place_credit_hold, the one
        path), one call per level. :return: {line id: label}"""
        result = {}
        for level, lines in self.grouped("level_id").items():
            # the hold is per company: placed in the level's company
            placed = (
                lines.partner_id.sudo()
                .with_company(level.company_id)
                ._rsb_place_credit_hold(
                    self.env._("invoices overdue, dunning level %(level)s", level=level.name)
                )
            )
            for line in lines:
                result[line.id] = (
                    self.env._("Credit hold: no new work until the overdue balance is paid")
                    if line.partner_id.commercial_partner_id in placed
                    else self.env._("Already on credit hold")
                )
        return result

    def _rsb_revoke_trusts(self):
        """Switch trusted clients to prepayment (res.partner._rsb_revoke_trust, the one path
        of the automatic rules), one call per level. :return: {line id: label}"""
        result = {}
        for level, lines in self.grouped("level_id").items():
            reason = self.env._("invoices overdue, dunning level %(level)s", level=level.name)
            # trust is per company: revoked in the level's company
            partners = lines.partner_id.sudo().with_company(level.company_id)
            revoked = partners._rsb_revoke_trust(reason)
            for line in lines.filtered(
                lambda ln, p=revoked: ln.partner_id.commercial_partner_id in p
            ):
                result[line.id] = self.env._("Trust revoked")
        return result

    @api.model
    def _rsb_collections_positions(self, lines):
        """What each client owes overdue at the run's date (the one definition, for all
        clients of the company at once). :return: {partner id: amount}"""
        positions = {}
        for (company, date), group in lines.grouped(lambda ln: (ln.company_id, ln.date)).items():
            found = group.partner_id.sudo()._rsb_get_receivable_position(company, date)
            positions.update({pid: pos["overdue"] for pid, pos in found.items()})
        return positions

    def _rsb_collections_batch(self):
        """At or above the company's threshold: mark the clients for collections (one write
        per date); below it, propose a write-off (the accountant confirms it in the
        wizard). :return: {line id: label}"""
        result = {}
        owed_by_partner = self._rsb_collections_positions(self)
        to_mark = defaultdict(lambda: self.env["res.partner"])
        proposed = self.browse()
        for line in self:
            threshold = line.company_id.rsb_collections_threshold
            owed = owed_by_partner.get(line.partner_id.id, 0.0)
            amounts = {
                "amount": format_amount(self.env, owed, line.currency_id),
                "threshold": format_amount(self.env, threshold, line.currency_id),
            }
            if float_compare(owed, threshold, precision_rounding=line.currency_id.rounding) >= 0:
                # the collections flag is per company
                if not line.partner_id.with_company(line.company_id).rsb_collections:
                    to_mark[line.company_id, line.date] |= line.partner_id
                result[line.id] = self.env._(
                    "Marked for collections (%(amount)s, threshold %(threshold)s)", **amounts
                )
            else:
                proposed |= line
                result[line.id] = self.env._(
                    "Write-off proposed (%(amount)s is below the collections threshold "
                    "%(threshold)s): an accountant confirms it with the write-off wizard",
                    **amounts,
                )
        for (company, date), partners in to_mark.items():
            partners.sudo().with_company(company).with_context(tracking_disable=True).write(
                {"rsb_collections": True, "rsb_collections_date": date}
            )
        proposed.write({"writeoff_proposed": True})
        return result
