"""The web space without a browser (Starlette's TestClient): logins, rights, CSRF, escaping, alerts, reloads, languages."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import httpx2
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient
from web_support import PASSWORD, USERS, Clock, csrf_of, make_app, serve, users_file

from kpi_engine.cli import main
from kpi_engine.web.app import Web, create_app
from kpi_engine.web.auth import LoginLimiter
from kpi_engine.web.space import Space
from kpi_engine.web.users import User, UsersError, add_user, check_password, hash_password, load_users, parse_users
from kpi_engine.web.words import choose_language


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(tmp_path, clock):
    return make_app(tmp_path / "space", clock)


def login(app, user: str, password: str = PASSWORD, lang: str = "fr") -> TestClient:
    client = TestClient(app[0], headers={"accept-language": lang}, follow_redirects=False)
    page = client.get("/login")
    answer = client.post("/login", data={"csrf_token": csrf_of(page.text), "user": user, "password": password})
    assert answer.status_code == 303, answer.text
    return client


def fingerprint(client: TestClient, kpi: str, entity: str, period: str) -> str:
    """The fingerprint of the alert listed for this KPI, entity and period on the alerts page."""
    for item in client.get("/alerts").text.split('<li id="a-')[1:]:
        head = item[:item.index("</div>")]
        if f"/kpi/{kpi}?entity={entity}&amp;period={period}" in head:
            return item[:16]
    raise AssertionError(f"no alert of {kpi} {entity} {period}")


# --- logging in ----------------------------------------------------------------------------------


def test_pages_need_a_login(app):
    client = TestClient(app[0], follow_redirects=False)
    for path in ("/", "/kpi/chiffre_affaires", "/alerts"):
        answer = client.get(path)
        assert (answer.status_code, answer.headers["location"]) == (303, "/login")


def test_a_wrong_password_is_refused_and_the_right_one_opens_a_fresh_session(app):
    client = TestClient(app[0], follow_redirects=False)
    page = client.get("/login")
    before = csrf_of(page.text)
    wrong = client.post("/login", data={"csrf_token": before, "user": "lea", "password": "nope"})
    assert wrong.status_code == 401 and "Identifiant ou mot de passe incorrect." in wrong.text
    right = client.post("/login", data={"csrf_token": before, "user": "lea", "password": PASSWORD})
    assert right.status_code == 303
    assert csrf_of(client.get("/").text) != before  # a new session: nothing set before the login survives


def test_logins_are_limited_per_user_and_per_address(app, clock):
    client = TestClient(app[0], follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        assert client.post("/login", data={"csrf_token": token, "user": "lea", "password": "guess"}).status_code == 401
    blocked = client.post("/login", data={"csrf_token": token, "user": "lea", "password": PASSWORD})
    assert blocked.status_code == 429 and "Trop d&#39;essais" in blocked.text
    clock.advance(301)
    assert client.post("/login", data={"csrf_token": token, "user": "lea", "password": PASSWORD}).status_code == 303


def test_the_limiter_counts_per_key_forgets_after_the_window_and_is_bounded():
    limiter = LoginLimiter(attempts=2, window=10, max_keys=3)
    limiter.failed(("user:a", "address:1"), now=0)
    limiter.failed(("user:a", "address:1"), now=1)
    assert limiter.blocked(("user:a",), now=2) and limiter.blocked(("user:b", "address:1"), now=2)
    assert not limiter.blocked(("user:b", "address:2"), now=2)
    assert not limiter.blocked(("user:a",), now=11)
    for number in range(10):
        limiter.failed((f"user:{number}",), now=20)
    assert len(limiter._failures) == 3


def test_unknown_users_and_wrong_passwords_are_the_same_answer():
    assert check_password(USERS, "nobody", PASSWORD) is None
    assert check_password(USERS, "lea", "wrong") is None
    assert check_password(USERS, "lea", PASSWORD) is USERS["lea"]


# --- CSRF ----------------------------------------------------------------------------------------


def test_every_form_without_its_csrf_token_is_refused(app):
    client = login(app, "lea")
    target = fingerprint(client, "chiffre_affaires", "paris", "2025-03")
    for path, data in ((f"/alerts/{target}/ack", {"note": "forged"}), ("/logout", {}), ("/lang", {"lang": "en"}),
                       ("/login", {"user": "lea", "password": PASSWORD})):
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path
    assert "forged" not in client.get("/alerts").text


# --- rights --------------------------------------------------------------------------------------


def test_an_owner_sees_their_kpis_and_entities_only(app):
    client = login(app, "lea")
    page = client.get("/").text
    assert "Chiffre d&#39;affaires" in page and "paris" in page
    assert "Taux de marge" not in page and "Trésorerie" not in page and "lyon" not in page


def test_the_daf_sees_everything(app):
    page = login(app, "claire").get("/").text
    assert all(word in page for word in ("Chiffre d&#39;affaires", "Taux de marge", "Trésorerie", "lyon", "paris"))


def test_a_url_outside_ones_rights_answers_as_if_it_did_not_exist(app):
    client = login(app, "lea")
    missing = client.get("/kpi/no_such_kpi")
    for path in ("/kpi/taux_marge", "/kpi/tresorerie_fin", "/kpi/chiffre_affaires?entity=lyon", "/?entity=lyon", "/?audience=direction"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.text.replace(path, "") .count("taux_marge") == 0 and "lyon" not in answer.text.replace(path, "")
        assert len(answer.text) - len(path) == pytest.approx(len(missing.text) - len("/kpi/no_such_kpi"), abs=40)
    assert client.get("/kpi/chiffre_affaires?entity=paris").status_code == 200


def test_an_alert_outside_ones_rights_cannot_be_read_or_acknowledged(app):
    daf = login(app, "claire")
    lyon = fingerprint(daf, "chiffre_affaires", "lyon", "2025-02")
    cash = fingerprint(daf, "tresorerie_fin", "paris", "2025-03")
    lea = login(app, "lea")
    page = lea.get("/alerts").text
    assert lyon not in page and cash not in page
    token = csrf_of(page)
    for target in (lyon, cash, lyon[:8]):
        assert lea.post(f"/alerts/{target}/ack", data={"csrf_token": token, "note": "mine now"}).status_code == 404
    assert "mine now" not in daf.get("/alerts").text


def test_a_viewer_reads_their_audience_and_cannot_acknowledge(app):
    marc = login(app, "marc")
    page = marc.get("/").text
    assert "Taux de marge" in page and "Trésorerie" not in page
    alerts = marc.get("/alerts").text
    assert "ack-form" not in alerts
    target = fingerprint(marc, "chiffre_affaires", "paris", "2025-03")
    assert marc.post(f"/alerts/{target}/ack", data={"csrf_token": csrf_of(alerts), "note": "seen"}).status_code == 404


# --- acknowledging, escaping ---------------------------------------------------------------------


def test_an_owner_acknowledges_an_alert_and_the_daf_reads_who_when_and_why(app, clock):
    lea = login(app, "lea")
    target = fingerprint(lea, "chiffre_affaires", "paris", "2025-03")
    hostile = '<script>alert("note")</script>'
    answer = lea.post(f"/alerts/{target}/ack", data={"csrf_token": csrf_of(lea.get("/alerts").text), "note": hostile, "action": "relancer les clients"})
    assert (answer.status_code, answer.headers["location"]) == (303, f"/alerts#a-{target}")
    page = login(app, "claire").get("/alerts").text
    item = page[page.index(f'id="a-{target}"'):]
    item = item[:item.index("</li>\n")]
    assert "Pris en compte par <b>lea</b> le 2 avril 2025 à 09:00 UTC" in item
    assert "&lt;script&gt;alert(&#34;note&#34;)&lt;/script&gt;" in item and hostile not in page
    assert "Action corrective\u00a0: <span class=\"action\">relancer les clients</span>" in item
    english = login(app, "claire", lang="en").get("/alerts").text
    assert "Acknowledged by <b>lea</b> on 2 April 2025 at 09:00 UTC" in english and "Corrective action: <span" in english


def test_a_hostile_label_is_escaped_everywhere(app):
    client = login(app, "claire")
    for path in ("/", "/kpi/tresorerie_fin", "/alerts"):
        page = client.get(path).text
        assert "<script>alert" not in page and "onerror=alert" not in page.replace("&lt;img", ""), path
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt; Trésorerie" in client.get("/kpi/tresorerie_fin").text


def test_pages_allow_only_the_applications_own_scripts(app):
    answer = login(app, "claire").get("/")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert not re.search(r"<script(?![^>]*src=\"/static/)", answer.text)
    assert not re.search(r"""(src|href)=["']https?://""", answer.text)


