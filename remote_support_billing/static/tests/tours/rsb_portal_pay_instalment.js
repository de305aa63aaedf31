/** @odoo-module **/

import { registry } from "@web/core/registry";

// A client opens their account summary, follows the pay button of their payment plan and
// pays the next instalment with the demo provider; back on the plan, it is paid.
registry.category("web_tour.tours").add("rsb_portal_pay_instalment", {
    url: "/my/account-summary",
    steps: () => [
        {
            content: "The account summary shows the plan and its schedule",
            trigger: ".o_rsb_plan .o_rsb_plan_line",
        },
        {
            content: "Pay the next instalment",
            trigger: "a.o_rsb_pay_plan",
            run: "click",
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
            content: "Back on the plan, the first instalment is paid",
            trigger: ".o_rsb_payment_plan .o_rsb_plan_line:first-child .badge:contains(Paid)",
            timeout: 20000,
        },
    ],
});
