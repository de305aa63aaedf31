/** @odoo-module **/

import { registry } from "@web/core/registry";

// A client ticks two of their open invoices on the account summary, pays them in one payment
// with the demo provider, and lands back on their account where only the third is open.
registry.category("web_tour.tours").add("rsb_portal_pay_invoices", {
    url: "/my/account-summary",
    steps: () => [
        {
            content: "Tick the first open invoice",
            trigger: ".o_rsb_open_move:nth-child(1) input.o_rsb_pay_check",
            run: "click",
        },
        {
            content: "Tick the second open invoice",
            trigger: ".o_rsb_open_move:nth-child(2) input.o_rsb_pay_check",
            run: "click",
        },
        {
            content: "Pay the selected invoices",
            trigger: "#rsb_pay_selected",
            run: "click",
        },
        {
            content: "The page lists the two invoices and their total",
            trigger: ".o_rsb_pay_invoices:has(.o_rsb_pay_invoice + .o_rsb_pay_invoice)",
        },
        {
            content: "Choose the demo provider",
            trigger: 'input[name="o_payment_radio"][data-payment-method-code="demo"]',
            run: "click",
        },
        {
            content: "Fill the test card",
            trigger: "#customer_input",
            run: "edit 4242424242424242",
        },
        {
            content: "Pay",
            trigger: 'button[name="o_payment_submit_button"]:not(:disabled)',
            run: "click",
        },
        {
            content: "Back on the account, one invoice is left open",
            trigger: ".o_rsb_account_summary #rsb_open_invoices:not(:has(.o_rsb_open_move + .o_rsb_open_move)) .o_rsb_open_move",
            timeout: 20000,
        },
    ],
});
