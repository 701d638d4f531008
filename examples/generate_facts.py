#!/usr/bin/env python3
"""Génère les faits d'exemple d'« Atelier Durand SAS » (fabricant de meubles + boutique).

Deux entités :
  - lyon     : atelier de fabrication (mobilier sur mesure pour particuliers et
               professionnels : hôtels, bureaux) + showroom ;
  - bordeaux : boutique (négoce de mobilier et déco, petite activité de finition).

Sorties (déterministes, graine fixe, montants quantifiés au centime) :
  - facts/monthly.csv   : format LONG `period,entity,name,value`, 2024-01 à 2025-12,
                          toutes les entrées de la bibliothèque standard et du pack société ;
  - facts/budget_fr.csv : export Excel français (séparateur `;`, virgule décimale,
                          espace des milliers), format LARGE : par mois et entité, une ligne
                          `budget` (colonne `scenario`) avec les ventes budgétées, lues par
                          budget(chiffre_affaires_ht), et une ligne sans scénario (le réel)
                          avec le plan de trésorerie (encaissements et décaissements prévus).

Cohérence : le bilan est construit mois par mois (stocks, créances, dettes, capitaux
propres = report + résultat − dividendes, immobilisations = + investissements −
dotations, emprunts = − remboursements + nouveaux emprunts) ; la trésorerie nette est le
solde qui équilibre le bilan, si bien que fonds de roulement − BFR = trésorerie nette au
centime près et encaissements − décaissements = variation de trésorerie nette.
Scénario : Bordeaux subit au T2 2025 une chute des ventes, un gros client hôtelier qui ne
paie pas, une créance irrécouvrable et un sur-stockage : trésorerie négative, liquidité
< 1, DSCR < 1, alertes.

Bibliothèque standard Python uniquement. Usage : python3 examples/generate_facts.py
"""
import csv
import os
import random
from decimal import ROUND_HALF_UP, Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "facts")
CENT = Decimal("0.01")
MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
# saisonnalité de l'ameublement : creux d'août, pic de fin d'année
SEASON = [0.90, 0.82, 0.98, 1.00, 1.02, 0.95, 0.88, 0.58, 1.05, 1.10, 1.22, 1.50]


def q(x):
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


ENTITIES = {
    "lyon": {"base_ca": 200_000, "part_marchandises": 0.15, "croissance_2025": 0.06, "personnel": 68_000,
                 "loyer_fixe": 14_000, "dotations": 9_000, "immo": 650_000, "stocks": 180_000, "provisions": 25_000,
                 "emprunt": 300_000, "amort_emprunt": 6_000, "tresorerie": 180_000, "jours_clients": 1.5,
                 "jours_fournisseurs": 1.6, "acomptes": 0.12, "clients": 300, "leads": 90, "mrr": 6_000,
                 "unites": 420, "cout_invest": 180_000},
    "bordeaux": {"base_ca": 95_000, "part_marchandises": 0.72, "croissance_2025": 0.08, "personnel": 25_000,
                     "loyer_fixe": 8_500, "dotations": 2_500, "immo": 140_000, "stocks": 120_000, "provisions": 5_000,
                     "emprunt": 120_000, "amort_emprunt": 2_200, "tresorerie": 20_000, "jours_clients": 0.35,
                     "jours_fournisseurs": 1.5, "acomptes": 0.05, "clients": 1_500, "leads": 260, "mrr": 800,
                     "unites": 45, "cout_invest": 60_000},
}


