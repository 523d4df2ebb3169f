import sys, tempfile
from pathlib import Path
from PySide6.QtWidgets import QApplication
from desktop.config import Paths, Settings
from desktop.core.store import Store
from desktop.ui.app import create_application
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from desktop.ui.sync.worker import SyncController
from tests.ui.helpers import seed
app = create_application()
tmp = Path(tempfile.mkdtemp())
paths = Paths(tmp, tmp, tmp / "logs"); paths.ensure()
store = Store.open(paths.database)
seed(store, jobs=800, customers=150)
local = store.create_customer({"first_name": "Grace", "last_name": "Hopper", "phone": "555 010 2030",
    "customer_type": "Commercial", "is_vip": True, "physical_address1": "1 Navy Way", "physical_city": "Arlington",
    "physical_state": "VA", "physical_zip": "22201", "notes": "Side gate code 4411; dog is friendly.", "on_my_way_notify_via": "sms"})
store.create_job({"customer_local_id": local.local_id, "title": "Inspect the boiler"})
session = Session(store, paths, Settings.load(paths))
window = MainWindow(session, SyncController(session), paths.config_dir / "w.ini")
window.resize(1366, 768); window.show()
def wait(cond):
    import time
    t = time.time()
    while not cond() and time.time() - t < 10: app.processEvents()
wait(window.settled)
window.show_page("customers")
page = window.pages.currentWidget()
wait(page.settled)
busy = max(store.customers(limit=1000), key=lambda c: len(store.customer_history(c).jobs))
which = sys.argv[1]
target = local if which == "local" else busy
page.select(target.local_id); wait(lambda: page.details.customer is not None and page.settled())
for _ in range(20): app.processEvents()
window.grab().save(f"/tmp/shot/cust_{which}.png")
if which == "local":
    page.details.new_job_button.click()
    for _ in range(20): app.processEvents()
    window.grab().save("/tmp/shot/cust_newjob.png")
    window.show_page("customers"); page.open_form(busy)
    for _ in range(20): app.processEvents()
    window.grab().save("/tmp/shot/cust_form.png")
window.detail.cancel()
session.close(); store.close()