# --- drill-down ----------------------------------------------------------------------------------


def test_a_kpi_page_explains_the_value_down_to_the_facts(app):
    page = login(app, "claire").get("/kpi/taux_marge?entity=paris&period=2025-03").text
    assert "(ventes - couts) / ventes" in page
    tree = page[page.index('<ul class="tree">'):]
    assert re.search(r"<code>ventes</code>\s*<span class=\"kind\">donnée</span>\s*= <b class=\"value\">85 000,00 €</b>", tree)
    assert re.search(r"<code>couts</code>\s*<span class=\"kind\">donnée</span>\s*= <b class=\"value\">70 000,00 €</b>", tree)
    assert '<b class="value">17,6 %</b>' in tree  # 15 000 / 85 000 = 17.647 %, by hand
    assert 'data-chart="{' in page and "&#34;target&#34;: 0.25" in page


ROOT = Path(__file__).resolve().parent.parent
FEC = [ROOT / "examples" / "fec" / "812345676FEC20241231.txt", ROOT / "examples" / "fec" / "812345676FEC20251231.txt"]
TREE_NODE = re.compile(r'<li class="node k-(\w+)">(?:<span class="words">(.*?)</span>|<code>(?:<a [^>]*>)?(.*?)(?:</a>)?</code>)'
                       r'\s*(?:<span class="kind">(.*?)</span>)?\s*= <b class="value">(.*?)</b>')


