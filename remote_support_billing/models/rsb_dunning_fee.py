"""Late fees and late interest charged by dunning: one row per invoice and level, in the
invoice's currency, with the days of interest it charged; invoiced in batches."""

import logging
from datetime import timedelta

from psycopg2.errors import LockNotAvailable, SerializationFailure

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, format_date, split_every

_logger = logging.getLogger(__name__)

# fee invoices made by the ORM in one create(vals_list) and one action_post
ORM_CHUNK = 250


class RsbDunningFee(models.Model):
    """A late fee charged for an overdue invoice at a level: never twice for the same
    invoice and level (SQL unique constraint). An interest fee records the days it charged
    (``interest_from`` to ``interest_until``), so a later level charges only the days
    since: each day of lateness bears interest once."""

    _name = "rsb.dunning.fee"
    _description = "Dunning Late Fee"
    _order = "id desc"

    move_id = fields.Many2one(
        "account.move", string="Overdue Invoice", required=True, ondelete="restrict", index=True
    )
    level_id = fields.Many2one("rsb.dunning.level", required=True, ondelete="restrict")
    partner_id = fields.Many2one("res.partner", string="Client", required=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        precompute=True,
        help="The overdue invoice's currency: the fee is charged in it.",
    )
    amount = fields.Monetary(currency_field="currency_id", required=True)
    base_amount = fields.Monetary(
        string="Overdue Amount", currency_field="currency_id", help="What the fee was computed on."
    )
    days_late = fields.Integer()
    interest_from = fields.Date(help="Interest fee: first day of lateness it charged.")
    interest_until = fields.Date(
        string="Interest Charged Until",
        help="Interest fee: the day up to which the invoice's interest is charged; a later "
        "level charges interest from this day on.",
    )
    fee_line_id = fields.Many2one("account.move.line", string="Fee Invoice Line", readonly=True)
    fee_move_id = fields.Many2one(
        "account.move", string="Fee Invoice", readonly=True, index="btree_not_null"
    )
    run_id = fields.Many2one("rsb.dunning.run", ondelete="set null")
    run_line_id = fields.Many2one(
        "rsb.dunning.run.line",
        ondelete="set null",
        index="btree_not_null",
        help="The client's line of the run that charged the fee: its fee invoice is linked there.",
    )

    _sql_constraints = [
        (
            "move_level_uniq",
            "UNIQUE(move_id, level_id)",
            "A late fee is charged once per invoice and dunning level.",
        ),
    ]

    @api.depends("move_id")
    def _compute_currency_id(self):
        for fee in self:
            fee.currency_id = fee.move_id.currency_id or fee.company_id.currency_id

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        if any(fee.fee_move_id.state == "posted" for fee in self):
            raise UserError(
                _("A late fee that is invoiced cannot be deleted: credit the fee invoice.")
            )

    # ------------------------------------------------------------------ invoicing
    def _rsb_invoice_line_label(self):
        """The fee's line on the fee invoice: the level, the invoice and the days."""
        self.ensure_one()
        if self.level_id.fee_type == "interest" and self.interest_until:
            return self.env._(
                "Late interest (%(level)s) on invoice %(invoice)s, %(start)s to %(end)s",
                level=self.level_id.name,
                invoice=self.move_id.name,
                start=format_date(self.env, self.interest_from),
                end=format_date(self.env, self.interest_until),
            )
        return self.env._(
            "Late fee (%(level)s) on invoice %(invoice)s, %(days)s days overdue",
            level=self.level_id.name,
            invoice=self.move_id.name,
            days=self.days_late,
        )

    def _rsb_prepare_fee_line_values(self):
        """The fee's invoice line (fee invoice or settle-up invoice): the level's fee
        product, one unit at the fee's amount."""
        self.ensure_one()
        return {
            "product_id": self.level_id.fee_product_id.id,
            "name": self._rsb_invoice_line_label(),
            "quantity": 1.0,
            "price_unit": self.amount,
        }

    @api.model
    def _rsb_pending_domain(self, company=None, run=None):
        """The fees to invoice on their own: not billed yet, and not waiting for the client's
        next settle-up (companies billing fees on settle-ups: charged less than their days
        ago; `helpdesk.ticket._rsb_take_pending_fees` bills those)."""
        domain = [("fee_move_id", "=", False), ("run_line_id", "!=", False)]
        if company:
            domain.append(("company_id", "=", company.id))
        if run:
            domain.append(("run_id", "=", run.id))
        waiting = []
        today = fields.Date.context_today(self)
        for settle_company in (
            self.env["res.company"].sudo().search([("rsb_fee_billing", "=", "settle_up")])
        ):
            since = today - timedelta(days=settle_company.rsb_fee_settle_up_days)
            waiting.append(
                ["&", ("company_id", "=", settle_company.id), ("run_id.date", ">", since)]
            )
        if waiting:
            domain = expression.AND(
                [domain, ["!", *expression.normalize_domain(expression.OR(waiting))]]
            )
        return domain

    @api.model
    def _rsb_invoice_pending(self, company=None, run=None, batch_size=5000, commit=False):
        """Invoice the fees charged by dunning and not invoiced yet: one fee invoice per
        client line and currency, made by the ORM: one create(vals_list) and one action_post
        per chunk of ORM_CHUNK invoices, with Odoo's bulk flags (no creation log, no
        tracking, no auto-subscription). Restartable: a batch is one transaction (with `commit`,
        the cron's: each batch is committed), and a fee is invoiced once (its invoice line
        is linked to it in the same transaction).

        :param batch_size: fee rows per batch (all the rows of a client line stay together)
        :return: the fee invoices created
        """
        Move = self.env["account.move"].with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
        )
        created = Move
        domain = self._rsb_pending_domain(company, run)
        while True:
            fees = self.search(domain, order="run_line_id, currency_id, id", limit=batch_size)
            if not fees:
                break
            if len(fees) == batch_size:
                # never split a client line between two batches: leave the last one
                last = fees[-1].run_line_id
                head = fees.filtered(lambda f, last=last: f.run_line_id != last)
                fees = head or self.search(
                    [*domain, ("run_line_id", "=", last.id)], order="currency_id, id"
                )
            # a concurrent job invoicing the same fees is refused at once (the next run
            # completes them) instead of invoicing them twice
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        SQL(
                            "SELECT id FROM rsb_dunning_fee WHERE id = ANY(%s) FOR UPDATE NOWAIT",
                            fees.ids,
                        )
                    )
            except (LockNotAvailable, SerializationFailure) as err:
                raise UserError(
                    _(
                        "These late fees are being invoiced by another job: the next dunning "
                        "run completes what is left."
                    )
                ) from err
            fees.move_id.mapped("name")  # prefetch the labels' invoices
            journals, groups = {}, []
            for (line, _currency), group in fees.grouped(
                lambda f: (f.run_line_id, f.currency_id)
            ).items():
                company_ = line.company_id
                if company_ not in journals:
                    journals[company_] = company_._rsb_get_sale_journal()
                groups.append((line, group))
            moves = self._rsb_invoice_groups(groups, journals, Move)
            created |= moves
            _logger.info("Dunning: %s fee invoices posted", len(moves))
            if commit:
                # batched job (cron / last worker): each batch of posted fee invoices is
                # final, so a crash later redoes only the fees not invoiced yet
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return created

    @api.model
    def _rsb_invoice_groups(self, groups, journals, Move):
        """The fee invoices of `groups` ([(run line, its fees in one currency)]): one invoice
        per client's run line and currency, made by the ORM (`_rsb_invoice_orm`), posted and
        linked to their fees.

        :return: the fee invoices, in the order of `groups`
        """
        return self._rsb_invoice_orm(groups, range(len(groups)), journals, Move)

    @api.model
    def _rsb_invoice_orm(self, groups, indexes, journals, Move):
        """The fee invoices of groups[i] for i in `indexes` by the ORM: one create(vals_list)
        and one action_post per ORM_CHUNK invoices, the fees linked. Returns them in the order
        of `indexes`."""
        if not indexes:
            return Move
        made = Move
        for chunk in split_every(ORM_CHUNK, indexes):
            chosen = [groups[index] for index in chunk]
            moves = Move.create(
                [
                    line._prepare_rsb_fee_invoice_values(group, journals[line.company_id])
                    for line, group in chosen
                ]
            )
            moves.action_post()
            links = []
            for (_line, group), move in zip(chosen, moves, strict=True):
                links += [
                    (fee.id, move.id, move_line.id)
                    for fee, move_line in zip(group, move.invoice_line_ids, strict=True)
                ]
            self._rsb_link_invoices(links)
            made |= moves
        return made

    def _rsb_link_invoices(self, links):
        """Link the fees to their invoice and invoice line, and the fee invoices to their
        run lines, in one statement each (the fee rows are the addon's own bookkeeping:
        written here, never by hand).

        :param links: [(fee id, fee invoice id, fee invoice line id)]
        """
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO rsb_dunning_run_line_fee_move_rel (line_id, move_id)
            SELECT DISTINCT f.run_line_id, v.move_id
              FROM unnest(%s::int[], %s::int[]) AS v(id, move_id)
              JOIN rsb_dunning_fee f ON f.id = v.id
            ON CONFLICT DO NOTHING
            """,
                [fee for fee, _m, _l in links],
                [move for _f, move, _l in links],
            )
        )
        self.env["rsb.dunning.run.line"].invalidate_model(["fee_move_ids"])
        self.env.cr.execute(
            SQL(
                """
            UPDATE rsb_dunning_fee f SET fee_move_id = v.move_id, fee_line_id = v.line_id
              FROM unnest(%s::int[], %s::int[], %s::int[]) AS v(id, move_id, line_id)
             WHERE f.id = v.id
            """,
                [fee for fee, _m, _l in links],
                [move for _f, move, _l in links],
                [line for _f, _m, line in links],
            )
        )
        self.invalidate_model(["fee_move_id", "fee_line_id"])
