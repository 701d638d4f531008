#!/usr/bin/env python3
"""Writes the FEC of "Boulangerie Martin SARL" (SIREN 812345676) for its fiscal years 2024 and 2025.

A bakery with a catering side: card sales at the counter (bread at 5.5 % VAT,
drinks bought for resale at 20 %), invoices to restaurants, flour and drinks
bought on credit, rent, energy, wages, a bank loan, an oven bought with a new
loan in 2025, a litigation provision and its reversal, quarterly stock counts,
corporate tax, a customer deposit, prepaid insurance, an uninvoiced energy bill
at year end, a shop fitting paid cash in July 2024 that leaves a VAT credit and
the bank account in overdraft in August. Each fiscal year
opens with its opening entries (journal AN); the 2025 ones carry the 2024
closing balances, with the 2024 result in account 120.

Outputs, in this folder (deterministic: fixed seed, amounts in cents):
  812345676FEC20241231.txt, 812345676FEC20251231.txt   the two FEC files (tab, decimal comma, UTF-8, CRLF);
  monthly_inputs.csv   the standard library's accounting inputs per month, as a long CSV.

The CSV is worked out here from a hand-written chart of accounts (`CHART`: which
inputs each account feeds, read from the descriptions of definitions/inputs.yaml),
not from the engine's account rules, so that a test can check the engine's reading
of the FEC against it. Standard library only. Usage: python3 examples/fec/generate_fec.py
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIREN = "812345676"
YEARS = (2024, 2025)
CENT = Decimal("0.01")
ZERO = Decimal(0)
FEC_COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum", "CompAuxLib",
    "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet", "ValidDate",
    "Montantdevise", "Idevise",
)
JOURNALS = {"AN": "A-nouveaux", "VE": "Ventes", "AC": "Achats", "BQ": "Banque", "PA": "Paie", "OD": "Opérations diverses"}

# account -> (label, [(input, flow mode)], [(input, balance mode)])
# flow modes: "debit"/"credit" (net movements, that side positive), "debits"/"credits" (that side only);
# balance modes: "debit"/"credit" (balance, that side positive), "debit+"/"credit+" (only when on that side).
EQUITY = [("capitaux_propres", "credit")]
CHART: dict[str, tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = {
    "101300": ("Capital souscrit - appelé, versé", [], EQUITY),
    "110000": ("Report à nouveau (solde créditeur)", [], EQUITY),
    "120000": ("Résultat de l'exercice (bénéfice)", [], EQUITY),
    "129000": ("Résultat de l'exercice (perte)", [], EQUITY),
    "151100": ("Provisions pour litiges", [], [("provisions_risques_charges", "credit")]),
    "164000": ("Emprunts auprès des établissements de crédit", [("remboursements_emprunts", "debits")],
               [("emprunts_dettes_financieres", "credit")]),
    "215400": ("Matériel industriel", [], [("actif_immobilise_net", "debit")]),
    "281540": ("Amortissements du matériel industriel", [], [("actif_immobilise_net", "debit")]),
    "310000": ("Stocks de matières premières", [], [("stocks", "debit")]),
    "370000": ("Stocks de marchandises", [], [("stocks", "debit")]),
    "401000": ("Fournisseurs", [("achats_ttc", "credits")], [("dettes_fournisseurs", "credit")]),
    "404000": ("Fournisseurs d'immobilisations", [], [("dettes_fournisseurs", "credit")]),
    "408100": ("Fournisseurs - factures non parvenues", [("achats_ttc", "credits")], [("dettes_fournisseurs", "credit")]),
    "411000": ("Clients", [], [("creances_clients", "debit")]),
    "419100": ("Clients - avances et acomptes reçus", [], [("autres_dettes", "credit+")]),
    "421000": ("Personnel - rémunérations dues", [], [("dettes_fiscales_sociales", "credit")]),
    "431000": ("Sécurité sociale", [], [("dettes_fiscales_sociales", "credit")]),
    "444000": ("État - impôt sur les bénéfices", [], [("dettes_fiscales_sociales", "credit")]),
    "445510": ("TVA à décaisser", [], [("dettes_fiscales_sociales", "credit")]),
    "445660": ("TVA déductible sur autres biens et services", [], [("autres_creances", "debit+")]),
    "445670": ("Crédit de TVA à reporter", [], [("autres_creances", "debit+")]),
    "445710": ("TVA collectée", [("tva_collectee", "credits")], [("dettes_fiscales_sociales", "credit")]),
    "455100": ("Associés - comptes courants", [], [("emprunts_dettes_financieres", "credit")]),
    "486000": ("Charges constatées d'avance", [], [("autres_creances", "debit+")]),
    "512000": ("Banque Populaire", [("encaissements", "debits"), ("decaissements", "credits")],
               [("disponibilites", "debit+"), ("concours_bancaires_courants", "credit+")]),
    "601100": ("Achats de farines et matières premières", [("achats_matieres_consommes", "debit"), ("charges_variables", "debit")], EQUITY),
    "603100": ("Variation des stocks de matières premières", [("achats_matieres_consommes", "debit"), ("charges_variables", "debit")], EQUITY),
    "603700": ("Variation des stocks de marchandises", [("cout_achat_marchandises_vendues", "debit"), ("charges_variables", "debit")], EQUITY),
    "606100": ("Fournitures non stockables (eau, énergie)", [("charges_externes", "debit"), ("charges_variables", "debit")], EQUITY),
    "607000": ("Achats de marchandises (boissons)", [("cout_achat_marchandises_vendues", "debit"), ("charges_variables", "debit")], EQUITY),
    "613200": ("Locations immobilières", [("charges_externes", "debit"), ("charges_fixes", "debit")], EQUITY),
    "615500": ("Entretien et réparations sur biens mobiliers", [("charges_externes", "debit"), ("charges_fixes", "debit")], EQUITY),
    "616000": ("Primes d'assurances", [("charges_externes", "debit"), ("charges_fixes", "debit")], EQUITY),
    "622200": ("Commissions sur ventes (plateforme de livraison)", [("charges_externes", "debit"), ("charges_variables", "debit")], EQUITY),
    "624100": ("Transports sur ventes", [("charges_externes", "debit"), ("charges_variables", "debit")], EQUITY),
    "626000": ("Frais postaux et de télécommunications", [("charges_externes", "debit"), ("charges_fixes", "debit")], EQUITY),
    "635110": ("Cotisation foncière des entreprises", [("impots_taxes", "debit"), ("charges_fixes", "debit")], EQUITY),
    "641100": ("Salaires, appointements", [("charges_personnel", "debit"), ("charges_fixes", "debit")], EQUITY),
    "645100": ("Cotisations à l'URSSAF", [("charges_personnel", "debit"), ("charges_fixes", "debit")], EQUITY),
    "651600": ("Droits d'auteur et de reproduction", [("autres_charges_exploitation", "debit")], EQUITY),
    "661160": ("Intérêts des emprunts", [("charges_financieres", "debit"), ("charges_interets", "debit"), ("charges_fixes", "debit")], EQUITY),
    "671200": ("Pénalités, amendes fiscales et pénales", [("charges_exceptionnelles", "debit")], EQUITY),
    "681120": ("Dotations aux amortissements des immobilisations corporelles",
               [("dotations_amortissements_provisions", "debit"), ("charges_fixes", "debit")], EQUITY),
    "681500": ("Dotations aux provisions d'exploitation", [("dotations_amortissements_provisions", "debit"), ("charges_fixes", "debit")], EQUITY),
    "695000": ("Impôts sur les bénéfices", [("impot_benefices", "debit")], EQUITY),
    "701000": ("Ventes de produits finis (pains, viennoiseries)", [("production_vendue", "credit")], EQUITY),
    "706000": ("Prestations de services (traiteur)", [("production_vendue", "credit")], EQUITY),
    "707000": ("Ventes de marchandises (boissons)", [("ventes_marchandises", "credit")], EQUITY),
    "709700": ("Rabais, remises et ristournes accordés sur marchandises", [("ventes_marchandises", "credit")], EQUITY),
    "740000": ("Subventions d'exploitation", [("subventions_exploitation", "credit")], EQUITY),
    "758000": ("Produits divers de gestion courante", [("autres_produits_exploitation", "credit")], EQUITY),
    "768000": ("Autres produits financiers", [("produits_financiers", "credit")], EQUITY),
    "771800": ("Autres produits exceptionnels sur opérations de gestion", [("produits_exceptionnels", "credit")], EQUITY),
    "781500": ("Reprises sur provisions d'exploitation", [("dotations_amortissements_provisions", "debit")], EQUITY),
}
# Inputs fed by the books: every month of both years gets a figure for each (zero when nothing was booked).
INPUTS = sorted({name for _, flows, balances in CHART.values() for name, _ in flows + balances}
                | {"production_stockee_immobilisee"})


def cents(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    journal: str
    number: int
    day: date
    account: str
    text: str
    debit: Decimal
    credit: Decimal


class Books:
    """Entries as they are booked, with each account's running balance (debit-positive)."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.balance: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.numbers: dict[str, int] = defaultdict(int)

    def entry(self, journal: str, day: date, text: str, *legs: tuple[str, Decimal]) -> None:
        """One balanced entry; each leg is (account, amount), debit positive and credit negative."""
        assert sum(amount for _, amount in legs) == 0, (text, legs)
        self.numbers[journal] += 1
        for account, amount in legs:
            if amount:
                self.lines.append(Line(journal, self.numbers[journal], day, account, text, max(amount, ZERO), max(-amount, ZERO)))
                self.balance[account] += amount

    def sale(self, journal: str, day: date, text: str, paid_to: str, lines: list[tuple[str, Decimal, Decimal]]) -> Decimal:
        """A sale: (account, amount excl. VAT, VAT rate) lines, the total incl. VAT debited to `paid_to`."""
        vat = sum(cents(ht * rate) for _, ht, rate in lines)
        total = sum(ht for _, ht, _ in lines) + vat
        self.entry(journal, day, text, (paid_to, total), *((account, -ht) for account, ht, _ in lines), ("445710", -vat))
        return total

    def purchase(self, day: date, text: str, account: str, ht: Decimal, rate: Decimal, supplier: str = "401000") -> None:
        vat = cents(ht * rate)
        self.entry("AC", day, text, (account, ht), ("445660", vat), (supplier, -(ht + vat)))


