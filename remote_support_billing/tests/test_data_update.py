"""A module update keeps what users changed in the addon's data (jobs, products, templates)."""

import ast
import os

from lxml import etree

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.convert import convert_file

MODULE = "remote_support_billing"


def _data_files():
    path = get_module_path(MODULE)
    with open(os.path.join(path, "__manifest__.py")) as manifest:
        data = ast.literal_eval(manifest.read())["data"]
    return [name for name in data if name.startswith("data/")]


@tagged("post_install", "-at_install")
class TestDataUpdate(TransactionCase):
    def _update(self, *files):
        """Reload data files as `odoo -u remote_support_billing` does (mode "update")."""
        for name in files:
            convert_file(self.env, MODULE, name, {}, mode="update", noupdate=False, kind="data")
        self.env.invalidate_all()

    def test_every_data_record_is_noupdate(self):
        """Everything under data/ is user-configurable: every record is noupdate."""
        self.assertTrue(_data_files())
        for name in _data_files():
            tree = etree.parse(os.path.join(get_module_path(MODULE), name))
            for record in tree.iter("record"):
                flags = [
                    node.get("noupdate")
                    for node in record.iterancestors()
                    if node.get("noupdate") is not None
                ]
                self.assertIn(flags[:1], (["1"], ["True"]), f"{name}: {record.get('id')}")

    def test_update_keeps_what_users_changed(self):
        ref = self.env.ref
        dunning_job = ref(f"{MODULE}.ir_cron_rsb_dunning")
        trust_job = ref(f"{MODULE}.ir_cron_rsb_trust_rules")
        plan_job = ref(f"{MODULE}.ir_cron_rsb_payment_plans")
        fee = ref(f"{MODULE}.product_rsb_dunning_fee")
        template = ref(f"{MODULE}.mail_template_rsb_dunning_reminder")
        level = ref(f"{MODULE}.rsb_dunning_level_reminder")
        agreement = ref(f"{MODULE}.rsb_agreement_main_v1")
        dunning_job.active = False
        trust_job.active = False
        plan_job.nextcall = "2031-01-01 05:00:00"
        fee.list_price = 15.0
        template.subject = "Our own words"
        level.name = "Gentle nudge"
        agreement.name = "Our agreement"

        self._update(*_data_files())

        self.assertFalse(dunning_job.active, "a switched-off job stays off")
        self.assertFalse(trust_job.active)
        self.assertEqual(str(plan_job.nextcall), "2031-01-01 05:00:00")
        self.assertEqual(fee.list_price, 15.0, "the fee product keeps its price")
        self.assertEqual(template.subject, "Our own words")
        self.assertEqual(level.name, "Gentle nudge")
        self.assertEqual(agreement.name, "Our agreement")

    def test_update_resets_records_not_marked_noupdate(self):
        """The control: the same reload does reset a record that is not noupdate (a window
        action of the views), so the test above would catch a missing flag."""
        action = self.env.ref(f"{MODULE}.res_partner_action_collections")
        action.name = "Renamed by hand"
        self._update("views/res_partner_dunning_views.xml")
        self.assertEqual(action.name, "Collections")
