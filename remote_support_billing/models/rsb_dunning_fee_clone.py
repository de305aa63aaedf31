"""Fee invoices in sets: the first invoice of a group of alike fee invoices is made by the ORM
(the prototype), the others are copied from it by set-based SQL with their own client,
number, reference and labels; Odoo's checks then run on the copies."""

import logging
from collections import namedtuple

from odoo import api, models

from .rsb_move_clone import CLONE_MIN_GROUP, MoveCopy

_logger = logging.getLogger(__name__)

# what a copy needs, read for the whole batch before any invoice is made: the client, its
# display name, the fees [(fee id, amount, line label)] and their total
CloneSpec = namedtuple("CloneSpec", "partner_id display_name fees total")


class RsbDunningFee(models.Model):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "rsb.dunning.fee"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ plan
    @api.model
    def _rsb_clone_keys(self, groups, journals):
        """The group key of each (run line, fees) of `groups`: fee invoices with the same key
        are alike but for their client, number and labels; None for one the ORM must make
        (a contact of a company, a delivery address of its own, a currency other than the
        company's). The amounts are not in the key: a copy's are scaled from the prototype's
        (rsb.move.clone._rsb_clone_scalable)."""
        Fpos = self.env["account.fiscal.position"]
        keys = []
        for line, fees in groups:
            company = line.company_id
            partner = line.partner_id.with_company(company)
            if partner.commercial_partner_id != partner:
                keys.append(None)
                continue
            delivery = partner.address_get(["delivery"])["delivery"]
            currency = fees.currency_id or company.currency_id
            if delivery != partner.id or currency != company.currency_id:
                keys.append(None)
                continue
            fpos = Fpos.with_company(company)._get_fiscal_position(partner, delivery=partner)
            keys.append(
                (
                    company.id,
                    journals[company].id,
                    line.date,
                    line.run_id.name,
                    fpos.id,
                    partner.property_payment_term_id.id,
                    partner.property_account_receivable_id.id,
                    partner.property_inbound_payment_method_line_id.id,
                    partner.lang,
                    tuple(fee.level_id.fee_product_id.id for fee in fees),
                )
            )
        return keys

    @api.model
    def _rsb_clone_plan(self, groups, journals):
        """Which fee invoices of `groups` are copies: [(prototype index, [copy indexes])]
        for the groups of at least CLONE_MIN_GROUP alike invoices in a journal that allows
        it; the others are made by the ORM."""
        allowed = {
            company: self.env["rsb.move.clone"]._rsb_clone_allowed(journal)
            for company, journal in journals.items()
        }
        if not any(allowed.values()):
            return []
        alike = {}
        for index, key in enumerate(self._rsb_clone_keys(groups, journals)):
            if key is not None and allowed[groups[index][0].company_id]:
                alike.setdefault(key, []).append(index)
        return [
            (indexes[0], indexes[1:])
            for indexes in alike.values()
            if len(indexes) >= CLONE_MIN_GROUP
        ]

    @api.model
    def _rsb_clone_specs(self, groups, indexes):
        """{index: CloneSpec} of groups[index] for the `indexes` to be copied, read in one
        pass over the batch's prefetched fees (before invoices are made)."""
        specs = {}
        for index in indexes:
            line, fees = groups[index]
            currency = fees.currency_id or line.company_id.currency_id
            specs[index] = CloneSpec(
                line.partner_id.id,
                line.partner_id.display_name,
                [(fee.id, fee.amount, fee._rsb_invoice_line_label()) for fee in fees],
                currency.round(sum(fees.mapped("amount"))),
            )
        return specs

    @api.model
    def _rsb_clone_fee_invoices(self, prototype, specs):
        """Copy the posted fee invoice `prototype` for each CloneSpec of `specs` (alike: same
        key as the prototype's, see _rsb_clone_keys) with rsb.move.clone: the client,
        number, reference, fee labels and amounts of each; then the fees linked to their
        invoice lines. Returns the copies, or None if the prototype cannot be copied or the
        numbers after it were taken meanwhile (the caller makes them by the ORM then). The
        caller invalidates the cache."""
        if prototype.payment_state != "not_paid":
            return None  # already matched: its residual and reconciliation are not the copies'
        lines = prototype.line_ids.sorted("id")
        products = prototype.invoice_line_ids.sorted("id")
        if len(products) != len(lines) - 1 or any(
            len(spec.fees) != len(products) for spec in specs
        ):
            return None
        copies = []
        for spec in specs:
            by_line = {
                product.id: {"amount": amount, "name": label}
                for product, (_fee, amount, label) in zip(products, spec.fees, strict=True)
            }
            copies.append(
                MoveCopy(
                    spec.partner_id,
                    spec.display_name,
                    spec.total,
                    {},
                    [by_line.get(line.id) or {"amount": spec.total} for line in lines],
                )
            )
        done = self.env["rsb.move.clone"]._rsb_clone_moves_from(prototype, copies)
        if done is None:
            return None
        moves, line_map = done
        move_ids = moves.ids
        products = prototype.invoice_line_ids.sorted("id")
        links = []
        for move_id, spec in zip(move_ids, specs, strict=True):
            copies = [line_map[(move_id, product.id)] for product in products]
            links += [
                (fee_id, move_id, copy)
                for (fee_id, _amount, _label), copy in zip(spec.fees, copies, strict=True)
            ]
        self._rsb_link_invoices(links)
        return moves
