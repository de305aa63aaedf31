import os
import subprocess
import sys
import uuid

from odoo.tests import tagged
from odoo.tools import config

from .common import RSBCommon

ADDON = "remote_support_billing"


@tagged("post_install", "-at_install")
class TestInstalled(RSBCommon):
    def test_installed_with_deposit_account(self):
        module = self.env["ir.module.module"].search([("name", "=", ADDON)])
        self.assertEqual(module.state, "installed")
        account = self.company._rsb_get_deposit_account()
        self.assertEqual(
            account.account_type,
            "liability_current",
            "deposits are held on a liability account, never income",
        )
        self.assertEqual(self.company._rsb_get_deposit_account(), account, "created once")


def _psql(db, query):
    out = subprocess.run(
        ["psql", "-d", db, "-tAc", query], check=True, capture_output=True, text=True
    ).stdout
    return out.strip()


def _odoo(db, *args):
    cmd = [
        sys.executable,
        "-m",
        "odoo",
        "-c",
        config.rcfile,
        "-d",
        db,
        "--stop-after-init",
        "--log-level=warn",
        *args,
    ]
    return subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}, timeout=900
    )


@tagged("post_install", "-at_install")
class TestInstallUninstall(RSBCommon):
    """Install the addon on a copy of the dependency template, then uninstall it: both
    must log no error and the uninstall must leave none of the addon's fields behind."""

    def test_install_then_uninstall_cleanly(self):
        base = os.environ.get("RSB_BASE_DB")
        if not base:
            self.skipTest("RSB_BASE_DB is not set: run the suite with `make test`")
        db = f"rsb_install_{uuid.uuid4().hex[:8]}"
        subprocess.run(["createdb", "-T", base, db], check=True)
        try:
            res = _odoo(db, "-i", ADDON, "--without-demo=all")
            self.assertEqual(res.returncode, 0, res.stderr[-3000:])
            self.assertNotRegex(res.stderr + res.stdout, r" (ERROR|CRITICAL) ")
            self.assertEqual(
                _psql(db, f"SELECT state FROM ir_module_module WHERE name='{ADDON}'"), "installed"
            )
            self.assertEqual(
                _psql(db, "SELECT count(*) FROM ir_model_fields WHERE name LIKE 'rsb\\_%'") != "0",
                True,
            )

            script = (
                "env['ir.module.module'].search([('name', '=', '%s')]).button_immediate_uninstall()\n"
                "env.cr.commit()\n" % ADDON
            )
            res = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "odoo",
                    "shell",
                    "-c",
                    config.rcfile,
                    "-d",
                    db,
                    "--log-level=warn",
                    "--no-http",
                ],
                input=script,
                capture_output=True,
                text=True,
                env={**os.environ, "TZ": "UTC"},
                timeout=900,
            )
            self.assertEqual(res.returncode, 0, res.stderr[-3000:])
            self.assertNotRegex(res.stderr, r" (ERROR|CRITICAL) ")
            self.assertEqual(
                _psql(db, f"SELECT state FROM ir_module_module WHERE name='{ADDON}'"), "uninstalled"
            )
            self.assertEqual(
                _psql(db, "SELECT count(*) FROM ir_model_fields WHERE name LIKE 'rsb\\_%'"), "0"
            )
            self.assertEqual(
                _psql(db, "SELECT count(*) FROM ir_model WHERE model LIKE 'rsb.%'"), "0"
            )
            self.assertEqual(
                _psql(
                    db,
                    "SELECT count(*) FROM information_schema.columns "
                    "WHERE table_name = 'res_partner' AND column_name LIKE 'rsb\\_%'",
                ),
                "0",
            )
        finally:
            subprocess.run(["dropdb", "--if-exists", "--force", db], check=True)
