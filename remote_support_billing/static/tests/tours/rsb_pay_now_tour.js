/** @odoo-module **/
// Pay now, during the session (tests/test_pay_now.py): the technician asks for the time so
// far, sees the short link and the QR code, and the payment arriving while the form stays
// open (registered meanwhile by an accountant, as another tab would: the form is told by the
// bus, not reloaded by the tour).
import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

function ticketId() {
    return parseInt(window.location.pathname.split("/").pop(), 10);
}

async function call(model, method, args, kwargs = {}) {
    return rpc(`/web/dataset/call_kw/${model}/${method}`, { model, method, args, kwargs });
}

registry.category("web_tour.tours").add("rsb_pay_now_live", {
    steps: () => [
        {
            content: "Before disconnecting: request payment of the time so far",
            trigger: '.o_form_view button[name="action_rsb_request_payment_now"]',
            run: "click",
        },
        {
            content: "The dialog shows what is due now, the deposit deducted",
            trigger: '.modal .o_field_widget[name="to_charge"]:contains("86.00")',
        },
        {
            content: "Request the payment",
            trigger: '.modal footer button[name="action_confirm"]',
            run: "click",
        },
        {
            content: "Open the Billing page",
            trigger: '.o_form_view:not(:has(.modal)) .o_notebook .nav-link:contains("Billing")',
            run: "click",
        },
        {
            content: "The short link and the QR code to show on the client's screen",
            trigger: '.o_form_view .o_field_widget[name="rsb_pay_now_url"]:contains("/rsb/pay/")',
        },
        {
            content: "The QR code",
            trigger: '.o_form_view .o_field_widget[name="rsb_pay_now_qr_url"] img[src*="barcode_type=QR"]',
        },
        {
            content: "Waiting for the client",
            trigger: '.o_form_view .o_rsb_pay_now_state[data-state="pending"]',
            run: async () => {
                // the client pays by transfer while the technician watches: booked elsewhere
                const id = ticketId();
                const [wizardId] = await call(
                    "rsb.deposit.payment.wizard",
                    "create",
                    [[{ ticket_id: id, amount: 86.0 }]],
                    { context: { default_ticket_id: id } }
                );
                await call("rsb.deposit.payment.wizard", "action_confirm", [[wizardId]]);
            },
        },
        {
            content: "The form shows it paid, without a reload",
            trigger: '.o_form_view .o_rsb_pay_now_state[data-state="paid"]',
        },
        {
            content: "and the settle-up booked",
            trigger: '.o_form_view .o_field_widget[name="rsb_settled"] input:checked',
        },
    ],
});