def tree_of(page: str) -> list[tuple[str, str, str]]:
    """The computation tree of a KPI page, node by node in reading order: (kind word or kind, text, value)."""
    tree = page[page.index('<ul class="tree">'):page.index('<section id="series">')]
    return [(word or kind, words or code, value) for kind, words, code, word, value in TREE_NODE.findall(tree)]


def test_the_drill_down_goes_down_to_the_accounts_of_the_fec(tmp_path):
    clock = Clock()
    space = Space(ROOT / "definitions", FEC, None, clock)
    app = (create_app(Web(space, users_file(tmp_path, {"claire": USERS["claire"]}, clock), clock, clock.monotonic), secret_key="test secret"), None)  # noqa: S106 - test sessions only
    client = login(app, "claire")
    # the same tree as `kpi explain definitions tresorerie_nette ... --period 2025-03` (docs/reference.md)
    assert tree_of(client.get("/kpi/tresorerie_nette?entity=812345676&period=2025-03").text) == [
        ("indicateur", "tresorerie_nette", "8 017,40 €"),
        ("operation", "disponibilites - concours_bancaires_courants", "8 017,40 €"),  # the KPI's formula, in its unit
        ("donnée", "disponibilites", "8 017,40 €"),
        ("compte", "512000 Banque Populaire", "8 017,40 €"),
        ("opening", "à-nouveaux (ouverture de l&#39;exercice)", "9 841,62 €"),  # 9 841,62 - 1 824,22 = 8 017,40
        ("movements", "mouvements de l&#39;exercice à fin de période", "-1 824,22 €"),
        ("donnée", "concours_bancaires_courants", "0,00 €"),
        ("no_entry", "aucun montant sur ses comptes", "0,00 €"),
    ]
    english = login(app, "claire", lang="en").get("/kpi/chiffre_affaires_ht?entity=812345676&period=2025-03").text
    assert tree_of(english)[2:] == [  # a flow: the month's movements of each account; 6 011,51 + 49 293,58 + 2 051,75 = 57 356,84
        ("input", "ventes_marchandises", "€6,011.51"),
        ("account", "707000 Ventes de marchandises (boissons)", "€6,011.51"),
        ("input", "production_vendue", "€51,345.33"),
        ("account", "701000 Ventes de produits finis (pains, viennoiseries)", "€49,293.58"),
        ("account", "706000 Prestations de services (traiteur)", "€2,051.75"),
    ]
    assert tree_of(english)[0] == ("KPI", "chiffre_affaires_ht", "€57,356.84")


# --- always current ------------------------------------------------------------------------------


