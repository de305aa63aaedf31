"""A client's promise to pay (issue 25): from the portal (or by an accountant), a date up to
the company's maximum for one invoice or the whole overdue balance. Dunning pauses those
invoices until the date (the invoices' own pause, reason "Promised Payment"); the daily check
closes a kept promise, and a broken one resumes dunning with a note and an activity for the
accountant; repeated broken promises revoke the client's trust."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount, format_date


class RsbPaymentPromise(models.Model):
    _name = "rsb.payment.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread"]
    _order = "date_promised desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    move_ids = fields.Many2many(
        "account.move", string="Invoices", readonly=True, check_company=True
    )
    amount = fields.Monetary(
        string="Promised", readonly=True, help="What the invoices owed when it was promised."
    )
    date_promised = fields.Date(string="Pay By", required=True, readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("kept", "Kept"), ("broken", "Broken"), ("cancel", "Cancelled")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    note = fields.Text(readonly=True)
    source = fields.Selection(
        [("portal", "Client (portal)"), ("staff", "Accountant")], default="staff", readonly=True
    )
    user_id = fields.Many2one("res.users", string="Recorded By", readonly=True)

    def _compute_display_name(self):
        for promise in self:
            promise.display_name = _(
                "%(client)s: %(amount)s by %(date)s",
                client=promise.partner_id.name,
                amount=format_amount(self.env, promise.amount, promise.currency_id),
                date=format_date(self.env, promise.date_promised),
            )

    # ------------------------------------------------------------------ the rule
    @api.model
    def _rsb_promise(self, partner, moves, date, note="", source="staff"):
        """Record that `partner` promises to pay `moves` by `date` and pause their dunning
        until then. Checked here whatever the caller (portal route, accountant): the
        invoices are the client's open posted invoices of one company, not promised
        already; the date is from today to the company's maximum.

        :return: the promise
        :raise UserError: with what is wrong; nothing is written then
        """
        client = partner.commercial_partner_id
        moves = moves.sudo()
        if not moves:
            raise UserError(_("Choose the invoice (or the overdue balance) you promise to pay."))
        company = moves.company_id
        if len(company) != 1:
            raise UserError(_("A promise covers the invoices of one company at a time."))
        wrong = moves.filtered(
            lambda m: m.commercial_partner_id != client
            or m.move_type != "out_invoice"
            or m.state != "posted"
            or m.rsb_deposit_ticket_id
            or m.currency_id.is_zero(m.amount_residual)
        )
        if wrong:
            raise UserError(
                _("These are not your open invoices: %s", ", ".join(wrong.mapped("name")))
            )
        promised = self.sudo().search(
            [("state", "=", "open"), ("move_ids", "in", moves.ids)], limit=1
        )
        if promised:
            raise UserError(
                _(
                    "A payment of these invoices is already promised by %s.",
                    format_date(self.env, promised.date_promised),
                )
            )
        today = fields.Date.context_today(self)
        latest = today + timedelta(days=company.rsb_promise_max_days)
        if not date or date < today or date > latest:
            raise UserError(
                _(
                    "Choose a date from today to %s (at most %s days).",
                    format_date(self.env, latest),
                    company.rsb_promise_max_days,
                )
            )
        promise = self.sudo().create(
            {
                "partner_id": client.id,
                "company_id": company.id,
                "move_ids": [fields.Command.set(moves.ids)],
                "amount": sum(moves.mapped("amount_residual_signed")),
                "date_promised": date,
                "note": (note or "").strip()[:2000],
                "source": source,
                "user_id": self.env.uid,
            }
        )
        moves.with_context(tracking_disable=True).write(
            {
                "rsb_dunning_pause_reason": "promise",
                "rsb_dunning_pause_until": date,
                "rsb_dunning_pause_note": _("Promised to pay by %s", format_date(self.env, date)),
            }
        )
        client.sudo().message_post(
            body=_(
                "Promise to pay %(amount)s (%(moves)s) by %(date)s%(note)s: dunning paused "
                "for these invoices until then.",
                amount=format_amount(self.env, promise.amount, company.currency_id),
                moves=", ".join(moves.mapped("name")),
                date=format_date(self.env, date),
                note=_(" (%s)", promise.note) if promise.note else "",
            ),
            subtype_xmlid="mail.mt_note",
        )
        return promise

    def action_cancel(self):
        """The accountant withdraws an open promise: dunning resumes for its invoices."""
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Only an accountant can withdraw a promise to pay."))
        self.check_access("read")
        for promise in self.sudo().filtered(lambda p: p.state == "open"):
            promise._rsb_release_invoices()
            promise.state = "cancel"
        return True

    def _rsb_release_invoices(self):
        """Lift the promise's pause from its invoices (only the pause it set)."""
        self.move_ids.sudo().filtered(
            lambda m: m.rsb_dunning_pause_reason == "promise"
        ).with_context(tracking_disable=True).write(
            {
                "rsb_dunning_pause_reason": False,
                "rsb_dunning_pause_until": False,
                "rsb_dunning_pause_note": False,
            }
        )

    # ------------------------------------------------------------------ daily check
    @api.model
    def _cron_rsb_check_promises(self, today=None):
        """Kept: every invoice paid. Broken: the date passed with something still due:
        the pause lifted (the next run duns them), a note and an activity for the
        accountant; a client who broke the company's limit of promises in a year loses
        its trust (switched to prepayment)."""
        today = today or fields.Date.context_today(self)
        open_promises = self.sudo().search([("state", "=", "open")])
        for promise in open_promises:
            if all(m.currency_id.is_zero(m.amount_residual) for m in promise.move_ids):
                promise.state = "kept"
                promise._rsb_release_invoices()
            elif promise.date_promised < today:
                promise._rsb_break()

    def _rsb_break(self):
        self.ensure_one()
        self.state = "broken"
        self._rsb_release_invoices()
        client = self.partner_id.with_company(self.company_id)
        note = _(
            "Promise to pay %(amount)s by %(date)s broken: dunning resumes for %(moves)s.",
            amount=format_amount(self.env, self.amount, self.currency_id),
            date=format_date(self.env, self.date_promised),
            moves=", ".join(self.move_ids.mapped("name")),
        )
        client.message_post(body=note, subtype_xmlid="mail.mt_note")
        accountant = self.company_id._rsb_get_money_out_user()
        if accountant:
            client.activity_schedule(
                "mail.mail_activity_data_call",
                summary=_("Promise to pay broken"),
                note=note,
                user_id=accountant.id,
            )
        limit = self.company_id.rsb_promise_broken_limit
        if limit:
            year_ago = fields.Date.context_today(self) - timedelta(days=365)
            broken = self.search_count(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("state", "=", "broken"),
                    ("date_promised", ">=", year_ago),
                ]
            )
            if broken >= limit:
                client._rsb_revoke_trust(_("%s promises to pay broken in a year", broken))


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    rsb_promise_max_days = fields.Integer(
        string="Promise to Pay: At Most (days)",
        default=14,
        help="How far ahead a client may promise to pay (from the portal or to an accountant).",
    )
    rsb_promise_broken_limit = fields.Integer(
        string="Broken Promises Revoke Trust",
        default=2,
        help="A trusted client who breaks this many promises to pay in a year must prepay "
        "(0: never).",
    )

    _sql_constraints = [
        (
            "rsb_promise_max_days_positive",
            "CHECK(rsb_promise_max_days > 0)",
            "A client must be allowed at least one day to pay.",
        ),
    ]
