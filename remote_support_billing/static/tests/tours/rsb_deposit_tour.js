/** @odoo-module **/
// A new client opens their ticket in the portal, accepts the client agreement and pays the
// deposit with the demo payment provider, through Odoo's standard invoice payment form.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("rsb_deposit_tour", {
    steps: () => [
        {
            content: "The ticket shows the deposit to pay and the agreement to accept",
            trigger: "#rsb_deposit #rsb_agreement_body",
        },
        {
            content: "Tick the acceptance box",
            trigger: "#rsb_accept",
            run: "click",
        },
        {
            content: "Accept the agreement",
            trigger: "#rsb_accept_submit",
            run: "click",
        },
        {
            content: "Pay the deposit",
            trigger: "#rsb_pay_deposit",
            run: "click",
        },
        {
            content: "Enter the demo card",
            trigger: "#pay_with input#customer_input",
            run: "edit 4242424242424242",
        },
        {
            content: "Submit the payment",
            trigger: "#pay_with button[name=o_payment_submit_button]",
            run: "click",
        },
        {
            content: "Back on the ticket: the deposit is received",
            trigger: "#rsb_deposit_paid",
        },
    ],
});
