"""Typed checks of what the addon's portal routes receive: bad input gets a clear message."""

import functools
from urllib.parse import urlsplit

import werkzeug

from odoo import _
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from ..models.payment_transaction import MAX_AMOUNT

# Sane sizes of what a client types in the portal.
TICKET_SUBJECT_MAX = 200
TICKET_DESCRIPTION_MAX = 20000
ROUTE_MAX = 2048
TOKEN_MAX = 256

TRANSACTION_FLOWS = ("redirect", "direct", "token")
MAX_ID = 2**31 - 1  # PostgreSQL integer: a larger id would fail in SQL, not with a message


def _shown(value):
    """The value as the message quotes it (short: it is whatever the browser sent)."""
    text = str(value)
    return text if len(text) <= 40 else f"{text[:40]}..."


def rsb_int(value, label, required=True):
    """`value` as a positive database id, None when empty and optional; else ValidationError."""
    if value is None or value == "" or value is False:
        if required:
            raise ValidationError(_("%s is missing.", label))
        return None
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 10:
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    raise ValidationError(
        _("%(field)s must be a number, not “%(value)s”.", field=label, value=_shown(value))
    )


def rsb_float(value, label, required=False):
    """`value` as a float (None when empty and optional); else ValidationError."""
    if value is None or value == "":
        if required:
            raise ValidationError(_("%s is missing.", label))
        return None
    if isinstance(value, bool):
        value = str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number != number or number in (float("inf"), float("-inf")):
        raise ValidationError(
            _("%(field)s must be an amount, not “%(value)s”.", field=label, value=_shown(value))
        )
    return number


def rsb_bool(value, label):
    """A JSON boolean (or absent: False); anything else is a ValidationError."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise ValidationError(
        _("%(field)s must be true or false, not “%(value)s”.", field=label, value=_shown(value))
    )


def rsb_str(value, label, max_length, required=False):
    """`value` as a stripped text of at most `max_length` characters; else ValidationError."""
    if value is None or value is False:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(_("%s must be a text.", label))
    value = value.strip()
    if required and not value:
        raise ValidationError(_("%s is missing.", label))
    if len(value) > max_length:
        raise ValidationError(
            _(
                "%(field)s is too long: %(length)s characters, at most %(max)s.",
                field=label,
                length=len(value),
                max=max_length,
            )
        )
    return value


def rsb_amount(value, label=None):
    """A payment amount from the browser: a finite number, neither negative, zero nor
    absurd (at most MAX_AMOUNT); else a ValidationError. What is due on the document is
    checked where the transaction is created (`payment.transaction.create`)."""
    label = label or _("The amount")
    amount = rsb_float(value, label, required=True)
    if amount <= 0:
        raise ValidationError(_("A payment must be for a positive amount."))
    if amount > MAX_AMOUNT:
        raise ValidationError(
            _("%(field)s is too large: %(value)s.", field=label, value=_shown(value))
        )
    return amount


def rsb_transaction_params(kwargs, amount_required=True):
    """Check the values the payment form sends to a transaction route (provider, method,
    token, amount, flow...) and return them typed; raise a ValidationError naming the first
    bad one. The ids must name existing records: `_create_transaction` browses them in sudo.

    Odoo's own request shape (`token_id: null`, a landing route relative to the site) is
    accepted as it is; the amount must be present (unless `amount_required` is False: the
    route then sets it) and positive, finite and bounded."""
    values = dict(kwargs)
    flow = values.get("flow")
    if flow not in TRANSACTION_FLOWS:
        raise ValidationError(
            _("The payment flow “%s” is not supported.", _shown(flow) if flow else "")
        )
    values["provider_id"] = rsb_int(kwargs.get("provider_id"), _("The payment provider"))
    values["payment_method_id"] = rsb_int(
        kwargs.get("payment_method_id"), _("The payment method"), required=flow != "token"
    )
    values["token_id"] = rsb_int(
        kwargs.get("token_id"), _("The saved payment method"), required=flow == "token"
    )
    is_validation = rsb_bool(kwargs.get("is_validation"), _("Validation"))
    if is_validation:  # the provider sets the amount of a validation
        values["amount"] = rsb_float(kwargs.get("amount"), _("The amount"))
    elif amount_required or kwargs.get("amount") not in (None, ""):
        values["amount"] = rsb_amount(kwargs.get("amount"))
    values["tokenization_requested"] = rsb_bool(
        kwargs.get("tokenization_requested"), _("Saving the payment method")
    )
    if "is_validation" in kwargs:
        values["is_validation"] = rsb_bool(kwargs.get("is_validation"), _("Validation"))
    values["landing_route"] = rsb_str(
        kwargs.get("landing_route"), _("The landing page"), ROUTE_MAX, required=True
    )
    landing = urlsplit(values["landing_route"])
    if landing.scheme or landing.netloc or "\\" in values["landing_route"]:
        raise ValidationError(_("The landing page must be a page of this website."))
    env = request.env
    if not env["payment.provider"].sudo().browse(values["provider_id"]).exists():
        raise ValidationError(_("This payment provider does not exist."))
    if values["payment_method_id"] and not (
        env["payment.method"].sudo().browse(values["payment_method_id"]).exists()
    ):
        raise ValidationError(_("This payment method does not exist."))
    if values["token_id"] and not env["payment.token"].sudo().browse(values["token_id"]).exists():
        raise ValidationError(_("This saved payment method does not exist."))
    return values


def rsb_json_user_errors(endpoint):
    """Answer a JSON route's user errors (UserError, ValidationError, AccessError,
    MissingError) as a JSON-RPC error carrying only the message, without the server's
    traceback that Odoo adds to every JSON-RPC error. The transaction is rolled back."""

    @functools.wraps(endpoint)
    def wrapper(self, *args, **kwargs):
        try:
            return endpoint(self, *args, **kwargs)
        except UserError as error:
            message = error.args[0] if error.args else str(error)
            error_type = type(error)
            response = request.make_json_response(
                {
                    "jsonrpc": "2.0",
                    "id": getattr(request.dispatcher, "request_id", None),
                    "error": {
                        "code": 200,
                        "message": "Odoo Server Error",
                        "data": {
                            "name": f"{error_type.__module__}.{error_type.__name__}",
                            "message": message,
                            "arguments": [message],
                            "context": {},
                            "debug": "",
                        },
                    },
                }
            )
            werkzeug.exceptions.abort(response)

    return wrapper


def rsb_portal_invoice(portal, invoice_id, access_token):
    """The invoice of a portal route on one invoice (dispute, promise), checked by Odoo's
    portal access: the client's own (record rules) or the emailed link's token. In sudo, as
    `_document_check_access` returns it. :raise ValidationError: not the client's invoice"""
    invoice_id = rsb_int(invoice_id, _("The invoice"))
    access_token = rsb_str(access_token, "access_token", TOKEN_MAX) or None
    try:
        return portal._document_check_access("account.move", invoice_id, access_token)
    except (AccessError, MissingError) as exc:
        raise ValidationError(_("This invoice does not exist or is not yours.")) from exc


def rsb_refused(title, error):
    """Not the client's record: the reason said on a page of its own, nothing else shown."""
    return request.render(
        "remote_support_billing.portal_rsb_message",
        {"rsb_title": title, "rsb_message": error.args[0], "rsb_back_url": "/my"},
        status=403,
    )