def book_year(books: Books, year: int, rnd: random.Random) -> None:
    """Every entry of one fiscal year after its opening entries."""
    once = occasional(year)
    for month in range(1, 13):
        for day, journal, text, legs in (entry for entry in once if entry[0].month == month):
            books.entry(journal, day, text, *legs)
        if (year, month) == (2025, 4):
            tax = -books.balance["444000"]
            books.entry("BQ", date(2025, 4, 15), "Solde IS 2024", ("444000", tax), ("512000", -tax))
        season = 1 + 0.25 * (month == 12) - 0.35 * (month == 8)
        first = date(year, month, 1)
        growth = 1.06 if year == 2025 else 1.0
        # counter sales, weekly, paid by card
        for week_day in (7, 14, 21, 28):
            bread = cents(rnd.uniform(9_000, 11_000) * season * growth)
            drinks = cents(rnd.uniform(1_200, 1_600) * season * growth)
            books.sale("VE", date(year, month, week_day), f"Ventes comptoir semaine du {week_day:02d}/{month:02d}", "512000",
                       [("701000", bread, Decimal("0.055")), ("707000", drinks, Decimal("0.20"))])
        # restaurants, invoiced, paid the following month
        for day in (10, 25):
            books.sale("VE", date(year, month, day), "Facture restaurants", "411000",
                       [("701000", cents(rnd.uniform(2_500, 3_500) * growth), Decimal("0.055")),
                        ("706000", cents(rnd.uniform(800, 1_500) * season), Decimal("0.10"))])
        paid = cents(books.balance["411000"] * Decimal("0.55"))
        books.entry("BQ", date(year, month, 5), "Règlements clients", ("512000", paid), ("411000", -paid))
        # purchases on credit
        for day in (3, 17):
            books.purchase(date(year, month, day), "Farines et matières premières", "601100", cents(rnd.uniform(4_000, 5_000) * season), Decimal("0.055"))
        books.purchase(date(year, month, 8), "Boissons", "607000", cents(rnd.uniform(2_200, 2_800) * season), Decimal("0.20"))
        books.purchase(first, "Loyer du local", "613200", Decimal("3200.00"), Decimal("0.20"))
        books.purchase(date(year, month, 12), "Électricité et gaz", "606100", cents(rnd.uniform(1_400, 1_900)), Decimal("0.20"))
        books.purchase(date(year, month, 12), "Téléphone et internet", "626000", Decimal("89.90"), Decimal("0.20"))
        books.purchase(date(year, month, 28), "Commissions plateforme de livraison", "622200", cents(rnd.uniform(300, 500)), Decimal("0.20"))
        books.purchase(date(year, month, 28), "Livraisons traiteur", "624100", cents(rnd.uniform(150, 250)), Decimal("0.20"))
        supplier = books.balance["401000"]
        paid = cents(-supplier * Decimal("0.6"))
        books.entry("BQ", date(year, month, 15), "Règlements fournisseurs", ("401000", paid), ("512000", -paid))
        book_payroll(books, year, month, growth)
        book_vat_return(books, date(year, month, 20))
        books.entry("BQ", date(year, month, 5), "Échéance emprunt", ("164000", Decimal("1850.00")),
                    ("661160", cents(Decimal(260) - Decimal("7.5") * month)), ("512000", -(Decimal("2110.00") - Decimal("7.5") * month)))
        books.entry("OD", date(year, month, 28), "Dotation aux amortissements", ("681120", Decimal("1500.00")), ("281540", Decimal("-1500.00")))
        if month in (3, 6, 9, 12):
            book_stock_count(books, date(year, month, 30), rnd)
    tax = corporate_tax(books)
    books.entry("OD", date(year, 12, 31), "Impôt sur les sociétés de l'exercice", ("695000", tax), ("444000", -tax))