def generate():
    rnd = random.Random(20240101)
    rows, budget = [], []
    for ent, p in ENTITIES.items():
        immo = Decimal(p["immo"])
        stocks = Decimal(p["stocks"])
        provisions = Decimal(p["provisions"])
        emprunt = Decimal(p["emprunt"])
        emprunt2 = Decimal(0)
        cp = None  # capitaux propres d'ouverture calculés pour obtenir la trésorerie d'ouverture voulue
        prev = None
        clients = p["clients"]
        mrr = Decimal(p["mrr"])
        gains_invest = Decimal(0)
        treso_plan_initiale = None
        for per in MONTHS:
            year, month = int(per[:4]), int(per[5:])
            s = SEASON[month - 1]
            growth = 1 + (p["croissance_2025"] if year == 2025 else 0)
            def noise(a=0.03):
                return 1 + rnd.uniform(-a, a)
            crise = ent == "bordeaux" and per in ("2025-04", "2025-05", "2025-06")
            ca = p["base_ca"] * s * growth * noise() * (0.55 if crise else 1)
            vm = q(ca * p["part_marchandises"])
            pv = q(ca * (1 - p["part_marchandises"]))
            ca_ht = vm + pv
            tva = q(ca_ht * Decimal("0.2"))
            cout_march = q(vm * Decimal("0.55" if ent == "lyon" else "0.47") * Decimal(str(noise(0.02))))
            matieres = q(pv * Decimal("0.30") * Decimal(str(noise(0.02))))
            prod_stock = {9: 6_000, 10: 8_000, 11: -4_000, 12: -10_000}.get(month, 0) if ent == "lyon" else 0
            prod_stock = q(prod_stock)
            externes = q(p["loyer_fixe"] + float(ca_ht) * 0.08 * noise())
            impots = q(float(ca_ht) * 0.012 + 600)
            personnel = q(p["personnel"] * (1.03 if year == 2025 else 1) * (1.35 if month == 12 else 1) * noise(0.01))
            subv = q(3_000 if (ent == "lyon" and month in (3, 9)) else 0)
            autres_prod = q(150 + rnd.uniform(0, 100))
            autres_ch = q(120 + rnd.uniform(0, 80) + (9_000 if (crise and per == "2025-06") else 0))  # 654 créance irrécouvrable
            # investissements : machine CNC à Lyon en septembre 2024 (emprunt 150 000), agencement boutique Bordeaux en mars 2024
            capex = Decimal(0)
            nouvel_emprunt = Decimal(0)
            if ent == "lyon" and per == "2024-09":
                capex = Decimal(p["cout_invest"])
                nouvel_emprunt = Decimal(150_000)
                emprunt2 = Decimal(150_000)
            if ent == "bordeaux" and per == "2024-03":
                capex = Decimal(p["cout_invest"])
                nouvel_emprunt = Decimal(50_000)
                emprunt2 = Decimal(50_000)
            dot_mensuelle = p["dotations"] + (1_500 if (ent == "lyon" and per >= "2024-09") else 0) + (500 if (ent == "bordeaux" and per >= "2024-03") else 0)
            dotations = q(dot_mensuelle)
            # dette : remboursements en capital, intérêts 4 % l'an
            remb = min(emprunt, Decimal(p["amort_emprunt"]))
            remb2 = min(emprunt2, Decimal(2_500 if ent == "lyon" else 1_000)) if per > ("2024-09" if ent == "lyon" else "2024-03") else Decimal(0)
            interets = q((emprunt + emprunt2) * Decimal("0.04") / 12)
            emprunt -= remb
            emprunt2 -= remb2
            remboursements = q(remb + remb2)
            frais_fin = q(80 + rnd.uniform(0, 40) + (600 if (ent == "bordeaux" and per >= "2025-05" and per <= "2025-09") else 0))  # agios
            charges_fin = interets + frais_fin
            produits_fin = q(40 + rnd.uniform(0, 30))
            prod_exc = q(0)
            ch_exc = q(0)
            ebe = vm - cout_march + pv + prod_stock - matieres - externes + subv - impots - personnel
            rex = ebe + autres_prod - autres_ch - dotations
            rcai = rex + produits_fin - charges_fin
            is_ = q(max(rcai, Decimal(0)) * Decimal("0.25"))
            rn = rcai + prod_exc - ch_exc - is_
            # achats facturés : consommation + constitution de stock (sur-stockage Bordeaux au T2 2025)
            var_stock_achat = 0.0
            if ent == "bordeaux" and per in ("2025-03", "2025-04", "2025-05"):
                var_stock_achat = 22_000
            elif ent == "bordeaux" and per in ("2025-09", "2025-10", "2025-11"):
                var_stock_achat = -16_000
            elif month in (9, 10):
                var_stock_achat = 5_000
            elif month in (1, 2):
                var_stock_achat = -5_000
            achats_biens = q(float(cout_march + matieres) + var_stock_achat)
            stocks = stocks + achats_biens - cout_march - matieres + prod_stock
            achats_ttc = q((achats_biens + externes) * Decimal("1.2"))
            # bilan d'exploitation
            ttc = ca_ht + tva
            prev_ttc = prev["ttc"] if prev else ttc
            creances = q(ttc * Decimal(str(min(p["jours_clients"], 1.0))) + prev_ttc * Decimal(str(max(p["jours_clients"] - 1.0, 0))))
            if ent == "bordeaux" and "2025-04" <= per <= "2025-08":
                creances += q(60_000)  # hôtel « Les Chartrons » : agencement facturé, impayé
            autres_creances = q(achats_ttc * Decimal("0.08") + 3_000)
            fournisseurs = q(achats_ttc * Decimal(str(p["jours_fournisseurs"] / 1.0)) * Decimal("0.5") + achats_ttc * Decimal("0.5"))
            tva_nette = max(tva - (achats_ttc - achats_ttc / Decimal("1.2")), Decimal(0))
            dfs = q(personnel * Decimal("0.8") + tva_nette + is_ * 2)
            autres_dettes = q(ca_ht * Decimal(str(p["acomptes"])))
            immo = immo + capex - dotations
            dividendes = q(60_000 if (ent == "lyon" and month == 6) else (10_000 if (ent == "bordeaux" and per == "2024-06") else 0))
            dettes_fin = q(emprunt + emprunt2)
            if cp is None:
                # capitaux propres d'ouverture (fin 2023) tels que la trésorerie d'ouverture vaille p["tresorerie"]
                cp = (immo + dotations - capex) + (stocks - achats_biens + cout_march + matieres - prod_stock) \
                    + creances + autres_creances + Decimal(p["tresorerie"]) - provisions - (dettes_fin + remboursements) \
                    - fournisseurs - dfs - autres_dettes
                tn_prev = Decimal(p["tresorerie"])
            cp = cp + rn - dividendes
            tn = (cp + provisions + dettes_fin + fournisseurs + dfs + autres_dettes) - (immo + stocks + creances + autres_creances)
            dispo = q(max(tn, Decimal(0)))
            concours = q(max(-tn, Decimal(0)))
            if treso_plan_initiale is None:
                treso_plan_initiale = tn_prev
            encaiss = q(ttc + (prev["creances"] if prev else creances) - creances + subv + nouvel_emprunt + produits_fin + autres_prod)
            decaiss = q(encaiss - (tn - tn_prev))
            tn_prev = tn
            # commercial / marketing
            nouveaux = round((18 if ent == "lyon" else 95) * s * growth * noise(0.15) * (0.6 if crise else 1))
            perdus = round((10 if ent == "lyon" else 70) * noise(0.3) * (1.6 if crise else 1))
            clients = clients + nouveaux - perdus
            leads = round(p["leads"] * s * noise(0.1))
            convertis = min(leads, round(nouveaux * 0.8))
            dep_mkt = q((4_500 if ent == "lyon" else 3_200) * noise(0.1) * (1.3 if month in (3, 9, 11) else 1))
            dep_com = q((7_500 if ent == "lyon" else 2_500) * noise(0.05))
            camp = q(float(dep_mkt) * 0.6)
            attrib = q(float(camp) * (6.5 if ent == "lyon" else 4.2) * noise(0.2) * (0.35 if crise else 1))
            mrr = q(float(mrr) * (1.012 if not crise else 0.97) * noise(0.005))
            # opérations
            unites_prod = round(p["unites"] * s * growth * noise(0.05) * (0.6 if crise else 1))
            cout_prod = q(float(matieres) + float(personnel) * (0.55 if ent == "lyon" else 0.15) + float(dotations) * 0.6)
            unites_vendues = round(unites_prod * (1.0 if ent == "lyon" else 6.0) * noise(0.05))
            retours = round(unites_vendues * (0.018 if ent == "lyon" else 0.03) * noise(0.3) * (2.2 if crise else 1))
            avoirs = q(float(ca_ht) / max(unites_vendues, 1) * retours * 0.9)
            commandes = round((160 if ent == "lyon" else 520) * s * noise(0.05) * (0.6 if crise else 1))
            jours = round(commandes * (24 if ent == "lyon" else 9) * noise(0.08) * (1.4 if crise else 1))
            # ROI de l'investissement principal (machine / agencement) : valeur de revente + gains cumulés
            if capex or gains_invest:
                gains_invest += Decimal(8_000 if ent == "lyon" else 1_500)
            mois_depuis = 0
            if ent == "lyon" and per >= "2024-09":
                mois_depuis = MONTHS.index(per) - MONTHS.index("2024-09")
            if ent == "bordeaux" and per >= "2024-03":
                mois_depuis = MONTHS.index(per) - MONTHS.index("2024-03")
            invest_engage = p["cout_invest"] if mois_depuis or (capex > 0) else 0
            valeur_inv = q((invest_engage * 0.75 - 1_500 * mois_depuis + float(gains_invest)) if invest_engage else 0)
            # analytique : variables = achats consommés + 40 % des charges externes ; fixes = le reste + financier
            variables = q(cout_march + matieres + externes * Decimal("0.4"))
            fixes = q(externes * Decimal("0.6") + impots + personnel + dotations + autres_ch + charges_fin - autres_prod - subv)
            facts = {
                "ventes_marchandises": vm, "production_vendue": pv, "production_stockee_immobilisee": prod_stock,
                "tva_collectee": tva, "subventions_exploitation": subv, "autres_produits_exploitation": autres_prod,
                "produits_financiers": produits_fin, "produits_exceptionnels": prod_exc,
                "cout_achat_marchandises_vendues": cout_march, "achats_matieres_consommes": matieres,
                "charges_externes": externes, "impots_taxes": impots, "charges_personnel": personnel,
                "autres_charges_exploitation": autres_ch, "dotations_amortissements_provisions": dotations,
                "charges_financieres": charges_fin, "charges_interets": interets, "charges_exceptionnelles": ch_exc,
                "impot_benefices": is_, "taux_impot_societes": Decimal("0.25"),
                "actif_immobilise_net": q(immo), "stocks": q(stocks), "creances_clients": creances,
                "autres_creances": autres_creances, "disponibilites": dispo, "capitaux_propres": q(cp),
                "provisions_risques_charges": q(provisions), "emprunts_dettes_financieres": dettes_fin,
                "dettes_fournisseurs": fournisseurs, "dettes_fiscales_sociales": dfs, "autres_dettes": autres_dettes,
                "concours_bancaires_courants": concours, "encaissements": encaiss, "decaissements": decaiss,
                "remboursements_emprunts": remboursements, "achats_ttc": achats_ttc,
                "cout_investissement": q(invest_engage), "valeur_actuelle_investissement": valeur_inv,
                "charges_fixes": fixes, "charges_variables": variables,
                "leads_generes": leads, "leads_convertis": convertis, "nouveaux_clients": nouveaux,
                "clients_perdus": perdus, "clients_actifs": clients, "depenses_marketing": dep_mkt,
                "depenses_commerciales": dep_com, "cout_campagnes": camp, "ca_attribue_campagnes": attrib,
                "revenus_recurrents_mensualises": mrr, "cout_production": cout_prod, "unites_produites": unites_prod,
                "unites_vendues": unites_vendues, "unites_retournees": retours, "avoirs_retours_ht": avoirs,
                "commandes_livrees": commandes, "jours_livraison_cumules": jours,
                # entrées propres au pack société (examples/company)
                "heures_atelier": q(unites_prod * (3.2 if ent == "lyon" else 4.0) * noise(0.04)),
                "surface_vente_m2": Decimal(180 if ent == "lyon" else 420),
            }
            for name, value in facts.items():
                v = value if isinstance(value, int) else Decimal(value).quantize(CENT) if name not in ("taux_impot_societes",) else value
                rows.append((per, ent, name, str(v)))
            # budget (préparé en début d'année, sans aléa ni crise)
            budget_ca = q(p["base_ca"] * s * growth)
            budget.append(
                {
                    "period": per,
                    "entity": ent,
                    "ventes_marchandises": q(float(budget_ca) * p["part_marchandises"]),
                    "production_vendue": q(float(budget_ca) * (1 - p["part_marchandises"])),
                    "encaissements_prevus": q(
                        float(budget_ca) * 1.2 * 0.99
                        + (150_000 if (ent == "lyon" and per == "2024-09") else 50_000 if (ent == "bordeaux" and per == "2024-03") else 0)
                    ),
                    "decaissements_prevus": q(
                        float(budget_ca) * 1.2 * 0.93
                        + float(p["amort_emprunt"])
                        + (p["cout_invest"] if ((ent == "lyon" and per == "2024-09") or (ent == "bordeaux" and per == "2024-03")) else 0)
                        + (60_000 if (ent == "lyon" and month == 6) else 0)
                        + (p["personnel"] * 0.35 if month == 12 else 0)
                    ),
                    "tresorerie_initiale": q(treso_plan_initiale),
                }
            )
            prev = {"ttc": ttc, "creances": creances}
    return rows, budget