def test_changed_facts_are_reloaded(app, clock, tmp_path):
    client = login(app, "claire")
    assert "17,6 %" in client.get("/kpi/taux_marge?entity=paris&period=2025-03").text
    facts = tmp_path / "space" / "facts.csv"
    facts.write_text(facts.read_text().replace("2025-03,paris,couts,70000", "2025-03,paris,couts,68000"))
    clock.advance(2)
    assert "20,0 %" in client.get("/kpi/taux_marge?entity=paris&period=2025-03").text  # 17 000 / 85 000


def test_a_pack_that_no_longer_validates_keeps_the_last_good_one_and_shows_where(app, clock, tmp_path):
    client = login(app, "claire")
    pack = tmp_path / "space" / "pack.yaml"
    pack.write_text(pack.read_text().replace("formula: (ventes - couts) / ventes", "formula: (ventes - cout) / ventes"))
    clock.advance(2)
    page = client.get("/kpi/taux_marge?entity=paris&period=2025-03").text
    assert "17,6 %" in page
    assert re.search(r"pack.yaml:\d+:\d+: indicateur « taux_marge » : formule : nom inconnu « cout »", page)  # in the reader's language
    lea = login(app, "lea").get("/").text  # she is told the page is behind the files, not about a KPI she may not read
    assert "la dernière version valide reste affichée" in lea and "taux_marge" not in lea and "pack.yaml" not in lea
    assert 'id="problems"' not in TestClient(app[0]).get("/login").text
    pack.write_text(pack.read_text().replace("(ventes - cout) / ventes", "(ventes - couts) / ventes"))
    clock.advance(2)
    assert 'id="problems"' not in client.get("/").text


def test_a_reload_records_the_new_evaluation_in_the_alert_store(app, clock, tmp_path):
    client = login(app, "claire")
    target = fingerprint(client, "chiffre_affaires", "paris", "2025-03")
    facts = tmp_path / "space" / "facts.csv"
    facts.write_text(facts.read_text().replace("2025-03,paris,ventes,85000", "2025-03,paris,ventes,95000"))
    clock.advance(2)
    page = client.get("/alerts?state=resolved").text
    assert f'<li id="a-{target}" class="alert sev-warning st-resolved">' in page
    assert "résolue" in page.split('<section id="history">')[1]


def rewrite_users(web: Web, clock: Clock, **users: User) -> None:
    """The test users file written again with `users` (a changed size or time: the server notices at its next check)."""
    path = web.users.files()[0]
    path.unlink()
    for user in users.values():
        add_user(path, user)
    clock.advance(2)


def test_a_user_removed_from_the_users_file_loses_their_session_at_once(app, clock):
    lea, claire = login(app, "lea"), login(app, "claire")
    assert lea.get("/").status_code == 200
    rewrite_users(app[1], clock, claire=USERS["claire"], marc=USERS["marc"])
    answer = lea.get("/")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert claire.get("/").status_code == 200
    rewrite_users(app[1], clock, claire=USERS["claire"], lea=USERS["lea"])
    assert lea.get("/").status_code == 303  # her session ended: coming back to the file does not revive it
    assert login(app, "lea").get("/").status_code == 200


def test_a_user_added_or_given_another_role_counts_from_the_next_request(app, clock):
    marc = login(app, "marc")
    assert "Trésorerie" not in marc.get("/").text and marc.get("/kpi/tresorerie_fin").status_code == 404
    nina = User("nina", "Nina Petit", USERS["lea"].password_hash, "owner", owner_roles=("daf",), entities=("lyon",))
    rewrite_users(app[1], clock, **{**USERS, "marc": replace(USERS["marc"], role="daf"), "nina": nina})
    assert "Trésorerie" in marc.get("/").text and marc.get("/kpi/tresorerie_fin").status_code == 200
    page = login(app, "nina").get("/").text
    assert "Trésorerie" in page and "lyon" in page and "paris" not in page.split('<section id="summary">')[1]


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(app, clock):
    lea = login(app, "lea")
    rewrite_users(app[1], clock, **{**USERS, "lea": replace(USERS["lea"], password_hash=hash_password("another password"))})
    assert lea.get("/").status_code == 303
    assert login(app, "lea", password="another password").get("/").status_code == 200  # noqa: S106 - the test's own


