"""The dunning email of a batch of clients: recipients, the template's subject and body rendered
(the body's QWeb compiled once per language and batch), the invoice PDFs. Posting and sending
are Odoo's (rsb_dunning_run_line_actions.py: message_post)."""

import ast

from lxml import html
from markupsafe import Markup

from odoo import models
from odoo.tools import float_round, get_lang

from odoo.addons.base.models.res_lang import intersperse


def amount_formatter(env, currency, lang_code=None):
    """A function amount -> the text of odoo.tools.format_amount(env, amount, currency,
    lang_code), with the language's separators and the currency's digits and symbol read
    once (format_amount looks them up again for every amount)."""
    lang = get_lang(env, lang_code)
    grouping = ast.literal_eval(lang.grouping)
    thousands_sep, decimal_point = lang.thousands_sep or "", lang.decimal_point
    pattern, rounding = f"%.{currency.decimal_places}f", currency.rounding
    symbol = currency.symbol or ""
    if currency.position == "before":
        pre, post = f"{symbol}\N{NO-BREAK SPACE}", ""
    else:
        pre, post = "", f"\N{NO-BREAK SPACE}{symbol}"

    def format_amount(amount):
        parts = (pattern % float_round(amount, precision_rounding=rounding)).split(".")
        parts[0] = intersperse(parts[0], grouping, thousands_sep)[0]
        number = (
            decimal_point.join(parts)
            .replace(" ", "\N{NO-BREAK SPACE}")
            .replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
        )
        return f"{pre}{number}{post}"

    return format_amount


class AmountFormats(dict):
    """The amount formatters of a batch, by (currency, language): call it as
    odoo.tools.format_amount without the env."""

    def __init__(self, env):
        super().__init__()
        self.env = env

    def __call__(self, amount, currency, lang_code=None):
        key = (currency.id, lang_code or self.env.lang)
        if key not in self:
            self[key] = amount_formatter(self.env, currency, lang_code)
        return self[key](amount)


def _memoized(function):
    """`function` with its results kept by arguments (records by model and ids)."""
    results = {}

    def key(value):
        return (value._name, tuple(value.ids)) if isinstance(value, models.BaseModel) else value

    def wrapper(*args, **kwargs):
        cache_key = (tuple(map(key, args)), tuple((k, key(v)) for k, v in kwargs.items()))
        if cache_key not in results:
            results[cache_key] = function(*args, **kwargs)
        return results[cache_key]

    return wrapper


class RsbDunningRunLine(models.Model):
    # one file per concern of the model, on purpose (issue 14)
    _inherit = "rsb.dunning.run.line"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ email
    def _rsb_recipients(self):
        """Who receives each line's email: the client's invoice address if it has an email,
        else the client (res.partner.address_get), without a query for clients who have
        no contacts. :return: {line id: res.partner}"""
        result = {}
        partners = self.partner_id.sudo()
        partners.mapped("child_ids")  # prefetched in one query
        for line in self:
            partner = line.partner_id.sudo()
            recipient = partner
            if partner.child_ids:
                invoice_contact = partner.browse(partner.address_get(["invoice"])["invoice"])
                if invoice_contact.email:
                    recipient = invoice_contact
            result[line.id] = recipient
        return result

    def _rsb_render_body(self, template, classified=None):
        """The template's body rendered for these lines, each in its client's language, the
        QWeb compiled once per language (mail.template._render_field compiles it again for
        every record: most of the time of a dunning email). Same evaluation context, access
        restriction and post-processing as _render_field.

        :param classified: template._classify_per_lang(self.ids), if the caller has it
        :return: {line id: rendered body}
        """
        model = self._name
        result = {}
        if classified is None:
            classified = template._classify_per_lang(self.ids)
        for tmpl, ids in classified.values():
            source = tmpl.body_html
            if not source or not tmpl._has_unsafe_expression_template_qweb(source, model):
                result.update(tmpl._render_field("body_html", ids))
                continue
            options = {}
            if not (
                tmpl._unrestricted_rendering
                or self.env.is_admin()
                or self.env.user.has_group("mail.group_mail_template_editor")
            ):
                options["raise_on_forbidden_code_for_model"] = model
            variables = tmpl._render_eval_context()
            # the same dates recur across a run's clients: format each once; amounts with
            # one formatter per currency and language
            variables["format_date"] = _memoized(variables["format_date"])
            formats = AmountFormats(tmpl.env)
            variables["format_amount"] = lambda amount, currency, lang_code=False, f=formats: f(
                amount, currency, lang_code or None
            )
            qweb = tmpl.env["ir.qweb"].with_context(**options)._prepare_environment(variables)
            functions, name = qweb._compile(html.fragment_fromstring(source, create_parent="div"))
            render = functions[name]
            rendered = {}
            for record in self.with_env(tmpl.env).browse(ids):
                variables["object"] = record
                # without the <div> added to wrap several nodes into one, as _render_field
                rendered[record.id] = Markup("".join(render(qweb, variables))[5:-6])
            result.update(tmpl._render_template_postprocess(model, rendered))
        return result

    def _rsb_prepare_emails(self):
        """Render the level emails of these lines: each template's subject and body rendered
        for all its lines at once (one compilation per batch), in each client's language;
        the invoice PDFs and the letter as attachments.

        :return: {line id: {subject, body, recipient, email_from, attachment_ids,
            auto_delete, label}}
        """
        self._rsb_ensure_access_tokens()
        recipients = self._rsb_recipients()
        result = {}
        for template in self.level_id.mail_template_id:
            lines = self.filtered(lambda ln, t=template: ln.level_id.mail_template_id == t)
            lines = lines.filtered(lambda ln: recipients[ln.id].email)
            if not lines:
                continue
            # each client's language rendered once (for the subject and the body)
            classified = template._classify_per_lang(lines.ids)
            subjects = {}
            for tmpl, ids in classified.values():
                subjects.update(tmpl._render_field("subject", ids))
            bodies = lines._rsb_render_body(template, classified)
            senders = template._render_field("email_from", lines.ids)
            for line in lines:
                attachments = (
                    line._rsb_invoice_pdf_attachments()
                    if line.level_id.attach_invoices
                    else self.env["ir.attachment"]
                )
                # the template's dynamic reports (e.g. the statement of account)
                if template.report_template_ids:
                    attachments |= line._rsb_template_report_attachments(template)
                recipient = recipients[line.id]
                result[line.id] = {
                    "subject": subjects[line.id],
                    "body": bodies[line.id],
                    "recipient": recipient,
                    "email_from": senders[line.id] or self.env.user.email_formatted,
                    "attachment_ids": attachments.ids,
                    "auto_delete": template.auto_delete,
                    "label": self.env._(
                        "Email to %(email)s (%(count)s invoices%(pdf)s)",
                        email=recipient.email,
                        count=len(line.move_ids),
                        pdf=self.env._(", PDFs attached") if line.level_id.attach_invoices else "",
                    ),
                }
        for line in self - self.browse(list(result)):
            result[line.id] = {
                "label": self.env._("No email: level %s has no email template.", line.level_id.name)
                if not line.level_id.mail_template_id
                else self.env._("No email: the client has no email address.")
            }
        return result