def fr_number(d):
    """1234567.8 -> '1 234 567,80' (format Excel français)."""
    s = f"{Decimal(d):,.2f}"
    return s.replace(",", " ").replace(".", ",")


def main():
    os.makedirs(OUT, exist_ok=True)
    rows, budget = generate()
    with open(os.path.join(OUT, "monthly.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["period", "entity", "name", "value"])
        w.writerows(rows)
    # Les ventes budgétées sont le scénario `budget` des entrées réelles ; le plan de trésorerie est
    # une entrée à part entière (des flux prévus, pas le budget d'une entrée réelle) : ligne sans scénario.
    budget_cols = ["ventes_marchandises", "production_vendue"]
    plan_cols = ["encaissements_prevus", "decaissements_prevus", "tresorerie_initiale"]
    with open(os.path.join(OUT, "budget_fr.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["period", "entity", "scenario", *budget_cols, *plan_cols])
        for b in budget:
            w.writerow([b["period"], b["entity"], "budget"] + [fr_number(b[c]) for c in budget_cols] + [""] * len(plan_cols))
            w.writerow([b["period"], b["entity"], ""] + [""] * len(budget_cols) + [fr_number(b[c]) for c in plan_cols])
    print(f"{len(rows)} faits mensuels, {len(budget)} mois de budget et de plan de trésorerie écrits dans {OUT}")


if __name__ == "__main__":
    main()
