import { registry } from "@web/core/registry";

// A portal client on credit hold sees what is due on their tickets page and follows the
// pay link to the invoice, where they can pay it.
registry.category("web_tour.tours").add("rsb_credit_hold_portal_tour", {
    url: "/my/tickets",
    steps: () => [
        {
            content: "The credit hold banner says why no new ticket can be opened",
            trigger: ".o_rsb_credit_hold_banner:contains('Your account is on credit hold')",
        },
        {
            content: "Follow the pay link of the overdue invoice",
            trigger: ".o_rsb_credit_hold_banner a:contains('Pay now')",
            run: "click",
        },
        {
            content: "The invoice page, with the amount due",
            trigger: "#invoice_content",
        },
    ],
});