def test_a_broken_users_file_keeps_the_last_good_one_and_shows_the_daf_where(app, clock):
    claire, lea = login(app, "claire"), login(app, "lea")
    path = app[1].users.files()[0]
    good = path.read_text()
    path.write_text(good.replace("role: owner", "role: boss", 1))
    clock.advance(2)
    page = claire.get("/").text
    assert "Le fichier des utilisateurs modifié ne se charge pas" in page
    assert re.search(r"users.yaml:\d+:\d+: utilisateur « \w+ » : role doit valoir l&#39;une des valeurs admin, daf, owner, viewer", page)
    assert lea.get("/").status_code == 200 and 'id="users-problems"' not in lea.get("/").text  # not shown to everyone
    assert login(app, "lea").get("/").status_code == 200  # the last good file still opens the door
    path.write_text(good)
    clock.advance(2)
    assert 'id="users-problems"' not in claire.get("/").text


# --- cookies -------------------------------------------------------------------------------------


def session_cookie(answer) -> list[str]:
    cookie = next(value for name, value in answer.headers.multi_items() if name == "set-cookie" and value.startswith("kpi_session="))
    return [part.strip().lower() for part in cookie.split(";")[1:]]


def login_answer(client: TestClient):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"csrf_token": token, "user": "lea", "password": PASSWORD})


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_over_https(app, tmp_path, clock):
    plain = login_answer(TestClient(app[0], follow_redirects=False))
    assert {"httponly", "samesite=lax"} <= set(session_cookie(plain)) and "secure" not in session_cookie(plain)
    assert "strict-transport-security" not in plain.headers
    https = login_answer(TestClient(app[0], base_url="https://testserver", follow_redirects=False))
    assert {"httponly", "samesite=lax", "secure"} <= set(session_cookie(https))
    assert https.headers["strict-transport-security"] == "max-age=31536000"
    forced = create_app(app[1], secret_key="test secret", secure_cookies=True)  # noqa: S106 - test sessions only
    assert "secure" in session_cookie(login_answer(TestClient(forced, follow_redirects=False)))


def test_behind_a_local_https_proxy_the_cookie_is_secure(app):
    """uvicorn takes the scheme from X-Forwarded-Proto when the proxy is on 127.0.0.1, as `kpi serve` runs it."""
    for base in serve(app[0]):
        with httpx2.Client(base_url=base, headers={"x-forwarded-proto": "https"}, timeout=10) as client:
            assert "secure" in session_cookie(login_answer(client))  # type: ignore[arg-type]
        with httpx2.Client(base_url=base, timeout=10) as client:
            assert "secure" not in session_cookie(login_answer(client))  # type: ignore[arg-type]


# --- languages -----------------------------------------------------------------------------------


def test_english_from_the_browser_and_french_by_default(app):
    english = login(app, "claire", lang="en-GB,en;q=0.9").get("/kpi/taux_marge?entity=paris&period=2025-03").text
    assert "Computation" in english and "17.6%" in english
    french = login(app, "claire", lang="de").get("/kpi/taux_marge?entity=paris&period=2025-03").text
    assert "Calcul" in french and "17,6 %" in french


def test_the_language_can_be_switched_on_the_page(app):
    client = login(app, "claire")
    token = csrf_of(client.get("/").text)
    for elsewhere in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        assert client.post("/lang", data={"csrf_token": token, "lang": "en", "back": elsewhere}).headers["location"] == "/"
    assert client.post("/lang", data={"csrf_token": token, "lang": "en", "back": "/alerts?state=open"}).headers["location"] == "/alerts?state=open"
    assert "Dashboard" in client.get("/").text


@pytest.mark.parametrize(("header", "expected"), [("en-US,en;q=0.8", "en"), ("de,en;q=0.5,fr;q=0.7", "fr"), ("", "fr"), ("xx;q=bad", "fr")])
def test_accept_language(header, expected):
    assert choose_language(None, None, header) == expected


# --- the users file and the commands -------------------------------------------------------------


def test_a_users_file_with_mistakes_reports_each_one_located():
    text = "lea:\n  role: boss\n  password_hash: plain\n  audiences: direction\n  colour: blue\n"
    with pytest.raises(UsersError) as raised:
        parse_users(text, "users.yaml")
    assert [str(p) for p in raised.value.problems] == [
        "users.yaml:5:11: user 'lea': unknown setting 'colour'",
        "users.yaml:2:9: user 'lea': role must be one of admin, daf, owner, viewer",
        "users.yaml:3:18: user 'lea': password_hash must be an argon2 hash (kpi users add writes one)",
        "users.yaml:4:14: user 'lea': audiences must be a list of names",
    ]


