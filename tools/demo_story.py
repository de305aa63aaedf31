"""Load the addon's demo story (its manifest's `demo` files) into a database created without
Odoo's generic demo data, so that the demo shows only Bright Byte's company, people, clients
and documents. Usage: python tools/demo_story.py ODOO_CONF DATABASE"""

import ast
import os
import sys

import odoo
from odoo.tools import config
from odoo.tools.convert import convert_file

ADDON = "remote_support_billing"


def main(conf, db):
    config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
    manifest_path = os.path.join(os.path.dirname(__file__), "..", ADDON, "__manifest__.py")
    with open(manifest_path, encoding="utf-8") as manifest:
        files = ast.literal_eval(manifest.read()).get("demo", [])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if env.ref(f"{ADDON}.demo_team_remote_support", raise_if_not_found=False):
            print("demo story already loaded")
            return
        for filename in files:
            # noupdate: a later `-u` of the addon keeps the story (and what the user changed)
            convert_file(env, ADDON, filename, {}, mode="init", noupdate=True, kind="demo")
    print("demo story loaded")


if __name__ == "__main__":
    main(*sys.argv[1:3])
