/** @odoo-module **/
// A dunning run executed in the background: its form shows the progress and refreshes by
// itself while the workers go (tests/test_long_work.py starts the run with one client of
// three done; the tour plays the worker that does the rest).
import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("rsb_dunning_progress", {
    steps: () => [
        {
            content: "The run shows its progress: one client of three processed",
            trigger:
                '.o_rsb_dunning_progress[data-state="running"]:contains("1 of 3 clients processed, 2 remaining")',
        },
        {
            content: "A worker executes the two clients left (as the dunning job does)",
            trigger: '.o_rsb_dunning_progress[data-state="running"]',
            run: async () => {
                const runId = parseInt(window.location.pathname.split("/").pop());
                await rpc("/web/dataset/call_kw/rsb.dunning.run/action_execute", {
                    model: "rsb.dunning.run",
                    method: "action_execute",
                    args: [[runId]],
                    kwargs: {},
                });
            },
        },
        {
            content: "Without a reload, the form follows: the run is done",
            trigger:
                '.o_rsb_dunning_progress[data-state="done"]:contains("3 of 3 clients processed, 0 remaining")',
        },
        {
            trigger: '.o_statusbar_status button[aria-checked="true"]:contains("Done")',
        },
    ],
});