def book_payroll(books: Books, year: int, month: int, growth: float) -> None:
    gross = cents(24_000 * growth + (1_200 if month == 12 else 0))
    net, employee, employer = cents(gross * Decimal("0.78")), gross - cents(gross * Decimal("0.78")), cents(gross * Decimal("0.42"))
    day = date(year, month, 28)
    books.entry("PA", day, "Salaires du mois", ("641100", gross), ("421000", -net), ("431000", -employee))
    books.entry("PA", day, "Charges patronales", ("645100", employer), ("431000", -employer))
    books.entry("BQ", day, "Virement des salaires", ("421000", net), ("512000", -net))
    due = -books.balance["431000"] - employee - employer  # last month's contributions
    if due:
        books.entry("BQ", date(year, month, 15), "URSSAF", ("431000", due), ("512000", -due))


def book_vat_return(books: Books, day: date) -> None:
    """The monthly return: collected VAT less deductible VAT (and any credit carried), paid or carried."""
    collected, deductible, carried = -books.balance["445710"], books.balance["445660"], books.balance["445670"]
    due = collected - deductible - carried
    legs = [("445710", collected), ("445660", -deductible), ("445670", -carried)]
    if due >= 0:
        books.entry("OD", day, "Déclaration de TVA", *legs, ("445510", -due))
        books.entry("BQ", day, "Paiement de la TVA", ("445510", due), ("512000", -due))
    else:
        books.entry("OD", day, "Déclaration de TVA (crédit)", *legs, ("445670", -due))


