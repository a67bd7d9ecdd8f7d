"""The layers are built once per data version.

Kept between pages, rebuilt after every write, the same in every thread.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from web_helpers import TODAY, add_to_day, login, post_form


def _layers(app):
    with app.app_context():
        return app.extensions["patrol"].layers(TODAY)


def test_pages_share_one_build_until_a_write(app):
    from ledger.models import Venue, db
    from ledger.transaction import transaction

    first = _layers(app)
    assert _layers(app) is first  # no write: the same layers, not a rebuild
    with app.app_context(), transaction():
        db.session.get(Venue, "V0005").name = "缓存后改名的小店"
    after = _layers(app)
    assert after is not first and after.venues.at["V0005", "name"] == "缓存后改名的小店"
    assert first.venues.at["V0005", "name"] != "缓存后改名的小店"  # the old build is left as it was


def test_a_rolled_back_write_is_not_served(app):
    from ledger.models import Venue, db

    before = _layers(app)
    with app.app_context():
        db.session.get(Venue, "V0006").name = "未提交"
        db.session.flush()
        db.session.rollback()
    again = _layers(app)
    assert again.venues.at["V0006", "name"] == before.venues.at["V0006", "name"] != "未提交"


def test_a_result_recorded_through_the_form_shows_on_the_next_map(app, client):
    from ledger.models import Venue, db

    with app.app_context():
        db.session.get(Venue, "V0007").last_inspected = None
        db.session.commit()
    add_to_day(app, TODAY, "T01", "V0007")
    login(client, "coord")
    assert "V0007" in client.get("/map/frame").get_data(as_text=True)
    assert str(_layers(app).venues.at["V0007", "last_inspected"])[:10] != TODAY.isoformat()
    response = post_form(client, f"/stops/{TODAY}/T01/V0007", {"outcome": "done", "notes": "缓存测试"})
    assert response.status_code == 302
    assert str(_layers(app).venues.at["V0007", "last_inspected"])[:10] == TODAY.isoformat()
    assert ((_layers(app).inspections["venue_id"] == "V0007") & (_layers(app).inspections["notes"] == "缓存测试")).any()


def test_threads_share_a_build_and_a_write_between_them_is_seen(app):
    from ledger.models import Venue, db
    from ledger.transaction import transaction

    start = threading.Barrier(6)

    def read(_):
        start.wait()
        return _layers(app)

    with ThreadPoolExecutor(6) as pool:
        seen = list(pool.map(read, range(6)))
    assert all(s is seen[0] for s in seen)
    with app.app_context(), transaction():
        db.session.get(Venue, "V0008").name = "线程之后"
    with ThreadPoolExecutor(6) as pool:
        after = list(pool.map(lambda _: _layers(app).venues.at["V0008", "name"], range(6)))
    assert after == ["线程之后"] * 6


def test_a_core_statement_on_a_layer_table_counts_as_a_write(app):
    from ledger.models import Venue, db

    _layers(app)
    with app.app_context():
        db.session.execute(db.update(Venue).where(Venue.venue_id == "V0009").values(name="批量改名"))
        db.session.commit()
    assert _layers(app).venues.at["V0009", "name"] == "批量改名"



def test_a_bulk_import_of_new_and_changed_venues_counts_as_a_write(app, tmp_path):
    from ledger.layer_cache import data_version
    from ledger.models import db
    from ledger.store import export_files, import_layer

    before = _layers(app)
    with app.app_context():
        version = data_version()
        path = export_files(tmp_path)["venues"]
        text = path.read_text(encoding="utf-8").splitlines()
        header, rows = text[0], text[1:]
        changed = rows[0].split(",", 2)
        rows[0] = ",".join([changed[0], "批量导入改名", changed[2]])
        new = rows[1].split(",", 2)
        rows.append(",".join(["V9901", "批量导入新店", new[2]]))
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        done = import_layer("venues", [path], app.extensions["patrol"].rules, as_of=TODAY)
        assert (done.new, done.changed) == (1, 1)
        assert data_version() == version + 1
        db.session.remove()
    after = _layers(app)
    assert after is not before
    assert after.venues.at["V9901", "name"] == "批量导入新店"
    assert after.venues.at[changed[0], "name"] == "批量导入改名"


_OTHER_PROCESS = """
import os, sys
from webmap.web import create_app
from ledger.models import Venue, db
from ledger.transaction import transaction
app = create_app({"DATABASE_URL": sys.argv[1], "LOAD_DEMO": False, "TESTING": True})
with app.app_context(), transaction():
    db.session.get(Venue, sys.argv[2]).name = sys.argv[3]
"""


def test_a_write_by_another_process_is_seen(app, tmp_path):
    """The plan worker, ``patrol notify`` or a second web worker write in their own process.

    The version is in the database.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    before = _layers(app)
    assert _layers(app) is before
    env = {**os.environ, "PATROL_INSTANCE": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run([sys.executable, "-c", _OTHER_PROCESS, app.config["DATABASE_URL"], "V0010", "另一进程改名"],
                   check=True, env=env, timeout=120)
    after = _layers(app)
    assert after is not before and after.venues.at["V0010", "name"] == "另一进程改名"


def test_the_version_moves_with_a_commit_and_not_with_a_rollback(app):
    from ledger.layer_cache import data_version
    from ledger.models import Inspection, Venue, db

    with app.app_context():
        start = data_version()
        db.session.get(Venue, "V0011").phone = "010-0000"
        db.session.flush()
        db.session.rollback()
        assert data_version() == start
        db.session.add(Inspection(venue_id="V0011", date=TODAY, team_id="T01", outcome="done", notes="",
                                  recorded_by="test"))
        db.session.commit()
        assert data_version() == start + 1
        db.session.get(Venue, "V0011").phone = "010-0000"
        db.session.commit()
        assert data_version() == start + 2


def test_a_transaction_that_wrote_sees_its_own_rows_and_keeps_nothing(app):
    from ledger.models import Venue, db

    kept = _layers(app)
    with app.app_context():
        db.session.get(Venue, "V0012").name = "未提交的名字"
        own = app.extensions["patrol"].layers(TODAY)
        assert own.venues.at["V0012", "name"] == "未提交的名字" and own is not kept
        db.session.rollback()
    assert _layers(app) is kept