def test_users_add_reads_the_password_from_stdin_and_hashes_it(tmp_path):
    path = tmp_path / "users.yaml"
    done = CliRunner().invoke(main, ["users", "add", str(path), "lea", "--role", "owner", "--owner-role", "commercial", "--entity", "paris"],
                              input=f"{PASSWORD}\n")
    assert done.exit_code == 0, done.output
    assert PASSWORD not in path.read_text()
    user = load_users(path)["lea"]
    assert (user.role, user.owner_roles, user.entities) == ("owner", ("commercial",), ("paris",))
    assert check_password({"lea": user}, "lea", PASSWORD) is user
    short = CliRunner().invoke(main, ["users", "add", str(path), "bob", "--role", "viewer"], input="short\n")
    assert short.exit_code == 2 and "at least 8 characters" in short.output


def test_serve_refuses_an_invalid_pack_with_located_problems(tmp_path):
    users = tmp_path / "users.yaml"
    users.write_text("{}\n")
    pack = tmp_path / "pack.yaml"
    pack.write_text("kpis:\n  x: {formula: nope + 1, frequency: monthly}\n")
    facts = tmp_path / "facts.csv"
    facts.write_text("period,name,value\n2025-01,a,1\n")
    done = CliRunner().invoke(main, ["serve", str(pack), "--facts", str(facts), "--users", str(users)])
    assert done.exit_code == 1
    assert re.search(r"pack.yaml:2:\d+: .*nom inconnu « nope »", done.output)  # in French, the default language


# --- the example company -------------------------------------------------------------------------


def test_on_the_example_company_leadership_the_daf_and_a_shop_manager_each_have_their_own_view(tmp_path):
    root = Path(__file__).resolve().parent.parent / "examples"
    clock = Clock()
    space = Space(root / "company", [root / "facts" / "monthly.csv", root / "facts" / "budget_fr.csv"], tmp_path / "alerts.db", clock)
    hashed = USERS["claire"].password_hash
    people = {
        "marc": User("marc", "Marc Durand", hashed, "viewer", audiences=("dirigeants",)),
        "claire": User("claire", "Claire Martin", hashed, "daf"),
        "lea": User("lea", "Léa Moreau", hashed, "owner", owner_roles=("commercial",), audiences=("operations",), entities=("bordeaux",)),
    }
    app = (create_app(Web(space, users_file(tmp_path, people, clock), clock, clock.monotonic), secret_key="test secret"), None)  # noqa: S106 - signs the test sessions only
    kpis = {name: set(re.findall(r'class="kpi-link" href="/kpi/([a-z0-9_]+)\?entity=([a-z_]+)', login(app, name).get("/").text)) for name in people}
    leadership = {"chiffre_affaires_ht", "evolution_ca_annee", "taux_marge_brute", "taux_marge_nette", "ebe", "tresorerie_nette", "dscr"}
    assert {kpi for kpi, _ in kpis["marc"]} == leadership
    assert {entity for _, entity in kpis["marc"]} == {entity for _, entity in kpis["claire"]} == {"bordeaux", "lyon", "groupe_durand"}
    assert len({kpi for kpi, _ in kpis["claire"]}) == 62  # every KPI: the budget ones too, now that the example gives its budget as a scenario
    assert {entity for _, entity in kpis["lea"]} == {"bordeaux"} and "ca_par_m2" in {kpi for kpi, _ in kpis["lea"]}
    assert not {kpi for kpi, _ in kpis["lea"]} & leadership


def scorecard_row(page: str, kpi: str, entity: str) -> tuple[list[str], list[str]]:
    """The header of the scorecard table holding `kpi` for `entity`, and that line, as the texts of their cells."""
    def cells(html: str) -> list[str]:
        return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", re.sub(r"<svg.*?</svg>", "", html, flags=re.S), re.S)]
    for table in re.findall(r'<table class="scorecard">(.*?)</table>', page, re.S):
        row = re.search(rf'<tr class="s-\w+">\s*<td><a class="kpi-link" href="/kpi/{kpi}\?entity={entity}">.*?</tr>', table, re.S)
        if row:
            return cells(table[:table.index("</thead>")]), cells(row.group(0))
    raise AssertionError(f"no scorecard line of {kpi} for {entity}")