def book_stock_count(books: Books, day: date, rnd: random.Random) -> None:
    for stock, change, text in (("310000", "603100", "matières premières"), ("370000", "603700", "marchandises")):
        counted = cents(rnd.uniform(3_000, 6_000) if stock == "310000" else rnd.uniform(1_500, 2_500))
        variation = counted - books.balance[stock]
        books.entry("OD", day, f"Inventaire {text}", (stock, variation), (change, -variation))


def occasional(year: int) -> list[tuple[date, str, str, tuple[tuple[str, Decimal], ...]]]:
    """What happens once a year or once: grants, provisions, investments, year-end entries."""
    def once(day: date, journal: str, text: str, *legs: tuple[str, str]) -> tuple[date, str, str, tuple[tuple[str, Decimal], ...]]:
        return day, journal, text, tuple((account, Decimal(amount)) for account, amount in legs)

    yearly = [
        once(date(year, 7, 1), "BQ", "Assurance multirisque (juillet à juin)", ("616000", "2400.00"), ("512000", "-2400.00")),
        once(date(year, 12, 31), "OD", "Charges constatées d'avance assurance", ("486000", "1200.00"), ("616000", "-1200.00")),
        once(date(year, 12, 15), "BQ", "CFE", ("635110", "1150.00"), ("512000", "-1150.00")),
        once(date(year, 9, 30), "BQ", "SACEM musique d'ambiance", ("651600", "210.00"), ("512000", "-210.00")),
        once(date(year, 12, 31), "BQ", "Intérêts du livret", ("512000", "95.40"), ("768000", "-95.40")),
        once(date(year, 4, 30), "BQ", "Remboursement sinistre", ("512000", "480.00"), ("771800", "-480.00")),
        once(date(year, 11, 5), "BQ", "Refacturation tickets restaurant", ("512000", "320.00"), ("758000", "-320.00")),
    ]
    if year == 2024:
        return [
            *yearly,
            once(date(2024, 6, 18), "BQ", "Aide régionale à l'apprentissage", ("512000", "4000.00"), ("740000", "-4000.00")),
            once(date(2024, 7, 3), "AC", "Vitrine réfrigérée et agencement", ("215400", "42000.00"), ("445660", "8400.00"), ("404000", "-50400.00")),
            once(date(2024, 7, 5), "BQ", "Paiement vitrine et agencement", ("404000", "50400.00"), ("512000", "-50400.00")),
            once(date(2024, 8, 20), "BQ", "Pénalité de retard URSSAF", ("671200", "350.00"), ("512000", "-350.00")),
            once(date(2024, 8, 22), "BQ", "Réparation du four (urgence)", ("615500", "9800.00"), ("512000", "-9800.00")),
            once(date(2024, 10, 31), "OD", "Provision litige prud'homal", ("681500", "6000.00"), ("151100", "-6000.00")),
            once(date(2024, 11, 12), "BQ", "Acompte traiteur mariage", ("512000", "1500.00"), ("419100", "-1500.00")),
            once(date(2024, 12, 31), "OD", "Facture non parvenue énergie", ("606100", "1650.00"), ("408100", "-1650.00")),
        ]
    return [
        *yearly,
        once(date(2025, 1, 1), "OD", "Extourne charges constatées d'avance", ("616000", "1200.00"), ("486000", "-1200.00")),
        once(date(2025, 1, 1), "OD", "Extourne facture non parvenue", ("408100", "1650.00"), ("606100", "-1650.00")),
        once(date(2025, 1, 15), "OD", "Acompte imputé sur facture", ("419100", "1500.00"), ("411000", "-1500.00")),
        once(date(2025, 3, 10), "AC", "Four à sole", ("215400", "36000.00"), ("445660", "7200.00"), ("404000", "-43200.00")),
        once(date(2025, 3, 12), "BQ", "Nouvel emprunt four", ("512000", "36000.00"), ("164000", "-36000.00")),
        once(date(2025, 3, 25), "BQ", "Paiement du four", ("404000", "43200.00"), ("512000", "-43200.00")),
        once(date(2025, 5, 31), "OD", "Reprise provision litige (accord)", ("151100", "6000.00"), ("781500", "-6000.00")),
        once(date(2025, 5, 31), "BQ", "Indemnité transactionnelle", ("671200", "2500.00"), ("512000", "-2500.00")),
        once(date(2025, 8, 1), "BQ", "Apport en compte courant", ("512000", "10000.00"), ("455100", "-10000.00")),
        once(date(2025, 12, 20), "VE", "Ristourne de fin d'année restaurants", ("709700", "600.00"), ("445710", "120.00"), ("411000", "-720.00")),
    ]


