"""Payment plans over time: confirm and cancel, completion when everything is paid, the
break of a plan with a missed instalment, and the daily job that does both."""

from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from ..feedback import notification, post_template_queued


class RsbPaymentPlan(models.Model):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "rsb.payment.plan"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ actions
    def action_confirm(self):
        """Start the plan: register what is paid now, prepare the interest invoices, pause
        dunning on the invoices and send the client the schedule."""
        # the invoices' balance may have moved since the draft was saved
        for fname in ("amount_due", "amount_financed"):
            self.env.add_to_compute(self._fields[fname], self)
        for plan in self:
            plan._rsb_check_can_confirm()
        self._rsb_generate_lines()
        self._rsb_set_state("active")
        for plan in self:
            plan._rsb_register_down_payment()
        # what payments had paid on the invoices before the plan is not collected by it
        paid = self._rsb_amounts_paid()
        for plan in self:
            plan.amount_paid_before = paid[plan.id][0]
        self._rsb_create_interest_invoices()
        self._rsb_pause_dunning()
        self.filtered("lift_hold")._rsb_lift_hold_and_collections()
        for plan in self:
            plan._rsb_log_event(
                _(
                    "Payment plan %(plan)s agreed: %(count)s %(frequency)s instalments of "
                    "%(amount)s from %(date)s (owed %(due)s, paid now %(paid)s, interest "
                    "%(interest)s). Dunning is paused on its invoices until %(end)s.",
                    plan=plan.name,
                    count=plan.instalment_count,
                    frequency=plan._fields["frequency"]
                    .convert_to_export(plan.frequency, plan)
                    .lower(),
                    amount=format_amount(self.env, plan.amount_instalment, plan.currency_id),
                    date=format_date(self.env, plan.first_date),
                    due=format_amount(self.env, plan.amount_due, plan.currency_id),
                    paid=format_amount(self.env, plan.down_payment, plan.currency_id),
                    interest=format_amount(self.env, plan.amount_interest, plan.currency_id),
                    end=format_date(self.env, plan.end_date),
                )
            )
        self._rsb_send_schedule()
        self._rsb_check_done()
        if len(self) != 1:
            return True
        return notification(
            _("Payment plan confirmed"),
            _("%s is emailed the schedule in a moment.", self.partner_id.name)
            if self.partner_id.email
            else _("The client has no email address: send them the schedule yourself."),
            kind="success" if self.partner_id.email else "warning",
        )

    def action_cancel(self):
        """Cancel a draft or running plan: future interest is not charged and dunning
        resumes on the invoices still open."""
        for plan in self:
            if plan.state not in ("draft", "active"):
                raise UserError(
                    _(
                        "Plan %(plan)s is %(state)s: only draft and running plans can be "
                        "cancelled.",
                        plan=plan.name,
                        state=plan._fields["state"].convert_to_export(plan.state, plan),
                    )
                )
        running = self.filtered(lambda p: p.state == "active")
        self._rsb_set_state("cancelled")
        running._rsb_cancel_future_interest()
        running._rsb_resume_dunning()
        for plan in running:
            plan._rsb_log_event(
                _("Payment plan %s cancelled: dunning resumes on its open invoices.", plan.name)
            )
        return True

    # ------------------------------------------------------------------ business
    def _rsb_check_can_confirm(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(_("Plan %s is already confirmed.", self.name))
        # the draft may be days old: check again what the constraints checked on save
        self._check_invoices()
        self._check_down_payment()
        self._check_first_date()
        self._check_instalment_count()
        self._check_interest_rate()
        if not self.line_ids:
            raise UserError(_("Plan %s has no schedule.", self.name))
        others = self.search(
            [
                ("id", "!=", self.id),
                ("state", "=", "active"),
                ("invoice_ids", "in", self.invoice_ids.ids),
            ]
        )
        if others:
            shared = self.invoice_ids & others.invoice_ids
            raise UserError(
                _(
                    "Invoices %(invoices)s are already in running plan %(plans)s.",
                    invoices=", ".join(shared.mapped("name")),
                    plans=", ".join(others.mapped("name")),
                )
            )
        if not self.currency_id.is_zero(self.down_payment) and not self.down_payment_journal_id:
            raise UserError(_("Choose the journal the amount paid now was received in."))

    def _rsb_check_done(self):
        """Complete the running plans whose invoices and interest are all paid."""
        for plan in self.filtered(lambda p: p.state == "active"):
            posted = (plan.invoice_ids | plan.line_ids.interest_move_id).filtered(
                lambda m: m.state == "posted"
            )
            if any(not move.currency_id.is_zero(move.amount_residual) for move in posted):
                continue
            plan._rsb_set_state("done")
            plan._rsb_cancel_future_interest()  # paid off early: no further interest
            plan._rsb_resume_dunning()
            plan._rsb_log_event(
                _(
                    "Payment plan %(plan)s completed: %(amount)s collected, every invoice paid.",
                    plan=plan.name,
                    amount=format_amount(self.env, plan.amount_collected, plan.currency_id),
                )
            )

    def _rsb_break(self, line):
        """A missed instalment breaks the plan: tell the client and the account manager,
        and let dunning resume on the invoices from the level they had reached."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        days = (today - line.date).days
        reason = _(
            "instalment %(seq)s of %(amount)s due on %(date)s is %(days)s days late",
            seq=line.sequence,
            amount=format_amount(self.env, line.amount, self.currency_id),
            date=format_date(self.env, line.date),
            days=days,
        )
        self._rsb_set_state("broken", break_date=today, break_reason=reason)
        self._rsb_cancel_future_interest()
        self._rsb_resume_dunning()
        self._rsb_log_event(
            _(
                "Payment plan %(plan)s broken: %(reason)s. Dunning resumes on its open invoices.",
                plan=self.name,
                reason=reason,
            )
        )
        template = self.env.ref(
            "remote_support_billing.mail_template_rsb_payment_plan_broken", raise_if_not_found=False
        )
        if template and self.partner_id.email:
            post_template_queued(self, template, subtype_xmlid="mail.mt_comment")
        manager = self.partner_id.user_id or self.user_id
        if manager:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=_("Payment plan broken: call the client"),
                note=_(
                    "Plan %(plan)s of %(client)s is broken: %(reason)s.",
                    plan=self.name,
                    client=self.partner_id.display_name,
                    reason=reason,
                ),
            )

    def _rsb_lift_hold_and_collections(self):
        """The plan agreed: the client's credit hold lifted and collections flag cleared in
        the plan's company, each with the plan as reason on the client (the confirming
        accountant may: `_rsb_check_can_confirm`)."""
        for plan in self:
            client = plan.partner_id.commercial_partner_id.with_company(plan.company_id)
            reason = _("payment plan %s agreed", plan.name)
            if client.rsb_credit_hold:
                client._rsb_lift_credit_hold(reason)
            if client.rsb_collections:
                client.sudo().write({"rsb_collections": False, "rsb_collections_date": False})
                client.message_post(
                    body=_("Taken out of collections. Reason: %s", reason),
                    subtype_xmlid="mail.mt_note",
                )

    def _rsb_log_event(self, body):
        """Post the event in the plan's chatter and in the client's.

        The note on the client is posted in sudo (an accountant may not be allowed to edit
        clients) once the plan's own chatter accepted it from the current user, who stays
        its author.
        """
        for plan in self:
            plan.message_post(body=body, subtype_xmlid="mail.mt_note")
            plan.partner_id.sudo().message_post(
                body=Markup("%s<br/>%s") % (plan._get_html_link(), body),
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )

    def _rsb_send_schedule(self):
        """Email the client the schedule with the portal link to pay (through the mail
        queue: Confirm does not wait for the mail server)."""
        template = self.env.ref(
            "remote_support_billing.mail_template_rsb_payment_plan_schedule",
            raise_if_not_found=False,
        )
        for plan in self:
            if template and plan.partner_id.email:
                plan._portal_ensure_token()
                post_template_queued(plan, template, subtype_xmlid="mail.mt_comment")
            else:
                plan.message_post(
                    body=_(
                        "The client has no email address: send them the schedule and "
                        "the portal link yourself."
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    @api.model
    def _cron_rsb_payment_plans(self):
        """Daily: post the interest invoices that fell due, complete the plans fully paid,
        break the plans with an instalment late by the company's number of days."""
        today = fields.Date.context_today(self)
        Line = self.env["rsb.payment.plan.line"]
        due_lines = Line.search(
            [
                ("plan_id.state", "=", "active"),
                ("date", "<=", today),
                "|",
                ("interest_move_id", "=", False),
                ("interest_move_id.state", "=", "draft"),  # drafts of an older version
            ],
            order="plan_id, sequence",
        ).filtered(lambda line: not line.currency_id.is_zero(line.interest))
        if due_lines:
            with_draft = due_lines.filtered(lambda line: line.interest_move_id.state == "draft")
            with_draft.interest_move_id.action_post()
            self._rsb_create_interest_invoices(due_lines - with_draft)
            for plan, lines in due_lines.grouped("plan_id").items():
                plan._rsb_log_event(
                    _(
                        "Interest of instalment %(seq)s invoiced: %(moves)s.",
                        seq=", ".join(str(seq) for seq in lines.mapped("sequence")),
                        moves=", ".join(lines.interest_move_id.mapped("name")),
                    )
                )
        self.search([("state", "=", "active")])._rsb_check_done()
        late_lines = Line.search(
            [("plan_id.state", "=", "active"), ("date", "<", today)],
            order="plan_id, sequence",
        ).filtered(lambda line: line.state != "paid")
        for plan, lines in late_lines.grouped("plan_id").items():
            limit = today - timedelta(days=plan.company_id.rsb_plan_break_days)
            missed = lines.filtered(lambda line, limit=limit: line.date <= limit)[:1]
            if missed:
                plan._rsb_break(missed)