def test_scorecards_set_each_kpi_against_its_target_and_a_year_before(tmp_path):
    root = ROOT / "examples"
    clock = Clock()
    space = Space(root / "company", [root / "facts" / "monthly.csv", root / "facts" / "budget_fr.csv"], None, clock)
    marc = User("marc", "Marc Durand", USERS["marc"].password_hash, "viewer", audiences=("dirigeants",))
    app = (create_app(Web(space, users_file(tmp_path, {"marc": marc}, clock), clock, clock.monotonic), secret_key="test secret"), None)  # noqa: S106 - test sessions only
    page = login(app, "marc").get("/?entity=bordeaux").text
    # revenue has no target: its budget and N-1. 2025-12: 112 223,39 + 43 642,43 = 155 865,82; budget (budget_fr.csv)
    # 110 808 + 43 092 = 153 900, gap +1 965,82; 2024-12: 99 603,16 + 38 734,56 = 138 337,72; 155 865,82 / 138 337,72 - 1 = +12,67 %
    assert scorecard_row(page, "chiffre_affaires_ht", "bordeaux") == (
        ["Indicateur", "Entité", "Situation au", "Réalisé", "Budget", "Écart budget", "N-1", "Évol. N-1", "Statut", "Tendance"],
        ["Chiffre d&#39;affaires HT", "bordeaux", "2025-12", "155 865,82 €", "153 900,00 €", "+1 965,82 €", "138 337,72 €", "+12,7 %", "sans cible", ""],
    )
    # a percent KPI: gap and change in points. 2025-12: (155 865,82 - 52 039,39 - 13 346,39) / 155 865,82 = 58,05 %,
    # target 55 %; 2024-12: (138 337,72 - 47 661,27 - 11 650,01) / 138 337,72 = 57,13 %, so +0,92 pt
    head, row = scorecard_row(page, "taux_marge_brute", "bordeaux")
    assert head[3:8] == ["Réalisé", "Cible", "Écart", "N-1", "Évol. N-1"]
    assert row[3:9] == ["58,0 %", "55,0 %", "+3,0 pt", "57,1 %", "+0,9 pt", "atteint"]
    assert re.search(r'<td class="num change better">\+0,9 pt</td>', page)  # higher is better: good news, in green
    # across zero a rate says nothing: the EBE of June 2025 is a loss after a profit, so the change is the difference
    june = login(app, "marc").get("/?entity=bordeaux&period=2025-06").text
    assert scorecard_row(june, "ebe", "bordeaux")[1][3:8] == ["-8 145,35 €", "", "", "10 229,73 €", "-18 375,08 €"]  # no target
    english = login(app, "marc", lang="en").get("/?entity=bordeaux").text
    assert scorecard_row(english, "taux_marge_brute", "bordeaux")[0][3:8] == ["Actual", "Target", "Gap", "Prior year", "YoY change"]
    assert scorecard_row(english, "taux_marge_brute", "bordeaux")[1][3:8] == ["58.0%", "55.0%", "+3.0 pts", "57.1%", "+0.9 pts"]


def test_alerts_are_listed_open_first_then_most_severe_first(app):
    page = login(app, "claire").get("/alerts").text
    listed = re.findall(r'<li id="a-[0-9a-f]{16}" class="alert sev-(\w+) st-(\w+)', page)
    # Lyon's alerts of 2025-02 are resolved: its March values are clear (the store's lifecycle, as kpi notify decides)
    assert listed == [("critical", "new"), ("warning", "new"), ("critical", "resolved"), ("warning", "resolved")]


def test_the_dashboard_is_filtered_by_entity_period_and_frequency(app):
    client = login(app, "claire")
    page = client.get("/?entity=paris&period=2025-02&frequency=monthly").text
    assert "Situation au 2025-02" in page and "110 000,00 €" in page  # Paris's sales in February
    assert "85 000,00 €" not in page and "lyon" not in page.split('<section id="summary">')[1]
    assert client.get("/?period=someday").status_code == 400
    assert client.get("/?frequency=hourly").status_code == 400