def corporate_tax(books: Books) -> Decimal:
    """15 % of the profit of the year so far (the reduced SME rate), none on a loss."""
    profit = -sum((b for a, b in books.balance.items() if a[0] in "67"), ZERO)
    return cents(max(profit, ZERO) * Decimal("0.15"))


def open_year(books: Books, year: int, closing: dict[str, Decimal] | None) -> None:
    """The opening entries: the previous closing balances (the result moved to 120/129), or the 2023 balance sheet."""
    books.balance, books.numbers = defaultdict(lambda: ZERO), defaultdict(int)  # entries are numbered per fiscal year
    if closing is None:
        closing = {"101300": Decimal("-20000.00"), "110000": Decimal("-14300.00"), "164000": Decimal("-62000.00"),
                   "215400": Decimal("96000.00"), "281540": Decimal("-38000.00"), "310000": Decimal("4200.00"),
                   "370000": Decimal("1900.00"), "401000": Decimal("-9800.00"), "411000": Decimal("6100.00"),
                   "431000": Decimal("-6090.00"), "444000": ZERO}
        closing["512000"] = -sum(closing.values(), ZERO)
    else:
        result = sum((b for a, b in closing.items() if a[0] in "67"), ZERO)
        closing = {a: b for a, b in closing.items() if a[0] not in "67"}
        closing["129000" if result > 0 else "120000"] = result
    legs = [(account, amount) for account, amount in sorted(closing.items()) if amount]
    books.entry("AN", date(year, 1, 1), "Reprise des soldes au 1er janvier", *legs)


