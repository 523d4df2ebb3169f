"""The Customers page (Ctrl+5) and a new job's address from its customer, driven as a
user would, on a real store."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop.core.store import JobQuery
from desktop.ui.main_window import MainWindow
from desktop.ui.widgets.customer_picker import customer_ref
from tests.ui.customers.picking import busiest, open_customers, pick


def test_the_list_holds_every_live_customer_and_search_narrows_it(
        window: MainWindow, qtbot: Any) -> None:
    page = open_customers(window, qtbot)
    store = window.session.store
    everyone = store.customers(limit=100_000)
    qtbot.waitUntil(lambda: page.model.rowCount() == len(everyone))
    assert [page.model.index(r, 0).data() for r in range(3)] == [
        c.display_name for c in everyone[:3]]
    assert not window.detail.isVisible(), "the job panel gives the page its room"

    wanted = everyone[5]
    qtbot.keyClicks(page.search, wanted.phone or "")
    qtbot.waitUntil(lambda: page.settled() and page.count.text().endswith("match"))
    assert page.model.rowCount() == len(store.customers(wanted.phone or ""))
    assert wanted.display_name in {page.model.index(r, 0).data()
                                   for r in range(page.model.rowCount())}


def test_a_customer_shows_details_and_jobs_newest_first_with_totals(
        window: MainWindow, qtbot: Any) -> None:
    store = window.session.store
    customer = busiest(store)
    history = store.customer_history(customer)
    page = open_customers(window, qtbot)
    pick(page, qtbot, customer)

    details = page.details
    assert customer.display_name in details.heading.text()
    assert details.fields["phone"].text() == customer.phone
    rows = details.history_model
    assert rows.rowCount() == len(history.jobs) > 1
    assert f"{len(history.jobs)} jobs" in details.totals.text()
    days = [rows.index(r, 0).data() for r in range(rows.rowCount())]
    assert days == sorted(days, reverse=True)
    assert [rows.index(0, c).data() for c in (1, 2)] == [
        history.jobs[0]["job_number"], history.jobs[0]["title"]]
    assert details.new_job_button.text() == f"New job for {customer.display_name}"

    first = details.job_id_at(0)
    assert first == history.jobs[0].local_id
    spot = details.history.visualRect(rows.index(0, 2)).center()
    qtbot.mouseClick(details.history.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    qtbot.mouseDClick(details.history.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    qtbot.waitUntil(lambda: window.detail.current_id == first)
    assert window.page_key == "list" and window.detail.isVisible()


def test_a_new_customer_is_refused_naming_the_field_then_saved_offline(
        window: MainWindow, qtbot: Any) -> None:
    store = window.session.store
    before = len(store.customers(limit=100_000))
    page = open_customers(window, qtbot)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    form = page.form
    assert page.side.currentWidget() is form
    qtbot.keyClicks(form.editors["first_name"], "Grace")
    qtbot.keyClicks(form.editors["last_name"], "Hopper")
    qtbot.keyClicks(form.editors["phone"], "555-12")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    assert form.errors["phone"].isVisible()
    assert "xxx-xxx-xxxx" in form.errors["phone"].text()
    assert len(store.customers(limit=100_000)) == before, "nothing saved"

    form.editors["phone"].set_value("(555) 123 4567")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    (saved,) = store.customers("Hopper")
    assert saved.uuid is None and saved.sync_state == "pending"
    assert saved.phone == "555-123-4567"
    qtbot.waitUntil(lambda: page.side.currentWidget() is page.details
                    and page.details.customer is not None
                    and page.details.customer.local_id == saved.local_id)
    assert page.details.sync.isVisible() and "next sync" in page.details.sync.text()
    qtbot.waitUntil(lambda: page.model.rowCount() == before + 1)


def test_new_job_for_a_customer_starts_at_their_address_which_stays_editable(
        window: MainWindow, qtbot: Any) -> None:
    store = window.session.store
    customer = store.create_customer({
        "first_name": "Grace", "last_name": "Hopper", "physical_address1": "1 Navy Way",
        "physical_city": "Arlington", "physical_state": "VA", "physical_zip": "22201"})
    page = open_customers(window, qtbot)
    pick(page, qtbot, customer)
    qtbot.mouseClick(page.details.new_job_button, Qt.MouseButton.LeftButton)

    panel = window.detail
    assert window.page_key == "list" and panel.creating and panel.isVisible()
    assert panel.customer_picker.value() == customer_ref(customer)
    assert panel.customer_picker.text() == "Grace Hopper"
    assert [panel.editors[f].value() for f in ("service_address1", "service_city",
                                               "service_state", "service_zip")] == [
        "1 Navy Way", "Arlington", "VA", "22201"]
    panel.editors["service_address2"].set_value("Hangar 3")
    qtbot.keyClicks(panel.editors["title"], "Inspect the boiler")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    (job,) = store.page(JobQuery(search="Inspect the boiler"))
    assert job.customer_local_id == customer.local_id and job["customer_uuid"] is None
    assert (job["service_address1"], job["service_address2"]) == ("1 Navy Way", "Hangar 3")
    assert job.customer_name == "Grace Hopper"


def test_picking_the_customer_of_a_new_job_fills_only_an_empty_address(
        window: MainWindow, qtbot: Any) -> None:
    store = window.session.store
    customer = next(c for c in store.customers() if c["physical_address1"])
    panel = window.detail
    picker = panel.customer_picker
    popup = picker.completer().popup()
    for typed in ("", "22 Elsewhere Rd"):
        qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        if typed:
            qtbot.keyClicks(panel.editors["service_address1"], typed)
        qtbot.keyClicks(picker, (customer.last_name or "")[:4])
        qtbot.waitUntil(popup.isVisible)
        match = next(r for r in range(popup.model().rowCount())
                     if customer.display_name in popup.model().index(r, 0).data()
                     and (customer.phone or "") in popup.model().index(r, 0).data())
        popup.setCurrentIndex(popup.model().index(match, 0))
        qtbot.keyClick(popup, Qt.Key.Key_Return)
        assert picker.value() == customer.uuid
        expected = typed or customer["physical_address1"]
        assert panel.editors["service_address1"].value() == expected
        assert panel.editors["service_city"].value() == (
            None if typed else customer["physical_city"])
        qtbot.keyClick(panel.editors["title"], Qt.Key.Key_Escape)


def test_a_customer_renamed_on_the_page_renames_their_jobs_in_the_list(
        window: MainWindow, qtbot: Any) -> None:
    store = window.session.store
    customer = busiest(store)
    column = next(n for n in range(window.model.columnCount())
                  if window.model.headerData(n, Qt.Orientation.Horizontal) == "Customer")

    def names() -> set[str]:
        return {window.model.index(r, column).data() for r in range(window.model.rowCount())}

    assert customer.display_name in names(), "the list has read their jobs' rows"
    page = open_customers(window, qtbot)
    pick(page, qtbot, customer)
    qtbot.mouseClick(page.details.edit_button, Qt.MouseButton.LeftButton)
    page.form.editors["last_name"].set_value("Renamed-Here")
    qtbot.mouseClick(page.form.save_button, Qt.MouseButton.LeftButton)
    renamed = store.get_customer(customer.local_id)
    assert renamed is not None and renamed.pending_op == "update"

    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: f"{customer.first_name} Renamed-Here" in names())
    assert {j.customer_name for j in store.customer_history(renamed).jobs} == {
        f"{customer.first_name} Renamed-Here"}