def expected_inputs(lines: list[Line]) -> dict[tuple[str, str], Decimal]:
    """(input, AAAA-MM) -> value, from the hand-written chart: flows by month, balances at each month's end."""
    values: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    sign = {"debit": 1, "credit": -1, "debit+": 1, "credit+": -1}
    for year in YEARS:
        balance: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for month in range(1, 13):
            key = f"{year}-{month:02d}"
            for line in (entry for entry in lines if entry.day.year == year and entry.day.month == month):
                balance[line.account] += line.debit - line.credit
                if line.journal == "AN":
                    continue
                for name, mode in CHART[line.account][1]:
                    values[(name, key)] += {"debit": line.debit - line.credit, "credit": line.credit - line.debit,
                                            "debits": line.debit, "credits": line.credit}[mode]
            for account, amount in balance.items():
                for name, mode in CHART[account][2]:
                    signed = sign[mode] * amount
                    values[(name, key)] += signed if not mode.endswith("+") or signed > 0 else ZERO
    return values


def amount_text(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def write_fec(path: Path, lines: list[Line]) -> None:
    rows = ["\t".join(FEC_COLUMNS)]
    for line in lines:
        day = line.day.strftime("%Y%m%d")
        reference = f"{line.journal}{line.day:%y%m}-{line.number:04d}"
        rows.append("\t".join((line.journal, JOURNALS[line.journal], str(line.number), day, line.account, CHART[line.account][0],
                               "", "", reference, day, line.text, amount_text(line.debit), amount_text(line.credit),
                               "", "", day, "", "")))
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("utf-8"))


def generate(folder: Path = HERE) -> list[Path]:
    """Write the two FEC files and the CSV into `folder`; returns their paths."""
    rnd = random.Random(20240101)
    books, closing, every_line, written = Books(), None, [], []
    for year in YEARS:
        open_year(books, year, closing)
        book_year(books, year, rnd)
        year_lines = [line for line in books.lines if line.day.year == year]
        every_line += year_lines
        written.append(folder / f"{SIREN}FEC{year}1231.txt")
        write_fec(written[-1], year_lines)
        closing = dict(books.balance)
    values = expected_inputs(every_line)
    written.append(folder / "monthly_inputs.csv")
    with written[-1].open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("period", "entity", "name", "value"))
        for year in YEARS:
            for month in range(1, 13):
                for name in INPUTS:
                    writer.writerow((f"{year}-{month:02d}", SIREN, name, f"{values[(name, f'{year}-{month:02d}')]:.2f}"))
    return written


if __name__ == "__main__":
    for path in generate():
        print(f"wrote {path.relative_to(HERE.parent.parent)}")
